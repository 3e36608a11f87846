package dev.hallmark.packaging;

import static dev.hallmark.packaging.Processes.openssl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hallmark.packaging.Curl.Http;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
 * {@code hallmark demo} started from the shaded jar exactly as a user would, on free ports, and driven only with
 * curl and OpenSSL: the distribution points, the HTTPS listener's certificate and protocol versions, the admin API
 * (issue, fetch, revoke, and its problem documents), metrics, and a graceful stop on SIGTERM. One server serves every
 * test; the last one stops it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServerEndToEndIT {
    private static final Duration READY_WITHIN = Duration.ofMinutes(3);
    /** server.shutdownGrace (20 s) plus closing the database and token. */
    private static final Duration STOPPED_WITHIN = Duration.ofSeconds(30);
    private static final Pattern PEM = Pattern.compile("-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----\\n?", Pattern.DOTALL);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;
    static Path data;
    static int httpsPort;
    static int httpPort;
    static int managementPort;
    static Processes.Running server;
    private static Path rootPem;

    @BeforeAll
    static void startDemo() throws Exception {
        data = tmp.resolve("data");
        int[] ports = Processes.freePorts(3);
        httpsPort = ports[0];
        httpPort = ports[1];
        managementPort = ports[2];
        server = Processes.start(Map.of(), "demo", "--data", data.toString(), "--https-port", Integer.toString(httpsPort),
                "--http-port", Integer.toString(httpPort), "--management-port", Integer.toString(managementPort),
                "--server-checkpoint-interval", "1s");
        awaitReady();
    }

    /** The root CA certificate as PEM, fetched once from the HTTP distribution point: every trust check starts here. */
    static synchronized Path rootPem() {
        if (rootPem == null) {
            Http der = curl("http://127.0.0.1:" + httpPort + "/ca/root.crt");
            assertThat(der.status()).as(der.toString()).isEqualTo(200);
            Path pem = tmp.resolve("root.pem");
            openssl("x509", "-inform", "DER", "-in", der.body().toString(), "-out", pem.toString());
            rootPem = pem;
        }
        return rootPem;
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.cleanUp();
        }
    }

    @Test
    @Order(1)
    void startupPrintsTheListenersTheRootFingerprintAndThePrivateAdminToken() throws IOException {
        String out = server.stdout();
        assertThat(out).as(server.output()).contains(":" + httpsPort).contains(":" + httpPort).contains(":" + managementPort)
                .contains("https://").contains("http://");
        Path token = data.resolve("admin.token");
        assertThat(out).contains(token.toString());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(token))).isEqualTo("rw-------");
        assertThat(curl("http://127.0.0.1:" + managementPort + "/healthz").status()).isEqualTo(200);
        String fingerprint = openssl("x509", "-in", rootPem().toString(), "-noout", "-fingerprint", "-sha256").out();
        String hex = fingerprint.substring(fingerprint.indexOf('=') + 1).strip().replace(":", "").toLowerCase(Locale.ROOT);
        assertThat(out.replace(":", "").toLowerCase(Locale.ROOT)).as("the root's SHA-256 fingerprint").contains(hex);
    }

    @Test
    @Order(2)
    void distributionPointsServeTheCaCertificates() throws IOException {
        Path root = rootPem();
        Http der = curl("http://127.0.0.1:" + httpPort + "/ca/root.crt");
        assertThat(der.status()).as(der.toString()).isEqualTo(200);
        assertThat(der.mediaType()).isEqualTo("application/pkix-cert");
        Http pem = curl("http://127.0.0.1:" + httpPort + "/ca/root.pem");
        assertThat(pem.status()).as(pem.toString()).isEqualTo(200);
        assertThat(fingerprint(pem.body())).isEqualTo(fingerprint(root));
        openssl("x509", "-in", root.toString(), "-noout", "-checkend", "0");

        Http issuing = curl("http://127.0.0.1:" + httpPort + "/ca/issuing.crt");
        assertThat(issuing.status()).as(issuing.toString()).isEqualTo(200);
        Path issuingPem = tmp.resolve("issuing.pem");
        openssl("x509", "-inform", "DER", "-in", issuing.body().toString(), "-out", issuingPem.toString());
        assertThat(openssl("verify", "-x509_strict", "-CAfile", root.toString(), issuingPem.toString()).out()).contains("OK");
    }

    @Test
    @Order(3)
    void httpsCertificateChainsToTheRootForLocalNamesOverTls12And13Only() {
        for (String version : List.of("-tls1_2", "-tls1_3")) {
            Processes.Result r = sClient(version, "-CAfile", rootPem().toString(), "-verify_return_error",
                    "-servername", "localhost", "-verify_hostname", "localhost", "-verify_ip", "127.0.0.1");
            assertThat(r.exit()).as(r.toString()).isZero();
            assertThat(r.out() + r.err()).contains("Verification: OK")
                    .contains("Protocol version: TLSv1." + version.charAt(version.length() - 1));
        }
        // The client is allowed TLS 1.1 (security level 0), so a failure is the server refusing it.
        Processes.Result old = sClient("-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0", "-servername", "localhost");
        assertThat(old.exit()).as(old.toString()).isNotZero();
        assertThat(old.out() + old.err()).doesNotContain("no protocols available").doesNotContain("Protocol version: TLSv1.1");
    }

    @Test
    @Order(4)
    void issueFetchAndRevokeThroughTheAdminApi() throws IOException {
        Path key = tmp.resolve("e2e.key");
        Path csr = tmp.resolve("e2e.csr");
        openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key.toString(),
                "-out", csr.toString(), "-subj", "/CN=e2e.example.com", "-addext", "subjectAltName=DNS:e2e.example.com");
        Http created = curl(api("/certificates"), "-H", bearer(), "-H", "Content-Type: application/json",
                "--data-binary", "@" + json(Map.of("csr", Files.readString(csr), "profile", "tls-server")));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.header("Location")).isNotBlank();
        JsonNode issued = created.json();
        String serial = issued.path("serial").asText();
        assertThat(serial).matches("[0-9A-Fa-f]+");
        assertThat(issued.path("status").asText()).isNotBlank();
        assertThat(issued.path("notBefore").asText()).isNotBlank();
        assertThat(issued.path("notAfter").asText()).isNotBlank();

        Path cert = Files.writeString(tmp.resolve("cert.pem"), issued.path("certificate").asText());
        Path chain = Files.writeString(tmp.resolve("chain.pem"), issued.path("chain").asText());
        assertThat(openssl("verify", "-x509_strict", "-CAfile", rootPem().toString(), "-untrusted", chain.toString(),
                cert.toString()).out()).contains("OK");
        assertThat(openssl("x509", "-in", cert.toString(), "-noout", "-pubkey").out())
                .as("the certificate is for the CSR's key").isEqualTo(openssl("pkey", "-in", key.toString(), "-pubout").out());
        assertThat(openssl("x509", "-in", cert.toString(), "-noout", "-ext", "subjectAltName").out()).contains("DNS:e2e.example.com");
        String certSerial = openssl("x509", "-in", cert.toString(), "-noout", "-serial").out().strip().replace("serial=", "");
        assertThat(new BigInteger(certSerial, 16)).isEqualTo(new BigInteger(serial, 16));

        Http fetched = curl(api("/certificates/" + serial), "-H", bearer(), "-H", "Accept: application/pem-certificate-chain");
        assertThat(fetched.status()).as(fetched.toString()).isEqualTo(200);
        assertThat(fetched.mediaType()).isEqualTo("application/pem-certificate-chain");
        List<String> pems = pems(Files.readString(fetched.body()));
        assertThat(pems).hasSizeGreaterThanOrEqualTo(2);
        assertThat(fingerprint(Files.writeString(tmp.resolve("fetched-leaf.pem"), pems.get(0)))).isEqualTo(fingerprint(cert));
        assertThat(openssl("verify", "-CAfile", rootPem().toString(), "-untrusted", fetched.body().toString(),
                fetched.body().toString()).out()).contains("OK");

        Http revoked = curl(api("/certificates/" + serial + "/revoke"), "-H", bearer(), "-H",
                "Content-Type: application/json", "--data-binary", "@" + json(Map.of("reason", "keyCompromise")));
        assertThat(revoked.status()).as(revoked.toString()).isBetween(200, 204);
        Http after = curl(api("/certificates/" + serial), "-H", bearer());
        assertThat(after.status()).as(after.toString()).isEqualTo(200);
        assertThat(after.json().path("status").asText()).containsIgnoringCase("revoked");
    }

    @Test
    @Order(5)
    void badRequestsGetProblemDocuments() throws IOException {
        Path csrJson = json(Map.of("csr", "-----BEGIN CERTIFICATE REQUEST-----\nbm90IGEgQ1NS\n-----END CERTIFICATE REQUEST-----\n",
                "profile", "tls-server"));
        assertProblem(curl(api("/certificates"), "-H", "Content-Type: application/json", "--data-binary", "@" + csrJson), 401);
        assertProblem(curl(api("/certificates"), "-H", bearer(), "-H", "Content-Type: text/plain",
                "--data-binary", "@" + csrJson), 415);
        Path big = tmp.resolve("big.json");
        Files.writeString(big, "{\"csr\": \"" + "A".repeat(2 * 1024 * 1024) + "\", \"profile\": \"tls-server\"}");
        assertProblem(curl(api("/certificates"), "-H", bearer(), "-H", "Content-Type: application/json",
                "--data-binary", "@" + big), 413);
        assertProblem(curl(api("/certificates"), "-H", bearer(), "-H", "Content-Type: application/json",
                "--data-binary", "@" + csrJson), 400);
        assertProblem(curl(api("/certificates/7fffffffffffffff01"), "-H", bearer()), 404);
    }

    @Test
    @Order(6)
    void metricsArePrometheusTextAndTheServerIsReady() throws IOException {
        Http metrics = curl("http://127.0.0.1:" + managementPort + "/metrics");
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.mediaType()).isEqualTo("text/plain");
        assertThat(Files.readString(metrics.body())).containsPattern("(?m)^hallmark_\\w+");
        assertThat(curl("http://127.0.0.1:" + managementPort + "/readyz").status()).isEqualTo(200);
    }

    /**
     * Clients that hang up while their issuance is in flight (a load generator stopping, a proxy timing out) must not
     * harm the server: once they did, because Vert.x interrupted the worker thread, which closed the H2 file
     * database's channel under the next ledger checkpoint.
     */
    @Test
    @Order(7)
    void clientsHangingUpMidRequestLeaveTheDatabaseAndTheLedgerHealthy() throws Exception {
        Path csr = tmp.resolve("hangup.csr");
        openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                tmp.resolve("hangup.key").toString(), "-out", csr.toString(), "-subj", "/CN=hangup.example.com",
                "-addext", "subjectAltName=DNS:hangup.example.com");
        Path body = json(Map.of("csr", Files.readString(csr), "profile", "tls-server"));
        List<Process> hangups = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            hangups.add(new ProcessBuilder("curl", "-s", "-o", "/dev/null", "--max-time", "0.0" + (1 + i % 9),
                    "--cacert", rootPem().toString(), "-H", bearer(), "-H", "Content-Type: application/json",
                    "--data-binary", "@" + body, api("/certificates")).redirectErrorStream(true).start());
        }
        for (Process p : hangups) {
            assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        }
        Thread.sleep(3_000); // several background checkpoints (every second here) run over what the hang-ups left
        Http after = curl(api("/certificates"), "-H", bearer(), "-H", "Content-Type: application/json",
                "--data-binary", "@" + body);
        assertThat(after.status()).as(after + "\n" + server.output()).isEqualTo(201);
        Thread.sleep(2_000);
        String metrics = Files.readString(curl("http://127.0.0.1:" + managementPort + "/metrics").body());
        assertThat(metrics).as(server.output()).doesNotContainPattern("hallmark_background_failures_total\\{[^}]*} [1-9]");
        assertThat(curl("http://127.0.0.1:" + managementPort + "/readyz").status()).isEqualTo(200);
        assertThat(server.output()).doesNotContain("ClosedByInterrupt", "ClosedChannelException", "Unhandled exception");
    }

    @Test
    @Order(8)
    void sigtermDrainsAndExitsZero() throws Exception {
        OptionalInt exit = server.terminate(STOPPED_WITHIN);
        assertThat(exit).as("exited within " + STOPPED_WITHIN + "\n" + server.output()).isPresent();
        assertThat(exit.getAsInt()).as(server.output()).isZero();
        assertThat(curl("http://127.0.0.1:" + managementPort + "/healthz").status()).as("listeners closed").isZero();
        Processes.Result verify = Processes.hallmark(Map.of(), "ledger", "verify", "--data", data.toString());
        assertThat(verify.exit()).as("the ledger the server wrote verifies after the drain\n" + verify).isZero();
    }

    /** Polls /readyz (curl, as a load balancer would) until 200; fails with the server's output otherwise. */
    private static void awaitReady() throws InterruptedException {
        Instant deadline = Instant.now().plus(READY_WITHIN);
        while (Instant.now().isBefore(deadline)) {
            if (!server.process().isAlive()) {
                fail("hallmark demo exited before it was ready\n" + server.output());
            }
            if (curl("http://127.0.0.1:" + managementPort + "/readyz").status() == 200) {
                return;
            }
            Thread.sleep(250);
        }
        fail("/readyz not 200 within " + READY_WITHIN + "\n" + server.output());
    }

    private static Http curl(String url, String... args) {
        return Curl.run(tmp, url.startsWith("https:") ? rootPem() : null, url, args);
    }

    private static void assertProblem(Http r, int status) throws IOException {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.mediaType()).as(r.toString()).isEqualTo("application/problem+json");
        assertThat(r.json().isObject()).as(r.toString()).isTrue();
    }

    private static String api(String path) {
        return "https://127.0.0.1:" + httpsPort + "/api/v1" + path;
    }

    private static String bearer() throws IOException {
        return "Authorization: Bearer " + Files.readString(data.resolve("admin.token")).strip();
    }

    private static Path json(Map<String, String> fields) throws IOException {
        return Files.write(Files.createTempFile(tmp, "request", ".json"), JSON.writeValueAsBytes(fields));
    }

    private static Processes.Result sClient(String... args) {
        List<String> cmd = new ArrayList<>(List.of("openssl", "s_client", "-brief", "-connect", "127.0.0.1:" + httpsPort));
        cmd.addAll(List.of(args));
        return Processes.run(Map.of(), cmd);
    }

    private static String fingerprint(Path pem) {
        return openssl("x509", "-in", pem.toString(), "-noout", "-fingerprint", "-sha256").out().strip();
    }

    private static List<String> pems(String text) {
        Matcher m = PEM.matcher(text);
        List<String> out = new ArrayList<>();
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }
}
