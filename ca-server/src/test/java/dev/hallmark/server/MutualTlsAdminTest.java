package dev.hallmark.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.hallmark.admin.AdminCredentials;
import dev.hallmark.admin.AdminRole;
import dev.hallmark.authority.IssuedCertificate;
import dev.hallmark.authority.RevocationReason;
import dev.hallmark.authority.RevocationRequest;
import dev.hallmark.authority.testing.TestCsr;
import dev.hallmark.server.testing.TestServer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Administrators authenticated by a client certificate over the HTTPS listener: the certificate must chain to
 * Hallmark's CAs (TLS), be registered as a credential (AdminCredentials.registerCertificate), not be revoked as a
 * credential nor as a certificate, and its role must be allowed; a bearer token, when sent, decides instead.
 */
class MutualTlsAdminTest {
    private static TestServer server;
    private static AdminCredentials credentials;

    @BeforeAll
    static void start() {
        server = TestServer.builder().endpoints(TestRoutes.of(
                Route.on(Listener.HTTPS, HttpMethod.GET, "/whoami")
                        .access(Access.roles(AdminRole.AUDITOR, AdminRole.OPERATOR, AdminRole.ADMIN))
                        .handler((ctx, caller) -> ctx.response().end(new JsonObject().put("name", caller.name())
                                .put("role", caller.role().name()).put("method", caller.method()).encode())),
                Route.on(Listener.HTTPS, HttpMethod.GET, "/admin-only").access(Access.roles(AdminRole.ADMIN))
                        .handler((ctx, caller) -> ctx.response().end(caller.name())))).start();
        credentials = new AdminCredentials(server.pki.database, server.pki.ledger);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A tls-client certificate from the issuing CA, with its key. */
    private record ClientCert(KeyPair key, IssuedCertificate issued) {
        byte[] der() {
            return issued.record().der();
        }

        List<byte[]> chain() {
            List<byte[]> chain = new ArrayList<>();
            chain.add(der());
            chain.addAll(issued.chain());
            return chain;
        }
    }

    private static ClientCert issue(String name) {
        KeyPair key = Tls.newKeyPair();
        return new ClientCert(key, server.pki.issue("tls-client", TestCsr.of(name, TestCsr.withKeyPair(key))));
    }

    private static ClientCert registered(String name, AdminRole role) {
        ClientCert c = issue(name + ".admins.example");
        credentials.registerCertificate(name, role, c.der(), "test:fixture", server.pki.clock.instant());
        return c;
    }

    private static HttpClient presenting(KeyPair key, List<byte[]> chain) {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10))
                .sslContext(server.trustingRoot(server.pki.clock.instant(), key == null ? null : Tls.keyManagers(key, chain)))
                .build();
    }

    private static HttpClient presenting(ClientCert c) {
        return presenting(c.key(), c.chain());
    }

    private static HttpResponse<String> get(HttpClient client, String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.https(path)).timeout(Duration.ofSeconds(15));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        try {
            return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void assertUnauthenticated(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
        assertThat(r.headers().firstValue("Content-Type")).hasValue(Problems.MEDIA_TYPE);
        assertThat(r.headers().firstValue("WWW-Authenticate")).isPresent();
    }

    @Test
    void aRegisteredCertificateAuthenticatesWithItsRole() {
        ClientCert alice = registered("alice", AdminRole.AUDITOR);
        HttpResponse<String> r = get(presenting(alice), "/whoami", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonObject who = new JsonObject(r.body());
        assertThat(who.getString("name")).isEqualTo("alice");
        assertThat(who.getString("role")).isEqualTo("AUDITOR");
        assertThat(who.getString("method")).isEqualTo("certificate");
    }

    @Test
    void noCredentialAtAllIs401() {
        assertUnauthenticated(get(presenting(null, null), "/whoami", null));
    }

    @Test
    void anUnregisteredCertificateIs401() {
        assertUnauthenticated(get(presenting(issue("stranger.example")), "/whoami", null));
    }

    @Test
    void aRevokedCredentialIs401() {
        ClientCert bob = issue("bob.admins.example");
        AdminCredentials.Credential c = credentials.registerCertificate("bob", AdminRole.ADMIN, bob.der(), "test:fixture",
                server.pki.clock.instant());
        HttpClient client = presenting(bob);
        assertThat(get(client, "/whoami", null).statusCode()).isEqualTo(200);
        credentials.revoke(c.id(), "test:fixture", server.pki.clock.instant());
        assertUnauthenticated(get(client, "/whoami", null));
    }

    @Test
    void aCertificateRevokedInHallmarkIs401() {
        ClientCert carol = registered("carol", AdminRole.ADMIN);
        HttpClient client = presenting(carol);
        assertThat(get(client, "/whoami", null).statusCode()).isEqualTo(200);
        server.pki.authority.revoke(new RevocationRequest("issuing", carol.issued().record().serial(),
                RevocationReason.KEY_COMPROMISE, "test:operator"));
        assertUnauthenticated(get(client, "/whoami", null));
    }

    @Test
    void aBearerTokenDecidesOverACertificate() {
        HttpClient auditorCert = presenting(registered("dave", AdminRole.AUDITOR));
        HttpResponse<String> asAdmin = get(auditorCert, "/admin-only", server.adminToken);
        assertThat(asAdmin.statusCode()).as(asAdmin.body()).isEqualTo(200);
        assertThat(asAdmin.body()).isEqualTo("test-admin");
        HttpResponse<String> who = get(auditorCert, "/whoami", server.operatorToken);
        assertThat(new JsonObject(who.body()).getString("method")).isEqualTo("token");
        // A bad token is not rescued by a good certificate.
        assertUnauthenticated(get(auditorCert, "/whoami", "hmk_not-a-token"));
    }

    @Test
    void aCertificateWhoseRoleIsNotAllowedIs403() {
        HttpResponse<String> r = get(presenting(registered("erin", AdminRole.AUDITOR)), "/admin-only", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
        assertThat(new JsonObject(r.body()).getString("type")).isEqualTo(Problems.TYPE_PREFIX + "forbidden");
    }

    /** A certificate from outside Hallmark's hierarchy never authenticates: the handshake or the lookup refuses it. */
    @Test
    void aForeignCertificateNeverAuthenticates() throws Exception {
        KeyPair key = Tls.newKeyPair();
        X500Name name = new X500Name("CN=mallory");
        Date from = Date.from(server.pki.clock.instant().minus(Duration.ofHours(1)));
        Date to = Date.from(server.pki.clock.instant().plus(Duration.ofDays(30)));
        byte[] der = new JcaX509v3CertificateBuilder(name, BigInteger.TEN, from, to, name, key.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())).getEncoded();
        credentials.registerCertificate("mallory", AdminRole.ADMIN, der, "test:fixture", server.pki.clock.instant());
        HttpClient client = presenting(key, List.of(der));
        Throwable t = catchThrowable(() -> {
            HttpResponse<String> r = get(client, "/whoami", null);
            assertUnauthenticated(r);
        });
        if (t != null) {
            assertThat(t).as("only a refused handshake may fail the request").isInstanceOf(UncheckedIOException.class);
        }
    }
}
