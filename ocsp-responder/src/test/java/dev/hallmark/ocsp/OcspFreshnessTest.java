package dev.hallmark.ocsp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hallmark.authority.DistributionUrls;
import dev.hallmark.authority.IssuedCertificate;
import dev.hallmark.authority.RevocationReason;
import dev.hallmark.authority.RevocationRequest;
import dev.hallmark.authority.SerialNumber;
import dev.hallmark.authority.testing.TestCsr;
import dev.hallmark.authority.testing.TestPki;
import dev.hallmark.config.RevocationSettings;
import dev.hallmark.hsm.testing.FaultyToken;
import dev.hallmark.server.testing.TestServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.junit.jupiter.api.Test;

/**
 * Freshness of OCSP answers and the responder's signer (RELIABILITY T38, and T34's fresh certificate): a new
 * certificate is {@code good} at once; a response is refreshed past 7/16 of {@code ocsp.validity} and never served at
 * or after its nextUpdate; during token loss cached responses are still served and the rest get {@code tryLater}; the
 * delegated responder certificate is shaped as BR 7.1.2.8 asks and replaced when revoked.
 *
 * <p>The HTTP tests run a server each (they move its clock or break its token). The pre-signer's sweeps run on
 * wall-clock executors the server gives tests no handle to, so the refresh schedule is also tested on the responder's
 * parts wired by hand over a {@link TestPki} ({@link Parts}), calling {@link PreSigner#sweep()} directly.
 */
class OcspFreshnessTest {
    static final Duration VALIDITY = Duration.ofHours(8);

    // --- T34: a fresh certificate ---

    @Test
    void aFreshCertificateIsGoodOnTheFirstRequest() throws Exception {
        try (TestServer server = TestServer.builder().endpoints(new OcspEndpoint()).yaml("ocsp: {validity: 8h}").start()) {
            OcspClient client = new OcspClient(server);
            IssuedCertificate cert = issue(server.pki, "fresh.ocsp.example");
            byte[] request = OcspClient.request(OcspClient.id(server.pki.issuing.certificate(), cert.record().serial().value()));
            for (HttpResponse<byte[]> r : java.util.List.of(client.post(request), client.get(request))) {
                assertThat(r.statusCode()).isEqualTo(200);
                SingleResp s = only(OcspClient.basic(r));
                assertThat(s.getCertStatus()).as("good at once, before any sweep").isNull();
                assertWindowContains(s, server.pki.clock.instant());
            }
        }
    }

    // --- T38: clock advance ---

    @Test
    void overHttpAResponseIsNeverServedAtOrAfterItsNextUpdate() throws Exception {
        try (TestServer server = TestServer.builder().endpoints(new OcspEndpoint()).yaml("ocsp: {validity: 8h}").start()) {
            OcspClient client = new OcspClient(server);
            TestPki.MutableClock clock = server.pki.clock;
            IssuedCertificate cert = issue(server.pki, "advance.ocsp.example");
            byte[] request = OcspClient.request(OcspClient.id(server.pki.issuing.certificate(), cert.record().serial().value()));
            HttpResponse<byte[]> first = client.post(request);
            assertThat(client.post(request).body()).as("the second answer comes from the cache").isEqualTo(first.body());
            SingleResp original = only(OcspClient.basic(first));
            assertThat(window(original)).isEqualTo(VALIDITY);

            clock.advance(Duration.ofHours(3).plusMinutes(31)); // past 7/16 of 8 h, before nextUpdate
            for (HttpResponse<byte[]> r : java.util.List.of(client.post(request), client.get(request))) {
                assertWindowContains(only(OcspClient.basic(r)), clock.instant());
                assertMaxAgeWithinNextUpdate(r, clock.instant());
            }

            clock.set(original.getNextUpdate().toInstant()); // exactly nextUpdate: the old response is expired
            for (HttpResponse<byte[]> r : java.util.List.of(client.post(request), client.get(request))) {
                assertThat(r.body()).isNotEqualTo(first.body());
                SingleResp s = only(OcspClient.basic(r));
                assertThat(s.getCertStatus()).isNull();
                assertWindowContains(s, clock.instant());
                assertMaxAgeWithinNextUpdate(r, clock.instant());
            }
            clock.advance(Duration.ofDays(2)); // far past it, on a server whose sweeps have not run
            assertWindowContains(only(OcspClient.basic(client.get(request))), clock.instant());
        }
    }

    @Test
    void aSweepRefreshesAResponseOnceSevenSixteenthsOfItsValidityHavePassed() throws Exception {
        try (Parts p = new Parts(VALIDITY)) {
            assertThat(p.preSigner.refreshAge()).isEqualTo(Duration.ofMinutes(210));
            assertThat(p.preSigner.sweepInterval()).as("so a response is replaced by half its validity")
                    .isEqualTo(Duration.ofMinutes(30));
            IssuedCertificate cert = issue(p.pki, "sweep.ocsp.example");
            byte[] request = p.request(cert.record().serial().value());
            Instant t0 = p.pki.clock.instant();
            p.preSigner.sweep();
            byte[] presigned = p.cached(request);
            assertThat(presigned).as("pre-signed by the sweep").isNotNull();
            assertThat(only(basic(presigned)).getThisUpdate().toInstant()).isEqualTo(t0);

            p.pki.clock.advance(Duration.ofHours(3));
            p.preSigner.sweep();
            assertThat(p.cached(request)).as("younger than 7/16: kept").isEqualTo(presigned);

            p.pki.clock.advance(Duration.ofMinutes(31));
            p.preSigner.sweep();
            byte[] refreshed = p.cached(request);
            assertThat(refreshed).as("older than 7/16: re-signed").isNotNull().isNotEqualTo(presigned);
            SingleResp s = only(basic(refreshed));
            assertThat(s.getCertStatus()).isNull();
            assertThat(s.getThisUpdate().toInstant()).isEqualTo(p.pki.clock.instant().truncatedTo(ChronoUnit.SECONDS));
            assertThat(window(s)).isEqualTo(VALIDITY);
            assertThat(s.getThisUpdate().toInstant()).isBefore(t0.plus(VALIDITY.dividedBy(2)));

            p.pki.clock.set(s.getNextUpdate().toInstant()); // no sweep since: the cached response has expired
            assertThat(p.cached(request)).as("never served at its nextUpdate").isNull();
            SingleResp onDemand = only(basic(p.ask(request)));
            assertWindowContains(onDemand, p.pki.clock.instant());
        }
    }

    // --- T38: token loss ---

    @Test
    void duringTokenLossCachedResponsesAreServedAndTheRestGetTryLater() throws Exception {
        AtomicReference<FaultyToken> faulty = new AtomicReference<>();
        try (TestServer server = TestServer.builder().endpoints(new OcspEndpoint()).pki(b -> b.wrapToken(t -> {
            FaultyToken f = new FaultyToken(t);
            faulty.set(f);
            return f;
        })).start()) {
            OcspClient client = new OcspClient(server);
            X509CertificateHolder issuing = server.pki.issuing.certificate();
            IssuedCertificate cached = issue(server.pki, "cached.loss.ocsp.example");
            IssuedCertificate uncached = issue(server.pki, "uncached.loss.ocsp.example");
            byte[] cachedRequest = OcspClient.request(OcspClient.id(issuing, cached.record().serial().value()));
            byte[] first = client.post(cachedRequest).body();
            assertThat(client.post(cachedRequest).body()).isEqualTo(first);
            // SHA-256 CertIDs are never pre-signed, so this one is certainly not in the cache.
            byte[] uncachedRequest = OcspClient.request(OcspClient.id(issuing, uncached.record().serial().value(),
                    NISTObjectIdentifiers.id_sha256));
            byte[] nonceRequest = OcspClient.request(OcspClient.nonce(32), OcspClient.id(issuing, cached.record().serial().value()));

            faulty.get().goUnavailable();
            try {
                for (HttpResponse<byte[]> r : java.util.List.of(client.post(cachedRequest), client.get(cachedRequest))) {
                    assertThat(r.statusCode()).isEqualTo(200);
                    assertThat(r.body()).as("the cached, still valid response").isEqualTo(first);
                }
                org.assertj.core.api.SoftAssertions.assertSoftly(soft -> {
                    soft.assertThat(status(client.post(uncachedRequest))).as("uncached serial during token loss (POST)")
                            .isEqualTo(OCSPResp.TRY_LATER);
                    soft.assertThat(status(client.get(uncachedRequest))).as("uncached serial during token loss (GET)")
                            .isEqualTo(OCSPResp.TRY_LATER);
                    soft.assertThat(status(client.post(nonceRequest))).as("nonce request during token loss")
                            .isEqualTo(OCSPResp.TRY_LATER);
                });
            } finally {
                faulty.get().comeBack();
            }
            assertThat(only(OcspClient.basic(client.post(uncachedRequest))).getCertStatus()).isNull();
            assertThat(only(OcspClient.basic(client.post(nonceRequest))).getCertStatus()).isNull();
        }
    }

    // --- T38: the delegated responder certificate ---

    @Test
    void theDelegatedResponderCertificateIsShapedForOcspSigning() throws Exception {
        try (TestServer server = TestServer.builder().endpoints(new OcspEndpoint())
                .pki(b -> b.distributionUrls(new DistributionUrls("http://pki.example", 1, false))).start()) {
            OcspClient client = new OcspClient(server);
            X509CertificateHolder issuing = server.pki.issuing.certificate();
            IssuedCertificate cert = issue(server.pki, "shape.ocsp.example");
            assertThat(ocspUrls(new X509CertificateHolder(cert.record().der()))).as("end-entity certificates point to OCSP")
                    .isPositive();
            BasicOCSPResp r = OcspClient.basic(client.post(OcspClient.request(OcspClient.id(issuing, cert.record().serial().value()))));
            assertThat(r.getCerts()).hasSize(1);
            X509CertificateHolder responder = r.getCerts()[0];

            assertThat(responder.getIssuer()).isEqualTo(issuing.getSubject());
            assertThat(responder.isSignatureValid(new JcaContentVerifierProviderBuilder().build(issuing))).isTrue();
            assertThat(AuthorityKeyIdentifier.fromExtensions(responder.getExtensions()).getKeyIdentifierOctets())
                    .as("AKI = the issuing CA's SKI").isEqualTo(
                            SubjectKeyIdentifier.fromExtensions(issuing.getExtensions()).getKeyIdentifier());
            assertThat(ExtendedKeyUsage.fromExtensions(responder.getExtensions()).hasKeyPurposeId(KeyPurposeId.id_kp_OCSPSigning))
                    .isTrue();
            assertThat(responder.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nocheck)).isNotNull();
            assertThat(ocspUrls(responder)).as("no OCSP AIA on a nocheck responder certificate").isZero();

            byte[] keyHash = MessageDigest.getInstance("SHA-1").digest(
                    responder.getSubjectPublicKeyInfo().getPublicKeyData().getBytes());
            assertThat(r.getResponderId().toASN1Primitive().getKeyHash()).as("responderID byKey").isEqualTo(keyHash);
            assertThat(r.getResponderId().toASN1Primitive().getName()).isNull();
            assertThat(r.isSignatureValid(new JcaContentVerifierProviderBuilder().build(responder))).isTrue();
            // ocsp-nocheck: the responder certificate is still answered for, and good.
            SingleResp self = only(OcspClient.basic(client.post(OcspClient.request(OcspClient.id(issuing, responder.getSerialNumber())))));
            assertThat(self.getCertStatus()).isNull();
            // The ocsp-signer profile: 30 days from issuance, notBefore backdated by its 1 h backdate (clock skew).
            assertThat(Duration.between(responder.getNotBefore().toInstant(), responder.getNotAfter().toInstant()))
                    .as("responder certificate validity, notBefore (backdated) to notAfter")
                    .isLessThanOrEqualTo(Duration.ofDays(30).plusHours(1));
        }
    }

    @Test
    void revokingTheResponderCertificateBringsANewOneOverHttp() throws Exception {
        try (TestServer server = TestServer.builder().endpoints(new OcspEndpoint()).start()) {
            OcspClient client = new OcspClient(server);
            X509CertificateHolder issuing = server.pki.issuing.certificate();
            IssuedCertificate cert = issue(server.pki, "responder-revoked.ocsp.example");
            byte[] request = OcspClient.request(OcspClient.id(issuing, cert.record().serial().value()));
            OcspClient.basic(client.post(request));
            BigInteger old = responderSerial(OcspClient.basic(client.post(request))); // cached by now
            server.pki.clock.advance(Duration.ofMinutes(1)); // a replacement key gets a new alias (see below)
            server.pki.authority.revoke(new RevocationRequest("issuing", new SerialNumber(old), RevocationReason.KEY_COMPROMISE,
                    "test"));
            assertThat(only(OcspClient.basic(client.post(OcspClient.request(OcspClient.id(issuing, old))))).getCertStatus())
                    .as("the revoked responder certificate is itself answered as revoked").isInstanceOf(RevokedStatus.class);

            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            BigInteger nonceSigner;
            BigInteger cachedSigner;
            do {
                nonceSigner = responderSerial(OcspClient.basic(client.post(OcspClient.request(OcspClient.nonce(16),
                        OcspClient.id(issuing, cert.record().serial().value())))));
                cachedSigner = responderSerial(OcspClient.basic(client.post(request)));
                if (!nonceSigner.equals(old) && !cachedSigner.equals(old)) {
                    break;
                }
                Thread.sleep(200);
            } while (System.nanoTime() < deadline);
            assertThat(nonceSigner).as("signer of a freshly signed (nonce) response 10 s after the responder certificate "
                    + "%s was revoked", old.toString(16)).isNotEqualTo(old);
            assertThat(cachedSigner).as("signer of the served response 10 s after the responder certificate %s was "
                    + "revoked", old.toString(16)).isNotEqualTo(old);
            BasicOCSPResp after = OcspClient.basic(client.post(request));
            assertThat(after.getCerts()[0].getIssuer()).isEqualTo(issuing.getSubject());
            assertThat(after.isSignatureValid(new JcaContentVerifierProviderBuilder().build(after.getCerts()[0]))).isTrue();
        }
    }

    @Test
    void aSweepReplacesARevokedResponderCertificateAndItsResponses() throws Exception {
        try (Parts p = new Parts(Duration.ofDays(4))) {
            IssuedCertificate cert = issue(p.pki, "sweep-revoked.ocsp.example");
            byte[] request = p.request(cert.record().serial().value());
            p.preSigner.sweep();
            byte[] presigned = p.cached(request);
            assertThat(presigned).isNotNull();
            BigInteger old = responderSerial(basic(presigned));
            p.pki.clock.advance(Duration.ofMinutes(1));
            p.pki.authority.revoke(new RevocationRequest("issuing", new SerialNumber(old), RevocationReason.KEY_COMPROMISE, "test"));

            p.preSigner.sweep();
            byte[] replaced = p.cached(request);
            assertThat(replaced).as("re-signed by the sweep").isNotNull();
            BasicOCSPResp r = basic(replaced);
            BigInteger fresh = responderSerial(r);
            assertThat(fresh).isNotEqualTo(old);
            assertThat(r.getCerts()[0].getIssuer()).isEqualTo(p.pki.issuing.certificate().getSubject());
            assertThat(r.isSignatureValid(new JcaContentVerifierProviderBuilder().build(r.getCerts()[0]))).isTrue();
            byte[] nonce = OcspClient.request(OcspClient.nonce(16), OcspClient.id(p.pki.issuing.certificate(),
                    cert.record().serial().value()));
            assertThat(responderSerial(basic(p.ask(nonce)))).isEqualTo(fresh);
            assertThat(only(basic(p.ask(p.request(old)))).getCertStatus()).isInstanceOf(RevokedStatus.class);
        }
    }

    /**
     * The replacement key's alias is {@code ocsp-<ca>-<epoch second>}: a responder certificate revoked within the second
     * it was issued in (or two nodes sharing the token issuing in the same second) must still be replaced.
     */
    @Test
    void aResponderCertificateRevokedInTheSecondOfItsIssuanceIsStillReplaced() throws Exception {
        try (Parts p = new Parts(Duration.ofDays(4))) {
            IssuedCertificate cert = issue(p.pki, "same-second.ocsp.example");
            byte[] request = p.request(cert.record().serial().value());
            BigInteger old = responderSerial(basic(p.ask(request)));
            p.pki.authority.revoke(new RevocationRequest("issuing", new SerialNumber(old), RevocationReason.KEY_COMPROMISE, "test"));
            // The clock has not moved: a new key named after the current second would take the revoked one's alias.
            org.assertj.core.api.Assertions.assertThatCode(p.preSigner::sweep).as("the sweep replacing the responder")
                    .doesNotThrowAnyException();
            assertThat(responderSerial(basic(p.ask(request)))).isNotEqualTo(old);
        }
    }

    // --- the responder's parts, wired as OcspEndpoint wires them, with the pre-signer driven by hand ---

    /** Cache, signer, responder keys, responder and pre-signer over a fresh {@link TestPki}; sweeps run when called. */
    static final class Parts implements AutoCloseable {
        final TestPki pki = TestPki.create();
        final ResponseCache cache = new ResponseCache(10_000);
        final OcspResponder responder;
        final PreSigner preSigner;

        Parts(Duration validity) {
            RevocationSettings.Ocsp settings = new RevocationSettings.Ocsp(RevocationSettings.Signer.DELEGATED, validity, 8,
                    true, 10_000, Duration.ofSeconds(2));
            OcspMetrics metrics = new OcspMetrics(new SimpleMeterRegistry(), cache::size);
            ResponseSigner signer = new ResponseSigner(pki.token, validity);
            ResponderKeys keys = new ResponderKeys(pki.authority, pki.token, settings, pki.clock);
            responder = new OcspResponder(pki.authority, keys, cache, signer, settings, pki.clock, metrics);
            preSigner = new PreSigner(pki.authority, responder, keys, cache, signer, settings, pki.ledger, pki.clock, metrics, 2);
            pki.authority.addObserver(preSigner);
        }

        byte[] request(BigInteger serial) {
            return OcspClient.request(OcspClient.id(pki.issuing.certificate(), serial));
        }

        /** The response the event loop would send without signing, or null when a worker must sign. */
        byte[] cached(byte[] request) {
            return responder.lookup(request) instanceof OcspResponder.Ready ready ? ready.der() : null;
        }

        /** The response, from the cache or signed. */
        byte[] ask(byte[] request) {
            OcspResponder.Outcome o = responder.lookup(request);
            return o instanceof OcspResponder.Ready ready ? ready.der()
                    : responder.answer(((OcspResponder.Pending) o).query()).der();
        }

        @Override
        public void close() {
            preSigner.close();
            pki.close();
        }
    }

    // --- helpers ---

    static IssuedCertificate issue(TestPki pki, String name) {
        return pki.issue("tls-server", TestCsr.of(name, TestCsr.withFreshKey()));
    }

    static SingleResp only(BasicOCSPResp r) {
        assertThat(r.getResponses()).hasSize(1);
        return r.getResponses()[0];
    }

    static BasicOCSPResp basic(byte[] der) {
        try {
            OCSPResp r = new OCSPResp(der);
            assertThat(r.getStatus()).as("OCSPResponseStatus").isEqualTo(OCSPResp.SUCCESSFUL);
            return (BasicOCSPResp) r.getResponseObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (OCSPException e) {
            throw new IllegalStateException(e);
        }
    }

    static int status(HttpResponse<byte[]> r) {
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue(OcspHandler.RESPONSE_TYPE);
        return OcspClient.parse(r).getStatus();
    }

    static BigInteger responderSerial(BasicOCSPResp r) {
        assertThat(r.getCerts()).as("a delegated responder certificate in the response").hasSize(1);
        return r.getCerts()[0].getSerialNumber();
    }

    static Duration window(SingleResp s) {
        return Duration.between(s.getThisUpdate().toInstant(), s.getNextUpdate().toInstant());
    }

    /** thisUpdate ≤ now < nextUpdate, and nextUpdate − thisUpdate within [8 h, 7 d] (BR 4.9.10). */
    static void assertWindowContains(SingleResp s, Instant now) {
        assertThat(s.getThisUpdate().toInstant()).as("thisUpdate").isBeforeOrEqualTo(now);
        assertThat(s.getNextUpdate()).as("nextUpdate present").isNotNull();
        assertThat(s.getNextUpdate().toInstant()).as("nextUpdate").isAfter(now);
        assertThat(window(s)).isBetween(Duration.ofHours(8), Duration.ofDays(7));
    }

    /** RFC 5019 6.2: shared caches must not keep the response past its nextUpdate. */
    static void assertMaxAgeWithinNextUpdate(HttpResponse<byte[]> r, Instant now) {
        String cacheControl = r.headers().firstValue("Cache-Control").orElse("");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("max-age=(\\d+)").matcher(cacheControl);
        if (m.find()) {
            Instant next = only(OcspClient.basic(r)).getNextUpdate().toInstant();
            assertThat(now.plusSeconds(Long.parseLong(m.group(1)))).isBeforeOrEqualTo(next);
        }
    }

    static long ocspUrls(X509CertificateHolder cert) {
        AuthorityInformationAccess aia = AuthorityInformationAccess.fromExtensions(cert.getExtensions());
        if (aia == null) {
            return 0;
        }
        return java.util.Arrays.stream(aia.getAccessDescriptions())
                .filter(d -> d.getAccessMethod().equals(AccessDescription.id_ad_ocsp)).count();
    }
}
