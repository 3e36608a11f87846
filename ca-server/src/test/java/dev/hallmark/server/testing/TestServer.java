package dev.hallmark.server.testing;

import dev.hallmark.admin.AdminCredentials;
import dev.hallmark.admin.AdminRole;
import dev.hallmark.authority.IssuedCertificate;
import dev.hallmark.authority.testing.TestPki;
import dev.hallmark.config.ConfigNode;
import dev.hallmark.config.HallmarkConfig;
import dev.hallmark.server.Endpoint;
import dev.hallmark.server.HallmarkServer;
import dev.hallmark.server.Listener;
import dev.hallmark.server.MeteredToken;
import dev.hallmark.server.ServerMetrics;
import dev.hallmark.server.ServerRole;
import dev.hallmark.server.ServerRuntime;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A real server on loopback ports chosen by the OS, over a {@link TestPki} (H2 by default), with every discovered
 * endpoint, and one bearer token per role. Clients trust only the fixture's root CA, so every HTTPS call also checks
 * the server's self-issued certificate.
 */
public final class TestServer implements AutoCloseable {
    public final TestPki pki;
    public final Path dataDir;
    public final PrometheusMeterRegistry registry;
    public final ServerRuntime runtime;
    public final String adminToken;
    public final String operatorToken;
    public final String auditorToken;
    private final HttpClient client;

    private TestServer(TestPki.Builder pkiBuilder, String yaml, List<Endpoint> endpoints, ServerRole role) throws IOException {
        this.registry = ServerMetrics.newRegistry();
        this.pki = pkiBuilder.wrapToken(t -> new MeteredToken(t, registry)).build();
        this.dataDir = Files.createTempDirectory("hallmark-server-test");
        String base = "https: {port: 0, host: 127.0.0.1}\nhttp: {port: 0, host: 127.0.0.1}\n"
                + "management: {port: 0, host: 127.0.0.1}\nserver: {shutdownGrace: 2s}\n";
        ConfigNode root = ConfigNode.parse("test.yaml", base + (yaml == null ? "" : yaml));
        HallmarkConfig config = HallmarkConfig.from(dataDir, root);
        AdminCredentials credentials = new AdminCredentials(pki.database, pki.ledger);
        this.adminToken = credentials.create("test-admin", AdminRole.ADMIN, "test:fixture", pki.clock.instant()).token();
        this.operatorToken = credentials.create("test-operator", AdminRole.OPERATOR, "test:fixture", pki.clock.instant()).token();
        this.auditorToken = credentials.create("test-auditor", AdminRole.AUDITOR, "test:fixture", pki.clock.instant()).token();
        this.runtime = ServerRuntime.start(new ServerRuntime.Parts(config, pki.authority, pki.ledger, pki.database, pki.token,
                registry, pki.clock, c -> { }), role, endpoints);
        this.client = HttpClient.newBuilder().sslContext(trustingRoot()).connectTimeout(Duration.ofSeconds(5))
                .version(HttpClient.Version.HTTP_1_1).build();
    }

    /** Every discovered endpoint, role {@code all}, H2. */
    public static TestServer start() {
        return builder().start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Options. */
    public static final class Builder {
        private TestPki.Builder pki = TestPki.builder();
        private String yaml;
        private List<Endpoint> endpoints;
        private ServerRole role = ServerRole.ALL;

        /** Adjusts the fixture (database kind, token, policy…). */
        public Builder pki(Consumer<TestPki.Builder> adjust) {
            adjust.accept(pki);
            return this;
        }

        /** Extra configuration appended to the test's hallmark.yaml. */
        public Builder yaml(String extra) {
            this.yaml = extra;
            return this;
        }

        /** Only these endpoints (default: every discovered one). */
        public Builder endpoints(Endpoint... e) {
            this.endpoints = List.of(e);
            return this;
        }

        public Builder role(ServerRole r) {
            this.role = r;
            return this;
        }

        public TestServer start() {
            try {
                return new TestServer(pki, yaml, endpoints != null ? endpoints : HallmarkServer.discover(), role);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    public int port(Listener listener) {
        return runtime.server().port(listener);
    }

    /** {@code https://localhost:PORT} + path (the certificate names localhost). */
    public URI https(String path) {
        return URI.create("https://localhost:" + port(Listener.HTTPS) + path);
    }

    public URI http(String path) {
        return URI.create("http://127.0.0.1:" + port(Listener.HTTP) + path);
    }

    public URI management(String path) {
        return URI.create("http://127.0.0.1:" + port(Listener.MANAGEMENT) + path);
    }

    /** A client trusting only the fixture's root. */
    public HttpClient client() {
        return client;
    }

    /** Sends and returns the response as a string. */
    public HttpResponse<String> send(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A request builder with the bearer token. */
    public HttpRequest.Builder as(String token, URI uri) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token);
    }

    /** The root CA certificate (PEM). */
    public String rootPem() {
        return IssuedCertificate.pem(pki.root.record().certificateDer());
    }

    /** An SSL context trusting only the fixture's root. */
    public SSLContext trustingRoot() {
        try {
            X509Certificate root = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pki.root.record().certificateDer()));
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setCertificateEntry("root", root);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            return ssl;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            runtime.close();
        } finally {
            pki.close();
            deleteTree(dataDir);
        }
    }

    private static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            List<Path> all = new ArrayList<>(paths.sorted(Comparator.reverseOrder()).toList());
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // temp files; the OS cleans up
        }
    }
}
