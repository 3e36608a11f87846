package dev.hallmark.protocol.acme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.hallmark.protocol.acme.testing.TestDnsServer;
import dev.hallmark.server.testing.TestServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.shredzone.acme4j.Account;
import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Certificate;
import org.shredzone.acme4j.Identifier;
import org.shredzone.acme4j.Login;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.RevocationReason;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Dns01Challenge;
import org.shredzone.acme4j.challenge.Http01Challenge;
import org.shredzone.acme4j.exception.AcmeServerException;
import org.shredzone.acme4j.util.KeyPairUtils;

/**
 * acme4j, unmodified, against a real Hallmark server: accounts, orders, http-01 (DNS and IP identifiers), dns-01 with a
 * wildcard, finalize and download, revocation by the account and by the certificate key, key rollover, deactivation.
 * Challenges are answered by an in-test HTTP server and an in-test DNS server that the server's validator is pointed
 * at through {@code acme.validation.*} (SPEC's configuration keys).
 */
class AcmeClientTest {
    static TestServer server;
    static TestDnsServer dns;
    static HttpServer http01;
    static final Map<String, String> TOKENS = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        dns = TestDnsServer.start();
        http01 = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        http01.createContext("/.well-known/acme-challenge/", ex -> {
            String token = ex.getRequestURI().getPath().substring("/.well-known/acme-challenge/".length());
            String body = TOKENS.get(token);
            byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.US_ASCII);
            ex.sendResponseHeaders(body == null ? 404 : 200, b.length == 0 ? -1 : b.length);
            if (b.length > 0) {
                ex.getResponseBody().write(b);
            }
            ex.close();
        });
        http01.start();
        server = TestServer.builder().endpoints(new AcmeEndpoint()).yaml("acme:\n  validation:\n"
                + "    http01Port: " + http01.getAddress().getPort() + "\n"
                + "    dnsResolver: 127.0.0.1:" + dns.address().getPort() + "\n"
                + "    timeout: 5s\n"
                + "    denyNetworks: [169.254.0.0/16]\n").start();
        SSLContext.setDefault(server.trustingRoot());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (http01 != null) {
            http01.stop(0);
        }
        if (dns != null) {
            dns.close();
        }
    }

    static Session session() {
        return new Session(server.https("/acme/directory"));
    }

    static Account newAccount(Session session, KeyPair key) throws Exception {
        return new AccountBuilder().agreeToTermsOfService().addEmail("ops@example.test").useKeyPair(key).create(session);
    }

    static KeyPair ecKey() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    /** Runs an order through http-01 or dns-01 and finalizes it with a fresh key. */
    static Order fulfil(Account account, List<Identifier> ids, String type, KeyPair certKey) throws Exception {
        Order order = account.newOrder().identifiers(ids).create();
        for (Authorization auth : order.getAuthorizations()) {
            if (auth.getStatus() == Status.VALID) {
                continue;
            }
            if ("dns-01".equals(type)) {
                Dns01Challenge c = auth.findChallenge(Dns01Challenge.class).orElseThrow();
                dns.addTxt("_acme-challenge." + auth.getIdentifier().getValue() + ".", c.getDigest());
                c.trigger();
            } else {
                Http01Challenge c = auth.findChallenge(Http01Challenge.class).orElseThrow();
                TOKENS.put(c.getToken(), c.getAuthorization());
                c.trigger();
            }
            auth.waitForCompletion(Duration.ofSeconds(20));
            assertThat(auth.getStatus()).as("authorization for %s", auth.getIdentifier()).isEqualTo(Status.VALID);
        }
        order.waitUntilReady(Duration.ofSeconds(20));
        order.execute(certKey);
        order.waitForCompletion(Duration.ofSeconds(20));
        assertThat(order.getStatus()).isEqualTo(Status.VALID);
        return order;
    }

    @Test
    void http01IssuesAndTheChainVerifies() throws Exception {
        dns.addA("www.http.example.test.", "127.0.0.1");
        Account account = newAccount(session(), ecKey());
        Order order = fulfil(account, List.of(Identifier.dns("www.http.example.test")), "http-01", ecKey());
        Certificate cert = order.getCertificate();
        X509Certificate leaf = cert.getCertificate();
        assertThat(leaf.getSubjectAlternativeNames()).extracting(l -> (Object) l.get(1)).containsExactly("www.http.example.test");
        List<X509Certificate> chain = cert.getCertificateChain();
        assertThat(chain).hasSizeGreaterThanOrEqualTo(2);
        leaf.verify(chain.get(1).getPublicKey());
    }

    @Test
    void dns01ValidatesAWildcardAndOnlyDns01IsOffered() throws Exception {
        Account account = newAccount(session(), ecKey());
        Order order = account.newOrder().identifiers(List.of(Identifier.dns("*.wild.example.test"))).create();
        Authorization auth = order.getAuthorizations().get(0);
        assertThat(auth.isWildcard()).isTrue();
        assertThat(auth.getChallenges()).extracting(c -> c.getType()).containsExactly("dns-01");
        order = fulfil(account, List.of(Identifier.dns("*.wild.example.test")), "dns-01", ecKey());
        assertThat(order.getCertificate().getCertificate().getSubjectAlternativeNames()).extracting(l -> (Object) l.get(1))
                .containsExactly("*.wild.example.test");
    }

    @Test
    void anIpIdentifierValidatesOverHttp01() throws Exception {
        Account account = newAccount(session(), ecKey());
        Order order = fulfil(account, List.of(Identifier.ip("127.0.0.1")), "http-01", ecKey());
        assertThat(order.getCertificate().getCertificate().getSubjectAlternativeNames()).extracting(l -> (Object) l.get(1))
                .containsExactly("127.0.0.1");
    }

    @Test
    void aWrongResponseMakesTheChallengeInvalid() throws Exception {
        dns.addA("wrong.example.test.", "127.0.0.1");
        Account account = newAccount(session(), ecKey());
        Order order = account.newOrder().identifiers(List.of(Identifier.dns("wrong.example.test"))).create();
        Authorization auth = order.getAuthorizations().get(0);
        Http01Challenge c = auth.findChallenge(Http01Challenge.class).orElseThrow();
        TOKENS.put(c.getToken(), c.getToken() + ".not-the-thumbprint");
        c.trigger();
        assertThat(auth.waitForCompletion(Duration.ofSeconds(20))).isEqualTo(Status.INVALID);
        // RFC 8555 §7.1.4: an invalid authorization shows the challenge that was attempted and failed.
        assertThat(auth.getChallenges()).extracting(ch -> ch.getType()).containsExactly("http-01");
        c.fetch();
        assertThat(c.getStatus()).isEqualTo(Status.INVALID);
        assertThat(c.getError()).isPresent();
        order.fetch();
        assertThat(order.getStatus()).isEqualTo(Status.INVALID);
    }

    @Test
    void revocationByTheAccountAndByTheCertificateKey() throws Exception {
        dns.addA("revoke.example.test.", "127.0.0.1");
        Session session = session();
        Account account = newAccount(session, ecKey());
        KeyPair certKey = ecKey();
        Certificate first = fulfil(account, List.of(Identifier.dns("revoke.example.test")), "http-01", certKey).getCertificate();
        first.revoke(RevocationReason.SUPERSEDED);
        assertThatThrownBy(() -> first.revoke()).isInstanceOf(AcmeServerException.class)
                .hasMessageContaining("revoked");
        Certificate second = fulfil(account, List.of(Identifier.dns("revoke.example.test")), "http-01", ecKey()).getCertificate();
        KeyPair secondKey = ecKey();
        Certificate third = fulfil(account, List.of(Identifier.dns("revoke.example.test")), "http-01", secondKey).getCertificate();
        Certificate.revoke(session, secondKey, third.getCertificate(), RevocationReason.KEY_COMPROMISE);
        assertThat(second.getCertificate()).isNotNull();
    }

    @Test
    void keyRolloverAndDeactivation() throws Exception {
        Session session = session();
        KeyPair oldKey = ecKey();
        Account account = newAccount(session, oldKey);
        KeyPair newKey = ecKey();
        account.changeKey(newKey);
        Login login = session.login(account.getLocation(), newKey);
        login.getAccount().fetch();
        assertThatThrownBy(() -> new AccountBuilder().onlyExisting().useKeyPair(oldKey).create(session()))
                .isInstanceOf(AcmeServerException.class);
        Account again = new AccountBuilder().onlyExisting().useKeyPair(newKey).create(session());
        assertThat(again.getLocation()).isEqualTo(account.getLocation());
        login.getAccount().deactivate();
        assertThat(login.getAccount().getStatus()).isEqualTo(Status.DEACTIVATED);
        assertThatThrownBy(() -> login.getAccount().newOrder().domain("after.example.test").create())
                .isInstanceOf(AcmeServerException.class);
    }

    @Test
    void theDirectoryAdvertisesProfilesAndRenewalInfo() throws Exception {
        var meta = session().getMetadata();
        assertThat(meta.isExternalAccountRequired()).isFalse();
        assertThat(session().resourceUrlOptional(org.shredzone.acme4j.connector.Resource.RENEWAL_INFO)).isPresent();
        assertThat(URI.create(server.https("/acme/directory").toString())).isNotNull();
    }

    @Test
    void administratorsSeeAccountsAndOrdersAndNobodyElseDoes() throws Exception {
        dns.addA("admin-view.example.test.", "127.0.0.1");
        Account account = newAccount(session(), ecKey());
        fulfil(account, List.of(Identifier.dns("admin-view.example.test")), "http-01", ecKey());
        String id = account.getLocation().getPath().replaceAll(".*/", "");
        var accounts = server.send(server.as(server.auditorToken, server.https("/api/v1/acme/accounts?limit=500")).GET().build());
        assertThat(accounts.statusCode()).isEqualTo(200);
        assertThat(AcmeJson.MAPPER.readTree(accounts.body()).path("accounts").findValuesAsText("id")).contains(id);
        var orders = server.send(server.as(server.operatorToken, server.https("/api/v1/acme/orders?account=" + id)).GET().build());
        assertThat(orders.statusCode()).isEqualTo(200);
        assertThat(orders.headers().firstValue("Cache-Control")).hasValue("no-store");
        var list = AcmeJson.MAPPER.readTree(orders.body()).path("orders");
        assertThat(list).hasSize(1);
        assertThat(list.get(0).path("status").asText()).isEqualTo("valid");
        assertThat(list.get(0).path("serial").asText()).isNotEmpty();
        assertThat(server.send(java.net.http.HttpRequest.newBuilder(server.https("/api/v1/acme/orders")).GET().build())
                .statusCode()).isEqualTo(401);
        assertThat(server.send(server.as(server.adminToken, server.https("/api/v1/acme/orders?limit=0")).GET().build())
                .statusCode()).isEqualTo(400);
        String metrics = server.send(java.net.http.HttpRequest.newBuilder(server.management("/metrics")).GET().build()).body();
        assertThat(metrics).as("the documented ACME meter names (docs/METRICS.md)")
                .contains("hallmark_acme_orders_total{", "hallmark_acme_accounts_total", "hallmark_acme_validations_total{",
                        "hallmark_acme_validation_seconds_count{").doesNotContain("hallmark_hallmark_");
    }

    static KeyPair rsaKey() {
        return KeyPairUtils.createKeyPair(2048);
    }
}
