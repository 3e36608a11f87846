package dev.hallmark.protocol.acme;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hallmark.authority.CertificateRecord;
import dev.hallmark.authority.RevocationReason;
import dev.hallmark.authority.SerialNumber;
import dev.hallmark.protocol.acme.testing.TestDnsServer;
import dev.hallmark.server.testing.TestServer;
import dev.hallmark.store.acme.JdbcAcmeStore;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Debian certbot (2.1), unmodified, against a real Hallmark ACME server: {@code certonly --standalone} with
 * http-01 for two names, {@code renew --force-renewal}, {@code revoke --reason keycompromise}, {@code register} with an
 * external account binding. certbot answers the
 * challenges with its own standalone server on {@code 127.0.0.1}; the server's validator reaches it through the
 * in-test DNS server and {@code acme.validation.http01Port}. certbot is a required test dependency: without it the
 * tests fail. Each test registers its own account in its own certbot directories.
 */
class CertbotTest {
    static final String A = "a.certbot.example.test";
    static final String B = "b.certbot.example.test";

    static TestServer server;
    static TestDnsServer dns;
    static int http01Port;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws IOException {
        dns = TestDnsServer.start();
        dns.addA(A + ".", "127.0.0.1").addA(B + ".", "127.0.0.1");
        http01Port = freeLoopbackPort();
        server = TestServer.builder().endpoints(new AcmeEndpoint()).yaml("acme:\n  validation:\n"
                + "    http01Port: " + http01Port + "\n"
                + "    dnsResolver: 127.0.0.1:" + dns.address().getPort() + "\n"
                + "    timeout: 10s\n"
                + "    denyNetworks: [169.254.0.0/16]\n").start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (dns != null) {
            dns.close();
        }
    }

    /** A port the OS just handed out on loopback, released for certbot's standalone server to bind. */
    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        }
    }

    private Certbot certbot() throws IOException {
        return new Certbot(dir, server.https("/acme/directory"), server.rootPem(), http01Port);
    }

    /** {@code certonly} for A and B under the lineage name A; asserts success and returns the leaf. */
    private static X509Certificate certonly(Certbot certbot) throws Exception {
        Certbot.Run run = certbot.certbot("certonly", "--key-type", "ecdsa", "--cert-name", A, "-d", A, "-d", B);
        assertThat(run.ok()).as(run::report).isTrue();
        return leaf(certbot.live(A, "cert.pem"));
    }

    private static X509Certificate leaf(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private static List<String> dnsNames(X509Certificate cert) throws Exception {
        return cert.getSubjectAlternativeNames().stream().filter(l -> (Integer) l.get(0) == 2)
                .map(l -> (String) l.get(1)).toList();
    }

    private static CertificateRecord stored(X509Certificate cert) {
        return server.pki.authority.certificate(server.pki.issuing.name(), new SerialNumber(cert.getSerialNumber()))
                .orElseThrow(() -> new AssertionError("serial " + cert.getSerialNumber().toString(16) + " not stored"));
    }

    private static void assertVerifies(Certbot certbot, String certName) {
        Certbot.Run verify = certbot.openssl("verify", "-CAfile", certbot.rootPem().toString(),
                "-untrusted", certbot.live(certName, "chain.pem").toString(), certbot.live(certName, "cert.pem").toString());
        assertThat(verify.ok()).as(verify::report).isTrue();
        assertThat(verify.stdout()).contains(": OK");
    }

    @Test
    void certonlyStandaloneIssuesOneCertificateForBothNamesThatVerifies() throws Exception {
        Certbot certbot = certbot();
        X509Certificate cert = certonly(certbot);
        for (String f : List.of("cert.pem", "chain.pem", "fullchain.pem", "privkey.pem")) {
            assertThat(certbot.live(A, f)).as(f).isRegularFile();
        }
        assertVerifies(certbot, A);
        assertThat(dnsNames(cert)).containsExactlyInAnyOrder(A, B);
        assertThat(cert.getPublicKey().getAlgorithm()).isEqualTo("EC");
        assertThat(stored(cert).revokedAt()).isNull();
    }

    @Test
    void forcedRenewalIssuesANewCertificateWithANewSerial() throws Exception {
        Certbot certbot = certbot();
        X509Certificate first = certonly(certbot);
        Certbot.Run renew = certbot.certbot("renew", "--force-renewal", "--cert-name", A,
                "--no-random-sleep-on-renew"); // without a terminal certbot would first sleep up to 8 minutes
        assertThat(renew.ok()).as(renew::report).isTrue();
        X509Certificate second = leaf(certbot.live(A, "cert.pem"));
        assertThat(second.getSerialNumber()).isNotEqualTo(first.getSerialNumber());
        assertThat(dnsNames(second)).containsExactlyInAnyOrder(A, B);
        assertVerifies(certbot, A);
        assertThat(stored(second).revokedAt()).isNull();
        assertThat(stored(first).revokedAt()).as("renewal does not revoke the old certificate").isNull();
    }

    @Test
    void revokeWithKeyCompromiseIsRecordedByTheAuthority() throws Exception {
        Certbot certbot = certbot();
        X509Certificate cert = certonly(certbot);
        Certbot.Run revoke = certbot.certbot("revoke", "--cert-path", certbot.live(A, "cert.pem").toString(),
                "--reason", "keycompromise", "--no-delete-after-revoke");
        assertThat(revoke.ok()).as(revoke::report).isTrue();
        CertificateRecord record = stored(cert);
        assertThat(record.revokedAt()).isNotNull();
        assertThat(record.revocationReason()).isEqualTo(RevocationReason.KEY_COMPROMISE);
    }

    @Test
    void registerWithAnExternalAccountBindingBindsTheKey() throws Exception {
        JdbcAcmeStore store = new JdbcAcmeStore(server.pki.database);
        EabKeys.Created key = new EabKeys(store, server.dataDir.resolve(AcmeEndpoint.EAB_KEK_FILE), server.pki.clock)
                .create("test");
        Certbot.Run register = certbot().certbot("register", "--eab-kid", key.kid(), "--eab-hmac-key=" + key.hmacKeyBase64Url());
        assertThat(register.ok()).as(register::report).isTrue();
        assertThat(store.eab(key.kid()).orElseThrow().accountId()).as("the binding names the new account").isNotNull();
    }
}
