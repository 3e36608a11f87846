package dev.hallmark.ocsp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hallmark.authority.IssuedCertificate;
import dev.hallmark.authority.RevocationReason;
import dev.hallmark.authority.RevocationRequest;
import dev.hallmark.authority.SerialIntent;
import dev.hallmark.authority.SerialNumber;
import dev.hallmark.authority.testing.TestCsr;
import dev.hallmark.ledger.AuditEvent;
import dev.hallmark.ledger.AuditEventType;
import dev.hallmark.server.testing.TestServer;
import java.math.BigInteger;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** OCSP over HTTP against a running server, checked with BouncyCastle's client classes (RFC 6960, RFC 5019). */
class OcspEndpointTest {
    static TestServer server;
    static OcspClient client;

    @BeforeAll
    static void start() {
        server = TestServer.builder().endpoints(new OcspEndpoint()).start();
        client = new OcspClient(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static IssuedCertificate issue(String name) {
        return server.pki.issue("tls-server", TestCsr.of(name, TestCsr.withFreshKey()));
    }

    static X509CertificateHolder issuing() {
        return server.pki.issuing.certificate();
    }

    static SingleResp only(BasicOCSPResp r) {
        assertThat(r.getResponses()).hasSize(1);
        return r.getResponses()[0];
    }

    /** The response is signed by a delegated responder certificate issued directly by the issuing CA (T38). */
    static void assertSignedByDelegatedResponder(BasicOCSPResp r) throws Exception {
        X509CertificateHolder[] certs = r.getCerts();
        assertThat(certs).hasSize(1);
        X509CertificateHolder responder = certs[0];
        assertThat(responder.getIssuer()).isEqualTo(issuing().getSubject());
        assertThat(responder.isSignatureValid(new JcaContentVerifierProviderBuilder().build(issuing()))).isTrue();
        assertThat(org.bouncycastle.asn1.x509.ExtendedKeyUsage.fromExtensions(responder.getExtensions())
                .hasKeyPurposeId(KeyPurposeId.id_kp_OCSPSigning)).isTrue();
        assertThat(responder.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nocheck)).isNotNull();
        assertThat(r.isSignatureValid(new JcaContentVerifierProviderBuilder().build(responder))).isTrue();
    }

    @Test
    void goodRevokedAndUnknownOverPostAndGet() throws Exception {
        IssuedCertificate good = issue("good.ocsp.example");
        IssuedCertificate revoked = issue("revoked.ocsp.example");
        server.pki.authority.revoke(new RevocationRequest("issuing", revoked.record().serial(),
                RevocationReason.KEY_COMPROMISE, "test"));
        BigInteger never = new BigInteger(1, OcspClient.nonce(16)).setBit(127);
        for (boolean get : new boolean[] {false, true}) {
            BasicOCSPResp g = OcspClient.basic(send(get, OcspClient.request(OcspClient.id(issuing(), good.record().serial().value()))));
            assertThat(only(g).getCertStatus()).isNull(); // GOOD
            assertSignedByDelegatedResponder(g);
            BasicOCSPResp r = OcspClient.basic(send(get, OcspClient.request(OcspClient.id(issuing(), revoked.record().serial().value()))));
            assertThat(only(r).getCertStatus()).isInstanceOf(RevokedStatus.class);
            RevokedStatus rs = (RevokedStatus) only(r).getCertStatus();
            assertThat(rs.getRevocationReason()).isEqualTo(org.bouncycastle.asn1.x509.CRLReason.keyCompromise);
            BasicOCSPResp u = OcspClient.basic(send(get, OcspClient.request(OcspClient.id(issuing(), never))));
            assertThat(only(u).getCertStatus()).isInstanceOf(UnknownStatus.class);
            assertSignedByDelegatedResponder(u);
        }
    }

    private static HttpResponse<byte[]> send(boolean get, byte[] request) {
        HttpResponse<byte[]> r = get ? client.get(request) : client.post(request);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/ocsp-response");
        return r;
    }

    @Test
    void validityWindowAndCachingHeaders() throws Exception {
        IssuedCertificate good = issue("cache.ocsp.example");
        byte[] request = OcspClient.request(OcspClient.id(issuing(), good.record().serial().value()));
        HttpResponse<byte[]> first = send(true, request);
        SingleResp s = only(OcspClient.basic(first));
        Duration window = Duration.between(s.getThisUpdate().toInstant(), s.getNextUpdate().toInstant());
        assertThat(window).isBetween(Duration.ofHours(8), Duration.ofDays(7));
        assertThat(s.getThisUpdate().toInstant()).isBeforeOrEqualTo(server.pki.clock.instant());
        HttpResponse<byte[]> cached = send(true, request);
        assertThat(cached.body()).isEqualTo(first.body());
        assertThat(cached.headers().firstValue("Cache-Control").orElseThrow()).contains("max-age=", "public");
        String etag = cached.headers().firstValue("ETag").orElseThrow();
        assertThat(cached.headers().firstValue("Last-Modified")).isPresent();
        assertThat(cached.headers().firstValue("Expires")).isPresent();
        HttpResponse<byte[]> notModified = client.send(java.net.http.HttpRequest.newBuilder(server.http("/ocsp/"
                + java.net.URLEncoder.encode(java.util.Base64.getEncoder().encodeToString(request), "US-ASCII")))
                .header("If-None-Match", etag).GET().build());
        assertThat(notModified.statusCode()).isEqualTo(304);
    }

    @Test
    void aRevocationIsVisibleAtOnceAfterItIsAcknowledged() throws Exception {
        IssuedCertificate cert = issue("flip.ocsp.example");
        byte[] request = OcspClient.request(OcspClient.id(issuing(), cert.record().serial().value()));
        assertThat(only(OcspClient.basic(send(false, request))).getCertStatus()).isNull();
        assertThat(only(OcspClient.basic(send(false, request))).getCertStatus()).isNull(); // now from the cache
        server.pki.authority.revoke(new RevocationRequest("issuing", cert.record().serial(), RevocationReason.SUPERSEDED, "test"));
        SingleResp after = only(OcspClient.basic(send(false, request)));
        assertThat(after.getCertStatus()).isInstanceOf(RevokedStatus.class);
        assertThat(((RevokedStatus) after.getCertStatus()).getRevocationReason())
                .isEqualTo(org.bouncycastle.asn1.x509.CRLReason.superseded);
    }

    @Test
    void aNonceIsEchoedExactlyAndSha256CertIdsWork() throws Exception {
        IssuedCertificate cert = issue("nonce.ocsp.example");
        byte[] nonce = OcspClient.nonce(32);
        CertificateID id = OcspClient.id(issuing(), cert.record().serial().value(), NISTObjectIdentifiers.id_sha256);
        for (boolean get : new boolean[] {false, true}) {
            BasicOCSPResp r = OcspClient.basic(send(get, OcspClient.request(nonce, id)));
            ASN1OctetString echoed = ASN1OctetString.getInstance(
                    r.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce).getParsedValue());
            assertThat(echoed.getOctets()).isEqualTo(nonce);
            assertThat(only(r).getCertID().getHashAlgOID()).isEqualTo(NISTObjectIdentifiers.id_sha256);
            assertThat(only(r).getCertStatus()).isNull();
        }
    }

    @Test
    void aSerialWhoseIssuanceOutcomeIsUnknownIsAnsweredAuthoritatively() {
        SerialNumber serial = new SerialNumber(new BigInteger(1, OcspClient.nonce(16)).setBit(126));
        Instant now = server.pki.clock.instant();
        server.pki.store.reserve(new SerialIntent("issuing", serial, "00".repeat(32), HexFormat.of().formatHex(OcspClient.nonce(32)),
                "test", "tls-server", 1, now.plus(Duration.ofDays(90)), now),
                new AuditEvent(AuditEventType.CERTIFICATE_SIGNING, "test", "issuing/" + serial.hex()));
        byte[] request = OcspClient.request(OcspClient.id(issuing(), serial.value()));
        assertThat(only(OcspClient.basic(send(false, request))).getCertStatus()).isNull();
        server.pki.authority.revoke(new RevocationRequest("issuing", serial, RevocationReason.UNSPECIFIED, "test"));
        SingleResp revoked = only(OcspClient.basic(send(true, request)));
        assertThat(revoked.getCertStatus()).isInstanceOf(RevokedStatus.class);
        assertThat(((RevokedStatus) revoked.getCertStatus()).hasRevocationReason()).isFalse();
    }

    @Test
    void aCertIdNamingNoCaHereIsUnauthorized() throws Exception {
        IssuedCertificate cert = issue("foreign.ocsp.example");
        CertificateID real = OcspClient.id(issuing(), cert.record().serial().value());
        byte[] wrongKey = real.toASN1Primitive().getIssuerKeyHash().getOctets().clone();
        wrongKey[0] ^= 1;
        CertificateID forged = new CertificateID(new org.bouncycastle.asn1.ocsp.CertID(real.toASN1Primitive().getHashAlgorithm(),
                real.toASN1Primitive().getIssuerNameHash(), new org.bouncycastle.asn1.DEROctetString(wrongKey),
                real.toASN1Primitive().getSerialNumber()));
        assertThat(OcspClient.parse(send(false, OcspClient.request(forged))).getStatus()).isEqualTo(OCSPResp.UNAUTHORIZED);
        // The root is a CA here too: a certificate "issued by the root" with this serial was never assigned.
        BasicOCSPResp byRoot = OcspClient.basic(send(false, OcspClient.request(
                OcspClient.id(server.pki.root.certificate(), cert.record().serial().value()))));
        assertThat(only(byRoot).getCertStatus()).isInstanceOf(UnknownStatus.class);
        assertThat(byRoot.getCerts()).isEmpty(); // a root signs its own responses
        assertThat(byRoot.isSignatureValid(new JcaContentVerifierProviderBuilder().build(server.pki.root.certificate()))).isTrue();
    }

    @Test
    void severalCertIdsInOneRequestAreAnsweredTogether() throws Exception {
        IssuedCertificate a = issue("multi-a.ocsp.example");
        IssuedCertificate b = issue("multi-b.ocsp.example");
        BasicOCSPResp r = OcspClient.basic(send(false, OcspClient.request(OcspClient.id(issuing(), a.record().serial().value()),
                OcspClient.id(issuing(), b.record().serial().value()))));
        assertThat(OcspClient.serials(r)).containsExactly(a.record().serial().value(), b.record().serial().value());
        assertThat(Arrays.stream(r.getResponses()).map(SingleResp::getCertStatus)).containsOnlyNulls();
    }

    static BigInteger randomSerial() {
        return new BigInteger(127, new SecureRandom()).setBit(126);
    }
}
