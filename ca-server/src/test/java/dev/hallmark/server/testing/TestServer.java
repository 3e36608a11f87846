package dev.hallmark.server.testing;

import dev.hallmark.admin.AdminCredentials;
import dev.hallmark.admin.AdminRole;
import dev.hallmark.authority.IssuedCertificate;
import dev.hallmark.authority.testing.TestPki;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.hallmark.config.ConfigNode;
import dev.hallmark.config.HallmarkConfig;
import dev.hallmark.hsm.CryptoToken;
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
import java.lang.reflect.Field;
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
import java.util.function.UnaryOperator;
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

    private final HallmarkConfig config;
    private final List<Endpoint> endpoints;
    private final ServerRole role;

    private TestServer(TestPki.Builder pkiBuilder, String yaml, List<Endpoint> endpoints, ServerRole role) throws IOException {
        this.registry = ServerMetrics.newRegistry();
        UnaryOperator<CryptoToken> adjusted = tokenWrapper(pkiBuilder);
        this.pki = pkiBuilder.wrapToken(t -> new MeteredToken(adjusted.apply(t), registry)).build();
        this.dataDir = Files.createTempDirectory("hallmark-server-test");
        String base = "https: {port: 0, host: 127.0.0.1}\nhttp: {port: 0, host: 127.0.0.1}\n"
                + "management: {port: 0, host: 127.0.0.1}\nserver: {shutdownGrace: 2s}\n";
        ConfigNode root = ConfigNode.parse("test.yaml", merge(base, yaml));
        this.config = HallmarkConfig.from(dataDir, root);
        this.endpoints = endpoints;
        this.role = role;
        AdminCredentials credentials = new AdminCredentials(pki.database, pki.ledger);
        this.adminToken = credentials.create("test-admin", AdminRole.ADMIN, "test:fixture", pki.clock.instant()).token();
        this.operatorToken = credentials.create("test-operator", AdminRole.OPERATOR, "test:fixture", pki.clock.instant()).token();
        this.auditorToken = credentials.create("test-auditor", AdminRole.AUDITOR, "test:fixture", pki.clock.instant()).token();
        this.runtime = startRuntime();
        this.client = HttpClient.newBuilder().sslContext(trustingRoot()).connectTimeout(Duration.ofSeconds(5))
                .version(HttpClient.Version.HTTP_1_1).build();
    }

    private ServerRuntime startRuntime() {
        return ServerRuntime.start(new ServerRuntime.Parts(config, pki.authority, pki.ledger, pki.database, pki.token,
                registry, pki.clock, c -> { }), role, endpoints);
    }

    /**
     * Starts another runtime over the same fixture, data directory, configuration and endpoints (on new ports), as
     * a restart of the process would. Close {@link #runtime} first to model a restart; the caller closes the one
     * returned.
     */
    public ServerRuntime startAgain() {
        return startRuntime();
    }

    /**
     * The token wrapper already set on {@code pki} (through {@link Builder#pki}), so that the meter wrapper this
     * harness adds goes around it instead of replacing it: {@code pki(b -> b.wrapToken(FaultyToken::new))} must
     * reach the running server. TestPki keeps the wrapper package-private, hence the reflection.
     */
    @SuppressWarnings("unchecked")
    private static UnaryOperator<CryptoToken> tokenWrapper(TestPki.Builder pki) {
        try {
            Field f = TestPki.Builder.class.getDeclaredField("tokenWrapper");
            f.setAccessible(true);
            UnaryOperator<CryptoToken> w = (UnaryOperator<CryptoToken>) f.get(pki);
            return w == null ? t -> t : w;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("TestPki.Builder changed: cannot compose token wrappers", e);
        }
    }

    /**
     * The base document with {@code extra} merged in key by key (mappings recursively), so a test's
     * {@code server: {...}} adds to the base {@code server: {shutdownGrace: 2s}} instead of replacing it (YAML keeps
     * only the last of two equal keys).
     */
    static String merge(String base, String extra) {
        if (extra == null || extra.isBlank()) {
            return base;
        }
        try {
            ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
            JsonNode into = yaml.readTree(base);
            JsonNode from = yaml.readTree(extra);
            if (from == null || from.isMissingNode() || from.isNull()) {
                return base;
            }
            if (!from.isObject()) {
                return base + extra; // let the configuration reader report it
            }
            mergeInto((ObjectNode) into, (ObjectNode) from);
            return yaml.writeValueAsString(into);
        } catch (IOException e) {
            return base + extra; // not valid YAML: the configuration reader names the problem
        }
    }

    private static void mergeInto(ObjectNode into, ObjectNode from) {
        from.properties().forEach(e -> {
            JsonNode existing = into.get(e.getKey());
            if (existing instanceof ObjectNode o && e.getValue() instanceof ObjectNode n) {
                mergeInto(o, n);
            } else {
                into.set(e.getKey(), e.getValue());
            }
        });
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

        /** Extra configuration merged into the test's hallmark.yaml (mappings key by key; the extra wins). */
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

    /**
     * An SSL context trusting only the fixture's root, validating at {@code at} (the fixture clock's time, so a
     * certificate issued after {@code pki.clock} moved on is still "current"), presenting {@code keys} (null: no client
     * certificate).
     */
    public SSLContext trustingRoot(java.time.Instant at, javax.net.ssl.KeyManager[] keys) {
        try {
            X509Certificate root = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pki.root.record().certificateDer()));
            java.security.cert.PKIXBuilderParameters params = new java.security.cert.PKIXBuilderParameters(
                    java.util.Set.of(new java.security.cert.TrustAnchor(root, null)), null);
            params.setRevocationEnabled(false);
            params.setDate(java.util.Date.from(at));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(new javax.net.ssl.CertPathTrustManagerParameters(params));
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(keys, tmf.getTrustManagers(), null);
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
