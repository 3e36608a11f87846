package dev.hallmark.packaging;

import static dev.hallmark.packaging.Processes.openssl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hallmark.packaging.Curl.Http;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The revocation service across two nodes, as an operator scales it out: one data directory initialised against an
 * embedded PostgreSQL, a CA node ({@code serve --role all}) and a responder-only node ({@code serve --role ocsp}) over
 * it, both started from the shaded jar and driven only with curl, OpenSSL and the CLI. A certificate issued through
 * the CA node points at the responder node (AIA, CDP); both nodes answer "good" with the client's nonce; a revocation
 * made through the CA node reaches the responder node through the database change feed (POST and GET requests);
 * a CRL built by the CLI while both run is served by the responder node and revokes the certificate for OpenSSL;
 * both nodes stop on SIGTERM, and the audit ledger all three processes wrote verifies. The tests run in order over the
 * same two servers; the last one stops them.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RevocationEndToEndIT {
    private static final Duration READY_WITHIN = Duration.ofMinutes(3);
    /** server.shutdownGrace (20 s) plus closing the database and token. */
    private static final Duration STOPPED_WITHIN = Duration.ofSeconds(30);
    /** ocsp.pollInterval given to both nodes: a revocation should reach the other node in about this long. */
    private static final String POLL_INTERVAL = "500ms";
    /** The scenario's bound for the change feed; generous next to the poll interval, so it is no timing test. */
    private static final Duration FEED_WITHIN = Duration.ofSeconds(10);
    /** CRLs are re-read from the database at most every 2 s per node (CrlHandler.RECHECK). */
    private static final Duration CRL_WITHIN = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;
    static Path data;
    static EmbeddedPostgres postgres;
    static Node caNode;
    static Node ocspNode;
    static Path rootPem;
    static Path issuingPem;
    /** Root and issuing CA certificates: the trust anchors OpenSSL checks responses and CRLs against. */
    static Path chainPem;
    static Path leafPem;
    static String serial;

    /** A running {@code hallmark serve} and its ports. */
    record Node(String role, Processes.Running server, int httpsPort, int httpPort, int managementPort) {
        String http(String path) {
            return "http://127.0.0.1:" + httpPort + path;
        }

        String management(String path) {
            return "http://127.0.0.1:" + managementPort + path;
        }
    }

    @BeforeAll
    static void startTwoNodesOnOnePostgres() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE hallmark");
        }
        data = tmp.resolve("data");
        int[] ports = Processes.freePorts(6);
        int responderHttpPort = ports[4];
        Processes.Result init = Processes.hallmark(Map.of(), "init", "--data", data.toString(),
                "--database-url", postgres.getJdbcUrl("postgres", "hallmark"), "--database-user", "postgres",
                "--public-url", "http://127.0.0.1:" + responderHttpPort);
        assertThat(init.exit()).as(init.toString()).isZero();
        caNode = start("all", ports[0], ports[1], ports[2]);
        ocspNode = start("ocsp", ports[3], responderHttpPort, ports[5]);
        awaitReady(caNode);
        awaitReady(ocspNode);
    }

    @AfterAll
    static void stopEverything() throws Exception {
        for (Node node : new Node[] {caNode, ocspNode}) {
            if (node != null) {
                node.server().cleanUp();
            }
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    @Order(1)
    void theResponderNodeServesCaCertificatesOverHttpOnly() throws IOException {
        rootPem = caCertificate("root");
        issuingPem = caCertificate("issuing");
        chainPem = Files.writeString(tmp.resolve("root_and_issuing.pem"), Files.readString(rootPem) + Files.readString(issuingPem));
        assertThat(openssl("verify", "-x509_strict", "-CAfile", rootPem.toString(), issuingPem.toString()).out()).contains("OK");
        assertThat(ocspNode.server().stdout()).as(ocspNode.server().output()).contains("role ocsp")
                .doesNotContain("https://");
        assertThat(curl("https://127.0.0.1:" + ocspNode.httpsPort() + "/api/v1/certificates", "-k").status())
                .as("a responder-only node has no HTTPS listener").isZero();
    }

    @Test
    @Order(2)
    void certificatesIssuedThroughTheCaNodePointAtTheResponderNode() throws IOException {
        Path key = tmp.resolve("leaf.key");
        Path csr = tmp.resolve("leaf.csr");
        openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key.toString(),
                "-out", csr.toString(), "-subj", "/CN=revoked.example.com", "-addext", "subjectAltName=DNS:revoked.example.com");
        Http created = curl(api("/certificates"), "-H", bearer(), "-H", "Content-Type: application/json",
                "--data-binary", "@" + json(Map.of("csr", Files.readString(csr), "profile", "tls-server")));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        JsonNode issued = created.json();
        serial = issued.path("serial").asText();
        assertThat(serial).matches("[0-9A-Fa-f]+");
        leafPem = Files.writeString(tmp.resolve("leaf.pem"), issued.path("certificate").asText());
        assertThat(openssl("verify", "-x509_strict", "-CAfile", chainPem.toString(), leafPem.toString()).out()).contains("OK");

        String ocspBase = "http://127.0.0.1:" + ocspNode.httpPort();
        String text = openssl("x509", "-in", leafPem.toString(), "-noout", "-text").out();
        assertThat(text).as(text).contains("OCSP - URI:" + ocspBase + "/ocsp")
                .contains("CA Issuers - URI:" + ocspBase + "/ca/issuing.crt")
                .contains("X509v3 CRL Distribution Points").contains("URI:" + ocspBase + "/crl/issuing.crl");
    }

    @Test
    @Order(3)
    void bothNodesAnswerGoodAndEchoTheNonce() {
        for (Node node : List.of(ocspNode, caNode)) {
            Processes.Result r = ocsp(node);
            assertThat(r.out()).as(node.role() + " node\n" + r + "\n" + node.server().output()).contains(leafPem + ": good");
            assertVerifiedWithNonce(node, r);
        }
    }

    @Test
    @Order(4)
    void aRevocationThroughTheCaNodeReachesTheResponderNodeThroughTheFeed() throws Exception {
        Http revoked = curl(api("/certificates/" + serial + "/revoke"), "-H", bearer(), "-H",
                "Content-Type: application/json", "--data-binary", "@" + json(Map.of("reason", "keyCompromise")));
        assertThat(revoked.status()).as(revoked.toString()).isBetween(200, 204);
        Instant revokedAt = Instant.now();

        Processes.Result onCaNode = ocsp(caNode);
        assertThat(onCaNode.out()).as("revocations made through a node are visible on it at once\n" + onCaNode)
                .contains(leafPem + ": revoked");

        Processes.Result r = ocsp(ocspNode);
        while (!r.out().contains(": revoked") && Instant.now().isBefore(revokedAt.plus(FEED_WITHIN))) {
            Thread.sleep(100);
            r = ocsp(ocspNode);
        }
        System.out.printf("RevocationEndToEndIT: the responder node answered 'revoked' %d ms after the revocation%n",
                Duration.between(revokedAt, Instant.now()).toMillis());
        assertThat(r.out()).as("within " + FEED_WITHIN + " (ocsp.pollInterval " + POLL_INTERVAL + ")\n" + r + "\n"
                + ocspNode.server().output()).contains(leafPem + ": revoked").contains("Reason: keyCompromise");
        assertVerifiedWithNonce(ocspNode, r);
    }

    @Test
    @Order(5)
    void theResponderNodeAnswersGetRequestsToo() throws IOException {
        Path request = tmp.resolve("req.der");
        openssl("ocsp", "-issuer", issuingPem.toString(), "-cert", leafPem.toString(), "-no_nonce", "-reqout", request.toString());
        // RFC 6960 A.1: the URL encoding of the base64 encoding of the DER request.
        String encoded = URLEncoder.encode(Base64.getEncoder().encodeToString(Files.readAllBytes(request)), StandardCharsets.US_ASCII);
        Http get = curl(ocspNode.http("/ocsp/" + encoded));
        assertThat(get.status()).as(get + "\n" + ocspNode.server().output()).isEqualTo(200);
        assertThat(get.mediaType()).isEqualTo("application/ocsp-response");
        Processes.Result r = Processes.run("openssl", "ocsp", "-respin", get.body().toString(), "-issuer", issuingPem.toString(),
                "-cert", leafPem.toString(), "-CAfile", chainPem.toString(), "-resp_text");
        assertThat(r.out()).as(r.toString()).contains(leafPem + ": revoked").contains("Reason: keyCompromise")
                .contains("Cert Status: revoked");
        assertThat(r.err()).as(r.toString()).contains("Response verify OK");
    }

    @Test
    @Order(6)
    void aCrlBuiltByTheCliIsServedByTheResponderNodeAndRevokesTheCertificate() throws Exception {
        Processes.Result build = Processes.hallmark(Map.of(), "crl", "build", "--data", data.toString(), "--json");
        assertThat(build.exit()).as(build + "\n" + caNode.server().output()).isZero();
        long built = 0;
        for (JsonNode crl : JSON.readTree(build.out())) {
            if (crl.path("file").asText().equals("issuing.crl")) {
                built = crl.path("crlNumber").asLong();
            }
        }
        assertThat(built).as(build.toString()).isPositive();

        Path der = tmp.resolve("issuing.crl");
        Instant deadline = Instant.now().plus(CRL_WITHIN);
        Http fetched = curl(ocspNode.http("/crl/issuing.crl"));
        while (fetched.status() == 200 && crlNumber(fetched.body()).compareTo(BigInteger.valueOf(built)) < 0
                && Instant.now().isBefore(deadline)) {
            Thread.sleep(250);
            fetched = curl(ocspNode.http("/crl/issuing.crl"));
        }
        assertThat(fetched.status()).as(fetched + "\n" + ocspNode.server().output()).isEqualTo(200);
        assertThat(fetched.mediaType()).isEqualTo("application/pkix-crl");
        Files.copy(fetched.body(), der);
        assertThat(crlNumber(der)).as("the CRL the CLI built, within " + CRL_WITHIN).isEqualTo(BigInteger.valueOf(built));

        Processes.Result text = Processes.run("openssl", "crl", "-inform", "DER", "-in", der.toString(), "-CAfile",
                chainPem.toString(), "-noout", "-text");
        assertThat(text.exit()).as(text.toString()).isZero();
        assertThat(text.err()).as(text.toString()).contains("verify OK");
        assertThat(revokedSerials(text.out())).as(text.out()).containsKey(new BigInteger(serial, 16));
        assertThat(revokedSerials(text.out()).get(new BigInteger(serial, 16))).contains("Key Compromise");

        Path crlPem = tmp.resolve("issuing-crl.pem");
        openssl("crl", "-inform", "DER", "-in", der.toString(), "-out", crlPem.toString());
        Processes.Result verify = Processes.run("openssl", "verify", "-crl_check", "-CRLfile", crlPem.toString(),
                "-CAfile", chainPem.toString(), leafPem.toString());
        assertThat(verify.exit()).as(verify.toString()).isNotZero();
        assertThat(verify.out() + verify.err()).as(verify.toString()).contains("certificate revoked");
    }

    @Test
    @Order(7)
    void theCliShowsThePublishedCrlAndTheRevokedStatus() throws IOException {
        Processes.Result show = Processes.hallmark(Map.of(), "crl", "show", "--data", data.toString(), "--json");
        assertThat(show.exit()).as(show.toString()).isZero();
        List<JsonNode> issuing = new ArrayList<>();
        JSON.readTree(show.out()).forEach(c -> {
            if (c.path("file").asText().equals("issuing.crl")) {
                issuing.add(c);
            }
        });
        assertThat(issuing).as(show.out()).hasSize(1);
        assertThat(issuing.get(0).path("ca").asText()).isEqualTo("issuing");
        assertThat(issuing.get(0).path("kind").asText()).isEqualTo("complete");
        assertThat(issuing.get(0).path("entries").asLong()).isGreaterThanOrEqualTo(1);

        Processes.Result status = Processes.hallmark(Map.of(), "ocsp", "status", serial, "--data", data.toString(), "--json");
        assertThat(status.exit()).as(status.toString()).isZero();
        JsonNode s = JSON.readTree(status.out());
        assertThat(s.path("status").asText()).as(status.out()).isEqualTo("revoked");
        assertThat(s.path("reason").asText()).as(status.out()).isEqualTo("keyCompromise");
        assertThat(s.path("ca").asText()).isEqualTo("issuing");
        assertThat(new BigInteger(s.path("serial").asText(), 16)).isEqualTo(new BigInteger(serial, 16));
    }

    @Test
    @Order(8)
    void bothNodesStopOnSigtermAndTheSharedLedgerVerifies() throws Exception {
        for (Node node : List.of(ocspNode, caNode)) {
            OptionalInt exit = node.server().terminate(STOPPED_WITHIN);
            assertThat(exit).as(node.role() + " node exited within " + STOPPED_WITHIN + "\n" + node.server().output()).isPresent();
            assertThat(exit.getAsInt()).as(node.server().output()).isZero();
            assertThat(curl(node.management("/healthz")).status()).as("listeners closed").isZero();
        }
        Processes.Result verify = Processes.hallmark(Map.of(), "ledger", "verify", "--data", data.toString());
        assertThat(verify.exit()).as("the ledger both nodes and the CLI wrote verifies\n" + verify).isZero();
    }

    private static Node start(String role, int httpsPort, int httpPort, int managementPort) {
        return new Node(role, Processes.start(Map.of(), "serve", "--data", data.toString(), "--role", role,
                "--https-port", Integer.toString(httpsPort), "--http-port", Integer.toString(httpPort),
                "--management-port", Integer.toString(managementPort), "--ocsp-poll-interval", POLL_INTERVAL),
                httpsPort, httpPort, managementPort);
    }

    /** Polls /readyz (curl, as a load balancer would) until 200; fails with the node's output otherwise. */
    private static void awaitReady(Node node) throws InterruptedException {
        Instant started = Instant.now();
        Instant deadline = started.plus(READY_WITHIN);
        while (Instant.now().isBefore(deadline)) {
            if (!node.server().process().isAlive()) {
                fail("serve --role " + node.role() + " exited before it was ready\n" + node.server().output());
            }
            if (curl(node.management("/readyz")).status() == 200) {
                System.out.printf("RevocationEndToEndIT: the %s node was ready after %d ms%n", node.role(),
                        Duration.between(started, Instant.now()).toMillis());
                return;
            }
            Thread.sleep(250);
        }
        fail("/readyz of the " + node.role() + " node not 200 within " + READY_WITHIN + "\n" + node.server().output());
    }

    /** A CA certificate from the responder node's /ca/ distribution point, as PEM. */
    private static Path caCertificate(String name) {
        Http der = curl(ocspNode.http("/ca/" + name + ".crt"));
        assertThat(der.status()).as(der + "\n" + ocspNode.server().output()).isEqualTo(200);
        Path pem = tmp.resolve(name + ".pem");
        openssl("x509", "-inform", "DER", "-in", der.body().toString(), "-out", pem.toString());
        return pem;
    }

    /** {@code openssl ocsp} with its default nonce, POSTing to a node. */
    private static Processes.Result ocsp(Node node) {
        return Processes.run("openssl", "ocsp", "-issuer", issuingPem.toString(), "-cert", leafPem.toString(),
                "-url", node.http("/ocsp"), "-CAfile", chainPem.toString());
    }

    private static void assertVerifiedWithNonce(Node node, Processes.Result r) {
        assertThat(r.exit()).as(node.role() + " node\n" + r).isZero();
        assertThat(r.err()).as(node.role() + " node\n" + r).contains("Response verify OK")
                .doesNotContainIgnoringCase("nonce");
    }

    private static BigInteger crlNumber(Path der) {
        String text = openssl("crl", "-inform", "DER", "-in", der.toString(), "-noout", "-crlnumber").out();
        return new BigInteger(text.strip().replaceFirst("^crlNumber=(0x)?", ""), 16);
    }

    /** Each revoked serial of {@code openssl crl -text} output, with the lines that describe its entry. */
    private static Map<BigInteger, String> revokedSerials(String crlText) {
        Map<BigInteger, String> out = new java.util.LinkedHashMap<>();
        Matcher m = Pattern.compile("Serial Number: ([0-9A-Fa-f]+)\\n((?:\\s{8,}.*\\n)*)").matcher(crlText);
        while (m.find()) {
            out.put(new BigInteger(m.group(1), 16), m.group(2));
        }
        return out;
    }

    private static Http curl(String url, String... args) {
        return Curl.run(tmp, rootPem, url, args);
    }

    private static String api(String path) {
        return "https://127.0.0.1:" + caNode.httpsPort() + "/api/v1" + path;
    }

    private static String bearer() throws IOException {
        return "Authorization: Bearer " + Files.readString(data.resolve("admin.token")).strip();
    }

    private static Path json(Map<String, String> fields) throws IOException {
        return Files.write(Files.createTempFile(tmp, "request", ".json"), JSON.writeValueAsBytes(fields));
    }
}
