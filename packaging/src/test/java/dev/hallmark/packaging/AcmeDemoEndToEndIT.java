package dev.hallmark.packaging;

import static dev.hallmark.packaging.Processes.openssl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.hallmark.packaging.Curl.Http;
import dev.hallmark.protocol.acme.Certbot;
import dev.hallmark.protocol.acme.testing.Http01Server;
import dev.hallmark.protocol.acme.testing.TestDnsServer;
import dev.hallmark.protocol.acme.testing.TrustingAcmeProvider;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.shredzone.acme4j.AcmeJsonResource;
import org.shredzone.acme4j.Account;
import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Certificate;
import org.shredzone.acme4j.RenewalInfo;
import org.shredzone.acme4j.RevocationReason;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Http01Challenge;

/**
 * The ACME issue's "done when": {@code hallmark demo} started from the shaded jar as a user would, its validator
 * pointed at loopback only through SPEC's environment variables ({@code HALLMARK_ACME_VALIDATION_HTTP01_PORT},
 * {@code HALLMARK_ACME_VALIDATION_DNS_RESOLVER}), and two unmodified clients obtaining, renewing and revoking
 * certificates from it: the Debian certbot ({@code certonly --standalone} for two names, {@code renew
 * --force-renewal}, {@code revoke --reason keycompromise}) and acme4j (new account, http-01, finalize, download, an
 * ARI {@code replaces} renewal, revocation by the account). Every certificate is checked with {@code openssl verify}
 * against the root the demo serves and through the demo's admin API, every revocation also with {@code openssl ocsp}
 * against the demo's responder; the demo then stops on SIGTERM and the ledger it wrote verifies. The test names exist
 * only in the in-test DNS server and the http-01 answers only on the configured port (not 80), so a validation that
 * succeeds proves both settings took. The certbot tests are skipped when certbot is not on PATH. The tests run in order over one demo; the last one
 * stops it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AcmeDemoEndToEndIT {
    private static final Duration READY_WITHIN = Duration.ofMinutes(3);
    /** server.shutdownGrace (20 s) plus closing the database and token. */
    private static final Duration STOPPED_WITHIN = Duration.ofSeconds(30);
    /** How long acme4j waits for a validation or a finalize (polling every 100 ms; acme4j's own waits sleep 3 s). */
    private static final Duration ACME_WITHIN = Duration.ofSeconds(20);
    private static final String CERTBOT_A = "a.certbot.demo.test";
    private static final String CERTBOT_B = "b.certbot.demo.test";
    private static final String ACME4J = "acme4j.demo.test";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;
    static Path data;
    static TestDnsServer dns;
    static int httpsPort;
    static int httpPort;
    static int managementPort;
    /** The demo's {@code acme.validation.http01Port}: certbot's standalone server, then acme4j's responder, bind it. */
    static int http01Port;
    static Processes.Running server;
    static Path rootPem;
    /** Root and issuing CA certificates: the anchors OpenSSL checks OCSP responses against. */
    static Path anchorsPem;
    static Path issuingPem;
    static Certbot certbot;
    /** The certbot lineage's certificate before the forced renewal. */
    static X509Certificate certbotFirst;
    static Http01Responder http01;
    static Account account;
    static Certificate acme4jFirst;
    static Certificate acme4jRenewed;

    @BeforeAll
    static void startDemoWithLoopbackValidation() throws Exception {
        dns = TestDnsServer.start();
        for (String name : List.of(CERTBOT_A, CERTBOT_B, ACME4J)) {
            dns.addA(name + ".", "127.0.0.1");
        }
        data = tmp.resolve("data");
        int[] ports = Processes.freePorts(4);
        httpsPort = ports[0];
        httpPort = ports[1];
        managementPort = ports[2];
        http01Port = ports[3];
        server = Processes.start(Map.of("HALLMARK_ACME_VALIDATION_HTTP01_PORT", Integer.toString(http01Port),
                        "HALLMARK_ACME_VALIDATION_DNS_RESOLVER", "127.0.0.1:" + dns.address().getPort()),
                "demo", "--data", data.toString(), "--https-port", Integer.toString(httpsPort),
                "--http-port", Integer.toString(httpPort), "--management-port", Integer.toString(managementPort));
        awaitReady();
    }

    @AfterAll
    static void stopEverything() throws Exception {
        if (http01 != null) {
            http01.close();
        }
        if (server != null) {
            server.cleanUp();
        }
        if (dns != null) {
            dns.close();
        }
    }

    @Test
    @Order(1)
    void theDemoServesTheRootItPrintsAndAnAcmeDirectory() throws IOException {
        Http pem = curl("http://127.0.0.1:" + httpPort + "/ca/root.pem");
        assertThat(pem.status()).as(pem.toString()).isEqualTo(200);
        rootPem = Files.copy(pem.body(), tmp.resolve("root.pem"));
        String fingerprint = openssl("x509", "-in", rootPem.toString(), "-noout", "-fingerprint", "-sha256").out();
        String hex = fingerprint.substring(fingerprint.indexOf('=') + 1).strip().replace(":", "").toLowerCase(Locale.ROOT);
        assertThat(server.stdout().replace(":", "").toLowerCase(Locale.ROOT)).as("the root's SHA-256 fingerprint")
                .contains(hex);

        Http issuing = curl("http://127.0.0.1:" + httpPort + "/ca/issuing.crt");
        assertThat(issuing.status()).as(issuing.toString()).isEqualTo(200);
        issuingPem = tmp.resolve("issuing.pem");
        openssl("x509", "-inform", "DER", "-in", issuing.body().toString(), "-out", issuingPem.toString());
        anchorsPem = Files.writeString(tmp.resolve("root_and_issuing.pem"),
                Files.readString(rootPem) + Files.readString(issuingPem));

        Http directory = curl(directoryUrl());
        assertThat(directory.status()).as(directory.toString()).isEqualTo(200);
        JsonNode json = JSON.readTree(directory.body().toFile());
        for (String resource : List.of("newNonce", "newAccount", "newOrder", "revokeCert", "keyChange", "renewalInfo")) {
            assertThat(json.path(resource).asText()).as(resource).startsWith("https://127.0.0.1:" + httpsPort + "/acme/");
        }
    }

    @Test
    @Order(2)
    void certbotCertonlyStandaloneGetsOneCertificateForTwoNames() throws Exception {
        Certbot.Run run = certbot().certbot("certonly", "--key-type", "ecdsa", "--cert-name", CERTBOT_A,
                "-d", CERTBOT_A, "-d", CERTBOT_B);
        assertThat(run.ok()).as(() -> run.report() + "\n" + server.output()).isTrue();
        certbotFirst = certbotLeaf();
        assertThat(dnsNames(certbotFirst)).containsExactlyInAnyOrder(CERTBOT_A, CERTBOT_B);
        assertCertbotChainVerifies();
        assertThat(stored(certbotFirst).path("status").asText()).isEqualTo("valid");
        assertThat(dns.queries()).as("the validator asked the resolver the environment named")
                .contains("A " + CERTBOT_A + ".", "A " + CERTBOT_B + ".");
    }

    @Test
    @Order(3)
    void certbotForcedRenewalGetsANewSerial() throws Exception {
        assumeTrue(certbotFirst != null, "certonly did not succeed");
        Certbot.Run run = certbot().certbot("renew", "--force-renewal", "--cert-name", CERTBOT_A,
                "--no-random-sleep-on-renew"); // without a terminal certbot would first sleep up to 8 minutes
        assertThat(run.ok()).as(() -> run.report() + "\n" + server.output()).isTrue();
        X509Certificate renewed = certbotLeaf();
        assertThat(renewed.getSerialNumber()).isNotEqualTo(certbotFirst.getSerialNumber());
        assertThat(dnsNames(renewed)).containsExactlyInAnyOrder(CERTBOT_A, CERTBOT_B);
        assertCertbotChainVerifies();
        assertThat(stored(renewed).path("status").asText()).isEqualTo("valid");
        assertThat(stored(certbotFirst).path("status").asText()).as("renewal does not revoke").isEqualTo("valid");
    }

    @Test
    @Order(4)
    void certbotRevokeWithKeyCompromiseIsWhatTheDemoAnswers() throws Exception {
        assumeTrue(certbotFirst != null, "certonly did not succeed");
        X509Certificate current = certbotLeaf();
        Certbot.Run run = certbot().certbot("revoke", "--cert-path", certbot.live(CERTBOT_A, "cert.pem").toString(),
                "--reason", "keycompromise", "--no-delete-after-revoke");
        assertThat(run.ok()).as(() -> run.report() + "\n" + server.output()).isTrue();
        assertRevoked(current, certbot.live(CERTBOT_A, "cert.pem"), "keyCompromise");
    }

    @Test
    @Order(5)
    void acme4jOrdersOverHttp01FinalizesAndDownloadsAChainThatVerifies() throws Exception {
        http01 = new Http01Responder(http01Port); // certbot's standalone server has exited: the port is free again
        Session session = new Session(URI.create(directoryUrl()), new TrustingAcmeProvider(trusting(rootPem)));
        account = new AccountBuilder().agreeToTermsOfService().addEmail("ops@example.test").useKeyPair(ecKey())
                .create(session);
        assertThat(account.getStatus()).isEqualTo(Status.VALID);

        org.shredzone.acme4j.Order order = account.newOrder().domain(ACME4J).create();
        for (Authorization auth : order.getAuthorizations()) {
            Http01Challenge challenge = auth.findChallenge(Http01Challenge.class).orElseThrow();
            http01.put(challenge.getToken(), challenge.getAuthorization());
            challenge.trigger();
            assertThat(await(auth, auth::getStatus)).as(() -> auth.getJSON() + "\n" + server.output())
                    .isEqualTo(Status.VALID);
        }
        assertThat(http01.served()).as("the validator fetched the token from the responder on the port it was given")
                .isPositive();
        acme4jFirst = finalizeOrder(order);
        assertThat(dnsNames(acme4jFirst.getCertificate())).containsExactly(ACME4J);
        assertChainVerifies(acme4jFirst, "acme4j-first.pem");
    }

    @Test
    @Order(6)
    void acme4jRenewsWithAriReplacesReusingTheAuthorization() throws Exception {
        assumeTrue(acme4jFirst != null, "the first acme4j order did not succeed");
        RenewalInfo info = acme4jFirst.getRenewalInfo();
        info.fetch();
        X509Certificate leaf = acme4jFirst.getCertificate();
        assertThat(info.getSuggestedWindowStart()).isAfter(leaf.getNotBefore().toInstant())
                .isBefore(info.getSuggestedWindowEnd());
        assertThat(info.getSuggestedWindowEnd()).isBefore(leaf.getNotAfter().toInstant());

        org.shredzone.acme4j.Order renewal = account.newOrder().domain(ACME4J).replaces(acme4jFirst).create();
        String certId = lastSegment(acme4jFirst.getRenewalInfoLocation().orElseThrow());
        assertThat(renewal.getJSON().get("replaces").asString()).isEqualTo(certId);
        assertThat(await(renewal, renewal::getStatus)).as("the valid authorization is reused").isEqualTo(Status.READY);
        acme4jRenewed = finalizeOrder(renewal);
        assertThat(acme4jRenewed.getCertificate().getSerialNumber()).isNotEqualTo(leaf.getSerialNumber());
        assertThat(dnsNames(acme4jRenewed.getCertificate())).containsExactly(ACME4J);
        assertChainVerifies(acme4jRenewed, "acme4j-renewed.pem");
    }

    @Test
    @Order(7)
    void acme4jRevokesTheReplacedCertificateByAccount() throws Exception {
        assumeTrue(acme4jRenewed != null, "the acme4j renewal did not succeed");
        Instant before = Instant.now();
        acme4jFirst.revoke(RevocationReason.SUPERSEDED);
        assertRevoked(acme4jFirst.getCertificate(), tmp.resolve("acme4j-first.pem"), "superseded");
        assertThat(stored(acme4jRenewed.getCertificate()).path("status").asText()).isEqualTo("valid");
        RenewalInfo info = acme4jFirst.getRenewalInfo();
        info.fetch();
        assertThat(info.getSuggestedWindowStart()).as("a revoked certificate is renewed at once")
                .isBeforeOrEqualTo(Instant.now().plusSeconds(1)).isAfter(before.minusSeconds(60));
    }

    @Test
    @Order(8)
    void sigtermExitsZeroAndTheLedgerVerifies() throws Exception {
        if (http01 != null) {
            http01.close();
        }
        OptionalInt exit = server.terminate(STOPPED_WITHIN);
        assertThat(exit).as("exited within " + STOPPED_WITHIN + "\n" + server.output()).isPresent();
        assertThat(exit.getAsInt()).as(server.output()).isZero();
        assertThat(curl("http://127.0.0.1:" + managementPort + "/healthz").status()).as("listeners closed").isZero();
        Processes.Result verify = Processes.hallmark(Map.of(), "ledger", "verify", "--data", data.toString());
        assertThat(verify.exit()).as("the ledger the demo wrote for both clients verifies\n" + verify).isZero();
    }

    /** The shared certbot runner (one account, one lineage); the certbot tests are skipped without the binary. */
    private static Certbot certbot() throws IOException {
        assumeTrue(Processes.onPath("certbot"), "certbot is not on PATH (./run-tests installs the Debian package)");
        if (certbot == null) {
            certbot = new Certbot(Files.createDirectories(tmp.resolve("certbot")), URI.create(directoryUrl()),
                    Files.readString(rootPem), http01Port);
        }
        return certbot;
    }

    private static X509Certificate certbotLeaf() throws Exception {
        try (InputStream in = Files.newInputStream(certbot.live(CERTBOT_A, "cert.pem"))) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private static void assertCertbotChainVerifies() {
        Processes.Result verify = openssl("verify", "-CAfile", rootPem.toString(), "-untrusted",
                certbot.live(CERTBOT_A, "chain.pem").toString(), certbot.live(CERTBOT_A, "cert.pem").toString());
        assertThat(verify.out()).as(verify.toString()).contains(": OK");
    }

    /** Writes the downloaded chain (leaf first, as the ACME server sent it) and has OpenSSL verify its leaf. */
    private static void assertChainVerifies(Certificate cert, String file) throws IOException {
        StringWriter pem = new StringWriter();
        cert.writeCertificate(pem);
        Path chain = Files.writeString(tmp.resolve(file), pem.toString());
        assertThat(cert.getCertificateChain()).as("leaf and issuing CA").hasSizeGreaterThanOrEqualTo(2);
        Processes.Result verify = openssl("verify", "-CAfile", rootPem.toString(), "-untrusted", chain.toString(),
                chain.toString());
        assertThat(verify.out()).as(verify.toString()).contains(": OK");
    }

    /** Finalizes a ready order with a CSR for a fresh P-256 key and downloads the certificate. */
    private static Certificate finalizeOrder(org.shredzone.acme4j.Order order) throws Exception {
        assertThat(await(order, order::getStatus)).as(() -> order.getJSON().toString()).isEqualTo(Status.READY);
        order.execute(ecKey());
        assertThat(await(order, order::getStatus)).as(() -> order.getJSON() + "\n" + server.output())
                .isEqualTo(Status.VALID);
        Certificate cert = order.getCertificate();
        cert.download();
        return cert;
    }

    /** {@code GET /api/v1/certificates/SERIAL} with the demo's admin token: what the demo stored for the certificate. */
    private static JsonNode stored(X509Certificate cert) throws IOException {
        String token = Files.readString(data.resolve("admin.token")).strip();
        Http r = curl("https://127.0.0.1:" + httpsPort + "/api/v1/certificates/" + cert.getSerialNumber().toString(16),
                "-H", "Authorization: Bearer " + token);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode json = JSON.readTree(r.body().toFile());
        assertThat(new BigInteger(json.path("serial").asText(), 16)).isEqualTo(cert.getSerialNumber());
        return json;
    }

    /**
     * The admin API and the demo's OCSP responder ({@code openssl ocsp}, signature checked against the root) both say
     * revoked with {@code reason} (RFC 5280 name); {@code leafPem}'s first certificate is {@code cert}.
     */
    private static void assertRevoked(X509Certificate cert, Path leafPem, String reason) throws IOException {
        JsonNode json = stored(cert);
        assertThat(json.path("status").asText()).as(json.toString()).isEqualTo("revoked");
        assertThat(json.path("revocationReason").asText()).as(json.toString()).isEqualTo(reason);
        Processes.Result ocsp = Processes.run("openssl", "ocsp", "-issuer", issuingPem.toString(), "-cert",
                leafPem.toString(), "-url", "http://127.0.0.1:" + httpPort + "/ocsp", "-CAfile", anchorsPem.toString());
        assertThat(ocsp.exit()).as(ocsp.toString()).isZero();
        assertThat(ocsp.err()).as(ocsp.toString()).contains("Response verify OK");
        assertThat(ocsp.out()).as(ocsp.toString()).contains(leafPem + ": revoked")
                .containsIgnoringCase("Reason: " + reason);
    }

    /** Re-reads {@code resource} every 100 ms while it is pending or processing, for at most {@link #ACME_WITHIN}. */
    private static Status await(AcmeJsonResource resource, Supplier<Status> status) throws Exception {
        Instant deadline = Instant.now().plus(ACME_WITHIN);
        resource.fetch();
        while ((status.get() == Status.PENDING || status.get() == Status.PROCESSING) && Instant.now().isBefore(deadline)) {
            Thread.sleep(100);
            resource.fetch();
        }
        return status.get();
    }

    private static List<String> dnsNames(X509Certificate cert) throws Exception {
        return cert.getSubjectAlternativeNames().stream().filter(l -> (Integer) l.get(0) == 2)
                .map(l -> (String) l.get(1)).toList();
    }

    private static String lastSegment(URL url) {
        String path = url.getPath();
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static KeyPair ecKey() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static String directoryUrl() {
        return "https://127.0.0.1:" + httpsPort + "/acme/directory";
    }

    /** An SSL context trusting exactly the demo's root (acme4j then needs no process-wide trust store). */
    private static SSLContext trusting(Path pem) throws IOException, GeneralSecurityException {
        KeyStore anchors = KeyStore.getInstance("PKCS12");
        anchors.load(null, null);
        anchors.setCertificateEntry("root", CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(pem))));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(anchors);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return ssl;
    }

    /**
     * acme4j's http-01 answers on {@code 127.0.0.1:PORT}, the demo's fixed {@code acme.validation.http01Port}.
     * Protocols' {@link Http01Server} binds a port the OS picks, which the demo, started first, cannot be told.
     */
    private static final class Http01Responder implements AutoCloseable {
        private final HttpServer server;
        private final Map<String, String> answers = new ConcurrentHashMap<>();
        private final AtomicInteger served = new AtomicInteger();

        Http01Responder(int port) throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
            server.createContext(Http01Server.PREFIX, this::handle);
            server.start();
        }

        void put(String token, String keyAuthorization) {
            answers.put(Http01Server.PREFIX + token, keyAuthorization);
        }

        int served() {
            return served.get();
        }

        private void handle(HttpExchange exchange) throws IOException {
            try (exchange) {
                String answer = answers.get(exchange.getRequestURI().getRawPath());
                byte[] body = (answer == null ? "not found" : answer).getBytes(StandardCharsets.US_ASCII);
                exchange.sendResponseHeaders(answer == null ? 404 : 200, body.length);
                exchange.getResponseBody().write(body);
                if (answer != null) {
                    served.incrementAndGet();
                }
            }
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    /** Polls /readyz (curl, as a load balancer would) until 200; fails with the demo's output otherwise. */
    private static void awaitReady() throws InterruptedException {
        Instant started = Instant.now();
        Instant deadline = started.plus(READY_WITHIN);
        while (Instant.now().isBefore(deadline)) {
            if (!server.process().isAlive()) {
                fail("hallmark demo exited before it was ready\n" + server.output());
            }
            if (curl("http://127.0.0.1:" + managementPort + "/readyz").status() == 200) {
                System.out.printf("AcmeDemoEndToEndIT: the demo was ready after %d ms%n",
                        Duration.between(started, Instant.now()).toMillis());
                return;
            }
            Thread.sleep(250);
        }
        fail("/readyz not 200 within " + READY_WITHIN + "\n" + server.output());
    }

    private static Http curl(String url, String... args) {
        return Curl.run(tmp, rootPem, url, args);
    }
}
