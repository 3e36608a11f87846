package dev.hallmark.ocsp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hallmark.authority.IssuedCertificate;
import dev.hallmark.authority.RevocationReason;
import dev.hallmark.authority.RevocationRequest;
import dev.hallmark.authority.testing.TestCsr;
import dev.hallmark.server.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OpenSSL as the OCSP client (RFC 6960 over POST with its default nonce, and {@code -respin} on answers fetched by
 * GET), verifying the responder's signature and chain itself, and OpenSSL verifying the CRLs served over HTTP.
 */
class OpensslClientTest {
    static TestServer server;
    @TempDir
    static Path tmp;
    static Path chain;
    static Path issuing;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.builder().endpoints(new OcspEndpoint()).yaml("crl: {afterRevocation: 0s}").start();
        issuing = Files.writeString(tmp.resolve("issuing.pem"), IssuedCertificate.pem(server.pki.issuing.certificate().getEncoded()));
        chain = Files.writeString(tmp.resolve("chain.pem"), IssuedCertificate.pem(server.pki.issuing.certificate().getEncoded())
                + IssuedCertificate.pem(server.pki.root.certificate().getEncoded()));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String openssl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out;
    }

    static Path leaf(String name, IssuedCertificate c) throws Exception {
        return Files.writeString(tmp.resolve(name + ".pem"), IssuedCertificate.pem(c.record().der()));
    }

    @Test
    void opensslPostGetsGoodRevokedAndUnknownWithVerifiedSignatures() throws Exception {
        IssuedCertificate good = server.pki.issue("tls-server", TestCsr.of("good.openssl.example", TestCsr.withFreshKey()));
        IssuedCertificate bad = server.pki.issue("tls-server", TestCsr.of("bad.openssl.example", TestCsr.withFreshKey()));
        server.pki.authority.revoke(new RevocationRequest("issuing", bad.record().serial(), RevocationReason.CA_COMPROMISE, "test"));
        String url = server.http("/ocsp").toString();
        String goodOut = openssl("ocsp", "-issuer", issuing.toString(), "-cert", leaf("good", good).toString(), "-url", url,
                "-CAfile", chain.toString());
        assertThat(goodOut).contains("Response verify OK").contains("good.pem: good");
        String badOut = openssl("ocsp", "-issuer", issuing.toString(), "-cert", leaf("bad", bad).toString(), "-url", url,
                "-CAfile", chain.toString());
        assertThat(badOut).contains("Response verify OK").contains("bad.pem: revoked").contains("Reason: cACompromise");
        String unknown = openssl("ocsp", "-issuer", issuing.toString(), "-serial", "0x7a11e0000000000000000000000000fe",
                "-url", url, "-CAfile", chain.toString());
        assertThat(unknown).contains("Response verify OK").contains(": unknown");
        String sha256 = openssl("ocsp", "-sha256", "-issuer", issuing.toString(), "-cert", tmp.resolve("good.pem").toString(),
                "-url", url, "-CAfile", chain.toString());
        assertThat(sha256).contains("Response verify OK").contains("good.pem: good");
    }

    @Test
    void opensslVerifiesAnswersFetchedByGet() throws Exception {
        IssuedCertificate c = server.pki.issue("tls-server", TestCsr.of("get.openssl.example", TestCsr.withFreshKey()));
        Path leaf = leaf("get", c);
        Path req = tmp.resolve("req.der");
        assertThat(openssl("ocsp", "-issuer", issuing.toString(), "-cert", leaf.toString(), "-no_nonce", "-reqout", req.toString()))
                .doesNotContain("rror");
        OcspClient client = new OcspClient(server);
        HttpResponse<byte[]> r = client.get(Files.readAllBytes(req));
        Path resp = Files.write(tmp.resolve("resp.der"), r.body());
        String out = openssl("ocsp", "-respin", resp.toString(), "-issuer", issuing.toString(), "-cert", leaf.toString(),
                "-CAfile", chain.toString(), "-resp_text");
        assertThat(out).contains("Response verify OK").contains("get.pem: good").contains("OCSP Response Status: successful")
                .contains("Responder Id:");
    }

    @Test
    void opensslVerifiesTheCrlServedOverHttp() throws Exception {
        IssuedCertificate c = server.pki.issue("tls-server", TestCsr.of("crl.openssl.example", TestCsr.withFreshKey()));
        server.pki.authority.revoke(new RevocationRequest("issuing", c.record().serial(), RevocationReason.KEY_COMPROMISE, "test"));
        // The schedule builds the first CRL at start and again after a revocation (crl.afterRevocation, here 0 s):
        // wait for the serial to appear, bounded.
        HttpResponse<byte[]> crl = null;
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            crl = new OcspClient(server).send(java.net.http.HttpRequest.newBuilder(server.http("/crl/issuing.crl")).GET().build());
            if (crl.statusCode() == 200 && Files.exists(Files.write(tmp.resolve("issuing.crl"), crl.body()))
                    && openssl("crl", "-inform", "DER", "-in", tmp.resolve("issuing.crl").toString(), "-noout", "-text")
                    .toUpperCase().contains(c.record().serial().hex().toUpperCase())) {
                break;
            }
            Thread.sleep(300);
        }
        assertThat(crl.statusCode()).isEqualTo(200);
        assertThat(crl.headers().firstValue("Content-Type")).hasValue("application/pkix-crl");
        String text = openssl("crl", "-inform", "DER", "-in", tmp.resolve("issuing.crl").toString(), "-CAfile", chain.toString(),
                "-noout", "-text");
        assertThat(text).contains("verify OK").contains("Key Compromise")
                .containsIgnoringCase(c.record().serial().hex());
        assertThat(new OcspClient(server).send(java.net.http.HttpRequest.newBuilder(server.http("/crl/nope.crl")).GET().build())
                .statusCode()).isEqualTo(404);
    }
}
