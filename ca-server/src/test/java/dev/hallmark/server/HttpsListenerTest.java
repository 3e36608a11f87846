package dev.hallmark.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hallmark.authority.CertificateQuery;
import dev.hallmark.authority.RevocationReason;
import dev.hallmark.authority.RevocationRequest;
import dev.hallmark.authority.SerialNumber;
import dev.hallmark.authority.policy.PolicyRules;
import dev.hallmark.config.ConfigNode;
import dev.hallmark.server.testing.TestServer;
import io.vertx.core.http.HttpMethod;
import java.io.File;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The HTTPS listener (SPEC "Listeners"): TLS 1.2 and 1.3 only, a certificate issued by Hallmark's own issuing CA
 * naming the loopback names, renewed while running without disturbing open connections, kept across restarts and
 * replaced when revoked. Clients validate at the fixture clock's time, so certificates issued after the clock moved
 * are judged as the server would judge them.
 */
class HttpsListenerTest {
    static TestRoutes hello() {
        return TestRoutes.of(Route.on(Listener.HTTPS, HttpMethod.GET, "/hello").access(Access.open()).eventLoop()
                .handler((ctx, caller) -> ctx.response().end("hello")));
    }

    private static TestServer start() {
        return TestServer.builder().endpoints(hello()).start();
    }

    private static SSLContext client(TestServer server) {
        return server.trustingRoot(server.pki.clock.instant(), null);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void modernProtocolsHandshake(String protocol) throws IOException {
        try (TestServer server = start(); SSLSocket s = Tls.connect(client(server), server.port(Listener.HTTPS), protocol)) {
            assertThat(s.getSession().getProtocol()).isEqualTo(protocol);
            RawHttp c = new RawHttp(s);
            assertThat(c.send("GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n").read().body()).isEqualTo("hello");
        }
    }

    /** The JDK refuses TLS 1.0/1.1 on its own side, which would prove nothing: OpenSSL offers them at level 0. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"-tls1_1", "-tls1"})
    void oldProtocolsAreRefused(String flag) throws Exception {
        try (TestServer server = start()) {
            String target = "127.0.0.1:" + server.port(Listener.HTTPS);
            Result control = openssl("s_client", "-connect", target, "-tls1_2");
            assumeTrue(control != null, "openssl is not installed");
            assertThat(control.exit()).as(control.output()).isZero();
            assertThat(control.output()).contains("TLSv1.2");
            Result old = openssl("s_client", "-connect", target, flag, "-cipher", "DEFAULT:@SECLEVEL=0");
            assumeTrue(!old.output().contains("no protocols available"), "this OpenSSL cannot offer " + flag);
            assertThat(old.exit()).as(old.output()).isNotZero();
            assertThat(old.output()).as("the server refuses the version").containsIgnoringCase("protocol version");
        }
    }

    private record Result(int exit, String output) {
    }

    private static Result openssl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(Arrays.asList(args));
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(new File("/dev/null")).start();
        } catch (IOException e) {
            return null;
        }
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("openssl did not finish: " + command);
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void theServedChainVerifiesToTheRootAndNamesTheLoopbackNames() throws Exception {
        try (TestServer server = start(); SSLSocket s = Tls.connect(client(server), server.port(Listener.HTTPS))) {
            List<X509Certificate> chain = new ArrayList<>();
            for (var c : s.getSession().getPeerCertificates()) {
                chain.add((X509Certificate) c);
            }
            assertThat(verify(server, chain, server.pki.clock.instant())).isTrue();
            X509Certificate leaf = chain.get(0);
            assertThat(leaf.getIssuerX500Principal().getName()).contains("Test Issuing CA");
            assertThat(leaf.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1");
            List<String> dns = new ArrayList<>();
            List<InetAddress> ips = new ArrayList<>();
            for (List<?> san : leaf.getSubjectAlternativeNames()) {
                if ((Integer) san.get(0) == 2) {
                    dns.add((String) san.get(1));
                } else if ((Integer) san.get(0) == 7) {
                    ips.add(InetAddress.getByName((String) san.get(1)));
                }
            }
            assertThat(dns).contains("localhost");
            assertThat(ips).contains(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("::1"));
            assertThat(new BigInteger(server.runtime.https().serialHex(), 16)).isEqualTo(leaf.getSerialNumber());
        }
    }

    private static boolean verify(TestServer server, List<X509Certificate> chain, Instant at) throws Exception {
        X509Certificate root = Tls.x509(server.pki.root.record().certificateDer());
        List<X509Certificate> path = chain.stream().filter(c -> !c.equals(root)).toList();
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
        params.setRevocationEnabled(false);
        params.setDate(Date.from(at));
        CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
        return true;
    }

    @Test
    void renewalWhileRunningSwapsTheCertificateForNewConnectionsOnly() throws Exception {
        try (TestServer server = start();
             SSLSocket old = Tls.connect(client(server), server.port(Listener.HTTPS))) {
            RawHttp oldConnection = new RawHttp(old);
            assertThat(oldConnection.send("GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n").read().body()).isEqualTo("hello");
            X509Certificate first = Tls.servedLeaf(old);
            assertThat(server.runtime.renewHttpsIfDue()).as("not due yet").isFalse();

            Duration life = Duration.between(first.getNotBefore().toInstant(), first.getNotAfter().toInstant());
            server.pki.clock.advance(life.multipliedBy(2).dividedBy(3).plusDays(1));
            assertThat(server.runtime.renewHttpsIfDue()).isTrue();

            try (SSLSocket fresh = Tls.connect(client(server), server.port(Listener.HTTPS))) {
                X509Certificate second = Tls.servedLeaf(fresh);
                assertThat(second.getSerialNumber()).isNotEqualTo(first.getSerialNumber());
                assertThat(second.getNotAfter()).isAfter(first.getNotAfter());
                List<X509Certificate> chain = new ArrayList<>();
                for (var c : fresh.getSession().getPeerCertificates()) {
                    chain.add((X509Certificate) c);
                }
                assertThat(verify(server, chain, server.pki.clock.instant())).isTrue();
                assertThat(new RawHttp(fresh).send("GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n").read().body())
                        .isEqualTo("hello");
                X509Certificate kept = Tls.x509(firstPemDer(server.dataDir.resolve("https").resolve("chain.pem")));
                assertThat(kept.getSerialNumber()).isEqualTo(second.getSerialNumber());
            }
            // The connection opened before the renewal keeps its session and still works.
            assertThat(oldConnection.send("GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n").read().body()).isEqualTo("hello");
            assertThat(Tls.servedSerial(old)).isEqualTo(first.getSerialNumber());
            assertThat(server.runtime.renewHttpsIfDue()).as("just renewed").isFalse();
        }
    }

    private static byte[] firstPemDer(Path file) throws IOException {
        String pem = Files.readString(file, StandardCharsets.US_ASCII);
        int begin = pem.indexOf("-----BEGIN CERTIFICATE-----");
        int end = pem.indexOf("-----END CERTIFICATE-----");
        String body = pem.substring(begin + "-----BEGIN CERTIFICATE-----".length(), end).replaceAll("\\s", "");
        return java.util.Base64.getDecoder().decode(body);
    }

    /**
     * A client that connects and never says hello is dropped after {@code server.headerTimeout}, before and after a
     * renewal swapped the TLS options (the default handshake timeout would be 10 s; the wait is bounded at 6 s).
     */
    @Test
    void theHandshakeDeadlineSurvivesRenewal() throws IOException {
        try (TestServer server = TestServer.builder().endpoints(hello())
                .yaml("server: {headerTimeout: 1s, idleTimeout: 60s}").start()) {
            assertThat(silentClientIsDropped(server.port(Listener.HTTPS))).as("before renewal").isTrue();
            server.pki.clock.advance(Duration.ofDays(89));
            assertThat(server.runtime.renewHttpsIfDue()).isTrue();
            try (SSLSocket s = Tls.connect(client(server), server.port(Listener.HTTPS))) {
                assertThat(Tls.servedSerial(s)).isEqualTo(new BigInteger(server.runtime.https().serialHex(), 16));
            }
            assertThat(silentClientIsDropped(server.port(Listener.HTTPS))).as("after renewal").isTrue();
        }
    }

    /** Slow-header protection holds behind TLS too: a handshaken client sending half a request line is dropped. */
    @Test
    void aSlowHeaderClientOverTlsIsDisconnected() throws IOException {
        try (TestServer server = TestServer.builder().endpoints(hello())
                .yaml("server: {headerTimeout: 1s, idleTimeout: 60s}").start();
             SSLSocket s = Tls.connect(client(server), server.port(Listener.HTTPS))) {
            RawHttp slow = new RawHttp(s).send("GET /hel");
            try (SSLSocket other = Tls.connect(client(server), server.port(Listener.HTTPS))) {
                assertThat(new RawHttp(other).send("GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n").read().body())
                        .isEqualTo("hello");
            }
            assertThat(slow.closedByServer()).as("closed after the 1 s header timeout (bounded wait: 15 s)").isTrue();
        }
    }

    private static boolean silentClientIsDropped(int port) throws IOException {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.setSoTimeout(6_000);
            try {
                return s.getInputStream().read() < 0;
            } catch (java.net.SocketTimeoutException e) {
                return false;
            } catch (java.net.SocketException e) {
                return true;
            }
        }
    }

    /** The periodic check and an operator's renewal may meet: one certificate is issued, not one each. */
    @Test
    void concurrentRenewalChecksIssueOneCertificate() throws Exception {
        try (TestServer server = start()) {
            int stored = server.pki.authority.search(CertificateQuery.all()).size();
            server.pki.clock.advance(Duration.ofDays(89));
            int threads = 4;
            java.util.concurrent.CyclicBarrier barrier = new java.util.concurrent.CyclicBarrier(threads);
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
            try {
                List<java.util.concurrent.Future<Boolean>> results = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    results.add(pool.submit(() -> {
                        barrier.await(15, TimeUnit.SECONDS);
                        return server.runtime.renewHttpsIfDue();
                    }));
                }
                int renewed = 0;
                for (var f : results) {
                    renewed += f.get(60, TimeUnit.SECONDS) ? 1 : 0;
                }
                assertThat(renewed).isEqualTo(1);
            } finally {
                pool.shutdownNow();
            }
            assertThat(server.pki.authority.search(CertificateQuery.all())).hasSize(stored + 1);
        }
    }

    @Test
    void aRestartOverTheSameDataDirectoryReusesTheKeptCertificate() throws IOException {
        try (TestServer server = start()) {
            String serial = server.runtime.https().serialHex();
            int stored = server.pki.authority.search(CertificateQuery.all()).size();
            server.runtime.close();
            try (ServerRuntime again = server.startAgain();
                 SSLSocket s = Tls.connect(client(server), again.server().port(Listener.HTTPS))) {
                assertThat(again.https().serialHex()).isEqualTo(serial);
                assertThat(Tls.servedSerial(s)).isEqualTo(new BigInteger(serial, 16));
                assertThat(server.pki.authority.search(CertificateQuery.all())).as("nothing issued").hasSize(stored);
            }
        }
    }

    /**
     * Under a policy that refuses some of the wanted names (here {@code localhost} and the configured
     * {@code refused.example}), the certificate leaves them out; a restart must still recognise it as good instead of
     * issuing another one on every start.
     */
    @Test
    void aRestartReusesTheKeptCertificateWhenThePolicyLeftNamesOut() {
        PolicyRules policy = PolicyRules.fromConfig(ConfigNode.parse("policy", "dns: {allow: [.example.com]}"));
        try (TestServer server = TestServer.builder().endpoints(hello()).pki(b -> b.policy(policy))
                .yaml("https: {names: [refused.example, ok.example.com]}").start()) {
            String serial = server.runtime.https().serialHex();
            int stored = server.pki.authority.search(CertificateQuery.all()).size();
            server.runtime.close();
            try (ServerRuntime again = server.startAgain()) {
                assertThat(again.https().serialHex()).isEqualTo(serial);
                assertThat(server.pki.authority.search(CertificateQuery.all())).as("nothing issued").hasSize(stored);
                assertThat(again.renewHttpsIfDue()).isFalse();
            }
        }
    }

    @Test
    void aRevokedCertificateIsReplacedAtTheNextCheck() throws IOException {
        try (TestServer server = start()) {
            String serial = server.runtime.https().serialHex();
            server.pki.authority.revoke(new RevocationRequest("issuing", SerialNumber.parse(serial),
                    RevocationReason.SUPERSEDED, "test:operator"));
            assertThat(server.runtime.renewHttpsIfDue()).isTrue();
            try (SSLSocket s = Tls.connect(client(server), server.port(Listener.HTTPS))) {
                assertThat(Tls.servedSerial(s)).isNotEqualTo(new BigInteger(serial, 16))
                        .isEqualTo(new BigInteger(server.runtime.https().serialHex(), 16));
            }
            assertThat(server.runtime.renewHttpsIfDue()).isFalse();
        }
    }
}
