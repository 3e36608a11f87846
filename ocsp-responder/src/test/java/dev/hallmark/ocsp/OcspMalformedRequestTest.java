package dev.hallmark.ocsp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hallmark.authority.IssuedCertificate;
import dev.hallmark.authority.RevocationReason;
import dev.hallmark.authority.RevocationRequest;
import dev.hallmark.authority.testing.TestCsr;
import dev.hallmark.server.Listener;
import dev.hallmark.server.testing.TestServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.Socket;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.CertID;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile and malformed OCSP requests over {@code POST /ocsp} and {@code GET /ocsp/<b64>} (RELIABILITY T35, T36):
 * every one gets HTTP 200 with an {@code application/ocsp-response} carrying an error status (never {@code good}, never
 * a 500), nothing stored changes, and the server answers the next good request. The well-formed edge cases next to
 * them (exactly {@code ocsp.maxCertIds} CertIDs, an unknown non-critical extension, 1- and 32-octet nonces) are
 * answered.
 */
class OcspMalformedRequestTest {
    /** The default {@code ocsp.maxCertIds}. */
    static final int MAX_CERT_IDS = 8;
    static final ASN1ObjectIdentifier UNKNOWN_EXTENSION = new ASN1ObjectIdentifier("1.3.6.1.4.1.55555.1.1");
    static final ASN1ObjectIdentifier MD5 = new ASN1ObjectIdentifier("1.2.840.113549.2.5");

    static TestServer server;
    static OcspClient client;
    static IssuedCertificate good;
    static IssuedCertificate revoked;
    private Stored before;

    @BeforeAll
    static void start() {
        server = TestServer.builder().endpoints(new OcspEndpoint()).start();
        client = new OcspClient(server);
        good = server.pki.issue("tls-server", TestCsr.of("good.malformed.example", TestCsr.withFreshKey()));
        revoked = server.pki.issue("tls-server", TestCsr.of("revoked.malformed.example", TestCsr.withFreshKey()));
        server.pki.authority.revoke(new RevocationRequest("issuing", revoked.record().serial(),
                RevocationReason.KEY_COMPROMISE, "test"));
        // Warm-up: the first good answer issues the delegated responder certificate, so no later case does.
        assertThat(only(successful(answer(client.post(goodRequest())))).getCertStatus()).isNull();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void snapshot() {
        before = stored();
    }

    /** Nothing a request does, malformed or answered, changes what is stored (T35: no side effects). */
    @AfterEach
    void nothingStoredChanged() {
        assertThat(stored()).isEqualTo(before);
    }

    // --- malformed bodies and media types (POST) ---

    static Stream<Arguments> malformedPostBodies() {
        return Stream.of(
                body("empty body", () -> new byte[0]),
                body("garbage bytes", () -> "this is not an OCSP request at all".getBytes(StandardCharsets.US_ASCII)),
                body("random bytes", () -> OcspClient.nonce(200)),
                body("truncated by one byte", () -> Arrays.copyOf(goodRequest(), goodRequest().length - 1)),
                body("truncated by half", () -> Arrays.copyOf(goodRequest(), goodRequest().length / 2)),
                body("trailing garbage after a valid request", () -> concat(goodRequest(), new byte[] {0, 0})),
                body("two valid requests back to back", () -> concat(goodRequest(), goodRequest())),
                body("a certificate instead of a request", () -> good.record().der()),
                body("an empty requestList", () -> seq(seq(seq()))),
                body("version v2", () -> seq(seq(tlv(0xa0, tlv(0x02, new byte[] {1})), seq(request(certId(goodId())))))),
                body("maxCertIds + 1 CertIDs", () -> OcspClient.request(ids(MAX_CERT_IDS + 1))),
                body("an unknown critical request extension", () -> requestWith(unknownExtension(true), goodId())),
                body("an unknown critical singleRequestExtension", () -> requestWithSingleExtension(
                        unknownExtension(true))),
                body("a nonce of 0 octets", () -> OcspClient.request(new byte[0], goodId())),
                body("a nonce of 33 octets", () -> OcspClient.request(OcspClient.nonce(33), goodId())),
                body("hash algorithm parameters that are not NULL", () -> seq(seq(seq(request(seq(
                        der(new AlgorithmIdentifier(CertificateID.HASH_SHA1.getAlgorithm(), new DEROctetString(new byte[1]))),
                        der(goodId().toASN1Primitive().getIssuerNameHash()), der(goodId().toASN1Primitive().getIssuerKeyHash()),
                        der(goodId().toASN1Primitive().getSerialNumber()))))))),
                body("8,000 nested indefinite-length SEQUENCE headers (16,000 bytes)",
                        () -> repeat(new byte[] {0x30, (byte) 0x80}, 8_000)),
                body("definite-length SEQUENCEs nested as deep as 16 KiB allows", () -> nested(OcspQuery.MAX_BYTES)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedPostBodies")
    void malformedBodiesGetMalformedRequest(Supplier<byte[]> body) {
        assertError(answer(client.post(body.get())), OCSPResp.MALFORMED_REQUEST);
        assertGoodRequestsStillAnswered();
    }

    @ParameterizedTest(name = "Content-Type: {0}")
    @ValueSource(strings = {"text/plain", "application/octet-stream", "application/ocsp-response", "none"})
    void aWrongOrMissingContentTypeIsMalformed(String type) {
        assertError(answer(client.post(goodRequest(), "none".equals(type) ? null : type)), OCSPResp.MALFORMED_REQUEST);
    }

    // --- malformed GET paths ---

    static Stream<Arguments> malformedGetPaths() {
        return Stream.of(
                path("invalid base64 '!!!!'", () -> "!!!!"),
                path("a bad %-escape '%ZZ'", () -> "%ZZ"),
                path("a truncated %-escape '%4'", () -> "%4"),
                path("a bad %-escape inside valid base64", () -> url(goodRequest()).substring(0, 8) + "%G1" + url(goodRequest()).substring(8)),
                path("nothing after /ocsp/", () -> ""),
                path("valid base64 of garbage", () -> url("not an OCSP request".getBytes(StandardCharsets.US_ASCII))),
                path("valid base64 of a truncated request", () -> url(Arrays.copyOf(goodRequest(), goodRequest().length - 1))),
                path("> 255 characters of valid base64 (several CertIDs and a nonce)", () -> {
                    byte[] big = OcspClient.request(OcspClient.nonce(32), ids(3));
                    assertThat(Base64.getEncoder().encodeToString(big).length()).isGreaterThan(OcspHandler.MAX_GET);
                    return url(big);
                }),
                path("a nested SEQUENCE bomb within 255 characters", () -> url(nested(180))),
                path("a nonce of 33 octets", () -> url(OcspClient.request(OcspClient.nonce(33), goodId()))),
                path("an unknown critical request extension", () -> url(requestWith(unknownExtension(true), goodId()))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedGetPaths")
    void malformedGetsGetMalformedRequest(Supplier<String> encoded) {
        assertError(rawGet("/ocsp/" + encoded.get()), OCSPResp.MALFORMED_REQUEST);
        assertGoodRequestsStillAnswered();
    }

    @Test
    void getWithoutTheSlashIsMalformed() {
        assertError(rawGet("/ocsp"), OCSPResp.MALFORMED_REQUEST);
    }

    // --- the CertID cap ---

    @Test
    void aThousandCertIdsAreRefusedBeforeAnySignature() {
        byte[] thousand = OcspClient.request(ids(1_000));
        assertThat(thousand.length).as("1,000 CertIDs cannot fit the 16 KiB body limit").isGreaterThan(OcspQuery.MAX_BYTES);
        Answer a = answer(client.post(thousand));
        // Past the 16 KiB body limit the listener may answer 413 before the OCSP handler sees a byte.
        assertRefusedOrMalformed(a);
        // The smallest possible encoding of 1,000 CertIDs (empty hashes, 1-octet serials) still exceeds 16 KiB, so the
        // cap itself is reached through maxCertIds + 1 (malformedBodiesGetMalformedRequest) and a compact 100.
        byte[] compact = seq(seq(seq(IntStream.range(0, 100).mapToObj(i -> request(seq(der(new AlgorithmIdentifier(
                CertificateID.HASH_SHA1.getAlgorithm(), DERNull.INSTANCE)), tlv(0x04), tlv(0x04), tlv(0x02, new byte[] {1}))))
                .toArray(byte[][]::new))));
        assertThat(compact.length).isLessThan(OcspQuery.MAX_BYTES);
        assertError(answer(client.post(compact)), OCSPResp.MALFORMED_REQUEST);
        assertGoodRequestsStillAnswered();
    }

    @Test
    void exactlyMaxCertIdsAreAnswered() {
        CertificateID[] ids = ids(MAX_CERT_IDS);
        byte[] request = OcspClient.request(ids);
        BasicOCSPResp r = successful(answer(client.post(request)));
        assertThat(OcspClient.serials(r)).containsExactlyElementsOf(Arrays.stream(ids).map(CertificateID::getSerialNumber).toList());
        assertThat(r.getResponses()[0].getCertStatus()).isNull();
        assertThat(r.getResponses()[1].getCertStatus()).isInstanceOf(RevokedStatus.class);
        for (int i = 2; i < MAX_CERT_IDS; i++) {
            assertThat(r.getResponses()[i].getCertStatus()).isInstanceOf(UnknownStatus.class);
        }
    }

    // --- extensions and nonces ---

    @ParameterizedTest(name = "GET={0}")
    @ValueSource(booleans = {false, true})
    void anUnknownNonCriticalRequestExtensionIsIgnored(boolean get) throws Exception {
        byte[] request = requestWith(unknownExtension(false), goodId());
        BasicOCSPResp r = successful(get ? rawGet("/ocsp/" + url(request)) : answer(client.post(request)));
        assertThat(only(r).getCertStatus()).isNull();
        assertThat(r.getExtension(UNKNOWN_EXTENSION)).isNull();
    }

    @ParameterizedTest(name = "{0} octets")
    @ValueSource(ints = {1, 16, 32})
    void aValidNonceIsEchoedByteForByte(int length) throws Exception {
        byte[] nonce = OcspClient.nonce(length);
        Extension sent = new Extension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce, false, new DEROctetString(new DEROctetString(nonce)));
        byte[] request = requestWith(sent, goodId());
        for (Answer a : new Answer[] {answer(client.post(request)), rawGet("/ocsp/" + url(request))}) {
            BasicOCSPResp r = successful(a);
            assertThat(only(r).getCertStatus()).isNull();
            Extension echoed = r.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce);
            assertThat(echoed).isNotNull();
            assertThat(echoed.getEncoded()).isEqualTo(sent.getEncoded());
        }
    }

    @ParameterizedTest(name = "GET={0}")
    @ValueSource(booleans = {false, true})
    void badNonceLengthsAreMalformedOverPostAndGet(boolean get) {
        for (int length : new int[] {0, 33, 64}) {
            byte[] request = OcspClient.request(OcspClient.nonce(length), goodId());
            assertError(get ? rawGet("/ocsp/" + url(request)) : answer(client.post(request)), OCSPResp.MALFORMED_REQUEST);
        }
    }

    // --- serial encodings (T36) ---

    static Stream<Arguments> serialEncodings() {
        return Stream.of(
                Arguments.of(Named.of("minimal (control)", (Supplier<byte[]>) () -> revoked.record().serial().value().toByteArray()), true),
                Arguments.of(Named.of("leading 0x00 (non-minimal)", (Supplier<byte[]>) () -> concat(new byte[] {0},
                        revoked.record().serial().value().toByteArray())), false),
                Arguments.of(Named.of("two leading 0x00 (non-minimal)", (Supplier<byte[]>) () -> concat(new byte[] {0, 0},
                        revoked.record().serial().value().toByteArray())), false),
                Arguments.of(Named.of("negative (two's complement of -serial)", (Supplier<byte[]>) () ->
                        revoked.record().serial().value().negate().toByteArray()), false),
                Arguments.of(Named.of("negative with the revoked serial's low bytes (leading 0xFF)", (Supplier<byte[]>) () ->
                        concat(new byte[] {(byte) 0xff}, revoked.record().serial().value().toByteArray())), false));
    }

    /**
     * A hand-assembled CertID whose serial INTEGER is encoded as given (BouncyCastle will not build non-minimal
     * integers). Non-minimal and negative serials get {@code malformedRequest} or a canonical lookup, the same over POST
     * and GET, and never {@code good} for the revoked certificate they name.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("serialEncodings")
    void serialEncodingsAreCanonicalOrMalformedTheSameOverPostAndGet(Supplier<byte[]> serialContent, boolean canonical)
            throws Exception {
        byte[] request = seq(seq(seq(request(certId(revokedId(), serialContent.get())))));
        Answer post = answer(client.post(request));
        Answer get = rawGet("/ocsp/" + url(request));
        for (Answer a : new Answer[] {post, get}) {
            assertOcspResponse(a);
        }
        OCSPResp p = new OCSPResp(post.body());
        assertThat(new OCSPResp(get.body()).getStatus()).as("POST and GET alike").isEqualTo(p.getStatus());
        if (canonical) {
            assertThat(only(successful(post)).getCertStatus()).isInstanceOf(RevokedStatus.class);
            assertThat(only(successful(get)).getCertStatus()).isInstanceOf(RevokedStatus.class);
            return;
        }
        if (p.getStatus() == OCSPResp.SUCCESSFUL) { // canonical lookup: must name the revoked certificate, or nothing
            for (Answer a : new Answer[] {post, get}) {
                assertThat(only(successful(a)).getCertStatus()).as("never good because of an encoding")
                        .isInstanceOfAny(RevokedStatus.class, UnknownStatus.class);
            }
        } else {
            assertThat(p.getStatus()).isEqualTo(OCSPResp.MALFORMED_REQUEST);
        }
    }

    /**
     * RFC 5019 2.1.1 clients send SHA-1 CertIDs with NULL parameters, others omit them (RFC 5754 allows both; this
     * suite's own BouncyCastle client omits them). A client that compares the CertID it sent with the one answered
     * (BouncyCastle's {@code CertificateID.equals}) must find its own, whichever of the two the cache happens to hold:
     * the pre-signer caches NULL, an on-demand answer caches whatever its requester sent.
     */
    @Test
    void theCertIdIsAnsweredAsItWasSentWhateverTheCacheHolds() {
        CertID real = goodId().toASN1Primitive();
        org.assertj.core.api.SoftAssertions soft = new org.assertj.core.api.SoftAssertions();
        for (AlgorithmIdentifier sha1 : new AlgorithmIdentifier[] {
                new AlgorithmIdentifier(CertificateID.HASH_SHA1.getAlgorithm(), DERNull.INSTANCE),
                new AlgorithmIdentifier(CertificateID.HASH_SHA1.getAlgorithm())}) {
            byte[] certId = seq(der(sha1), der(real.getIssuerNameHash()), der(real.getIssuerKeyHash()), der(real.getSerialNumber()));
            byte[] request = seq(seq(seq(request(certId))));
            for (Answer a : new Answer[] {answer(client.post(request)), rawGet("/ocsp/" + url(request))}) {
                SingleResp s = only(successful(a));
                assertThat(s.getCertStatus()).isNull();
                soft.assertThat(der(s.getCertID().toASN1Primitive())).as("the CertID answered to one with SHA-1 parameters %s",
                        sha1.getParameters() == null ? "absent" : "NULL").isEqualTo(certId);
            }
        }
        soft.assertAll();
    }

    // --- unsupported hash, oversized bodies ---

    @ParameterizedTest(name = "GET={0}")
    @ValueSource(booleans = {false, true})
    void anUnsupportedCertIdHashIsUnauthorized(boolean get) {
        CertID real = goodId().toASN1Primitive();
        byte[] md5 = seq(seq(seq(request(seq(der(new AlgorithmIdentifier(MD5, DERNull.INSTANCE)),
                tlv(0x04, new byte[16]), tlv(0x04, new byte[16]), der(real.getSerialNumber()))))));
        assertError(get ? rawGet("/ocsp/" + url(md5)) : answer(client.post(md5)), OCSPResp.UNAUTHORIZED);
    }

    @Test
    void aBodyOverSixteenKibIsRefusedAndTheServerStaysUsable() throws Exception {
        byte[] big = concat(goodRequest(), new byte[OcspQuery.MAX_BYTES + 1 - goodRequest().length]);
        assertRefusedOrMalformed(answer(client.post(big)));
        assertGoodRequestsStillAnswered();
        // The same without a Content-Length (chunked): the limit applies while the body is read.
        HttpResponse<byte[]> chunked = client.send(HttpRequest.newBuilder(server.http("/ocsp"))
                .header("Content-Type", OcspHandler.REQUEST_TYPE)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))).build());
        assertRefusedOrMalformed(answer(chunked));
        assertGoodRequestsStillAnswered();
        // On one raw connection: the refusal is a complete HTTP answer; afterwards the server takes new connections.
        Answer raw = raw("POST /ocsp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/ocsp-request\r\n"
                + "Content-Length: " + big.length + "\r\n\r\n", big);
        assertRefusedOrMalformed(raw);
        assertGoodRequestsStillAnswered();
        assertThat(only(successful(rawGet("/ocsp/" + url(goodRequest())))).getCertStatus()).isNull();
    }

    // --- helpers: assertions ---

    /** HTTP 200, application/ocsp-response, an OCSPResponse with exactly {@code status} and no responseBytes. */
    static void assertError(Answer a, int status) {
        assertOcspResponse(a);
        try {
            OCSPResp r = new OCSPResp(a.body());
            assertThat(r.getStatus()).as("OCSPResponseStatus").isEqualTo(status);
            assertThat(r.getStatus()).as("never successful").isNotEqualTo(OCSPResp.SUCCESSFUL);
            assertThat(r.getResponseObject()).as("an error status carries no responseBytes").isNull();
        } catch (IOException | OCSPException e) {
            throw new AssertionError("not an OCSPResponse", e);
        }
    }

    static void assertOcspResponse(Answer a) {
        assertThat(a.status()).as("HTTP status (body: %s)", a.printable()).isEqualTo(200);
        assertThat(a.contentType()).isEqualTo(OcspHandler.RESPONSE_TYPE);
    }

    /** Either the listener's 413 (no 5xx, no stack trace) or the OCSP malformedRequest; never anything successful. */
    static void assertRefusedOrMalformed(Answer a) {
        assertThat(a.status()).as("HTTP status").isIn(200, 413);
        if (a.status() == 200) {
            assertError(a, OCSPResp.MALFORMED_REQUEST);
        } else {
            assertThat(a.printable()).doesNotContain("Exception", "\tat ");
        }
    }

    static void assertGoodRequestsStillAnswered() {
        assertThat(only(successful(answer(client.post(goodRequest())))).getCertStatus()).isNull();
    }

    static BasicOCSPResp successful(Answer a) {
        assertOcspResponse(a);
        try {
            OCSPResp r = new OCSPResp(a.body());
            assertThat(r.getStatus()).as("OCSPResponseStatus").isEqualTo(OCSPResp.SUCCESSFUL);
            return (BasicOCSPResp) r.getResponseObject();
        } catch (IOException | OCSPException e) {
            throw new AssertionError("not an OCSPResponse", e);
        }
    }

    static SingleResp only(BasicOCSPResp r) {
        assertThat(r.getResponses()).hasSize(1);
        return r.getResponses()[0];
    }

    /** What is stored, apart from the background OCSP/CRL signing records and ledger checkpoints. */
    record Stored(long serials, long revoked, long certificates, long blockedKeys, long auditEntries) {
    }

    static Stored stored() {
        return server.pki.database.read(c -> {
            try (Statement st = c.createStatement()) {
                return new Stored(count(st, "SELECT COUNT(*) FROM serial_number"),
                        count(st, "SELECT COUNT(*) FROM serial_number WHERE revoked_at IS NOT NULL"),
                        count(st, "SELECT COUNT(*) FROM certificate"),
                        count(st, "SELECT COUNT(*) FROM blocked_key"),
                        count(st, "SELECT COUNT(*) FROM ledger_entry WHERE event_type NOT IN ('OCSP_SIGNING', 'OCSP_SIGNED',"
                                + " 'CRL_SIGNING', 'CRL_SIGNED', 'LEDGER_CHECKPOINT_SIGNED')"));
            }
        });
    }

    private static long count(Statement st, String sql) throws java.sql.SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    // --- helpers: requests ---

    static X509CertificateHolder issuing() {
        return server.pki.issuing.certificate();
    }

    static CertificateID goodId() {
        return OcspClient.id(issuing(), good.record().serial().value());
    }

    static CertificateID revokedId() {
        return OcspClient.id(issuing(), revoked.record().serial().value());
    }

    static byte[] goodRequest() {
        return OcspClient.request(goodId());
    }

    /** {@code n} CertIDs: the good one, the revoked one, then serials never issued. */
    static CertificateID[] ids(int n) {
        CertificateID[] ids = new CertificateID[n];
        for (int i = 0; i < n; i++) {
            ids[i] = i == 0 ? goodId() : i == 1 ? revokedId()
                    : OcspClient.id(issuing(), new BigInteger(1, OcspClient.nonce(16)).setBit(127));
        }
        return ids;
    }

    static Extension unknownExtension(boolean critical) {
        return new Extension(UNKNOWN_EXTENSION, critical, new DEROctetString(der(DERNull.INSTANCE)));
    }

    static byte[] requestWith(Extension extension, CertificateID... ids) {
        try {
            OCSPReqBuilder b = new OCSPReqBuilder();
            for (CertificateID id : ids) {
                b.addRequest(id);
            }
            return b.setRequestExtensions(new Extensions(extension)).build().getEncoded();
        } catch (IOException | OCSPException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] requestWithSingleExtension(Extension extension) {
        try {
            return new OCSPReqBuilder().addRequest(goodId(), new Extensions(extension)).build().getEncoded();
        } catch (IOException | OCSPException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A CertID like {@code id} but with the serial INTEGER's content octets exactly {@code serialContent}. */
    static byte[] certId(CertificateID id, byte[] serialContent) {
        CertID c = id.toASN1Primitive();
        return seq(der(c.getHashAlgorithm()), der(c.getIssuerNameHash()), der(c.getIssuerKeyHash()), tlv(0x02, serialContent));
    }

    static byte[] certId(CertificateID id) {
        return der(id.toASN1Primitive());
    }

    /** Request ::= SEQUENCE { reqCert CertID }. */
    static byte[] request(byte[] certId) {
        return seq(certId);
    }

    /** SEQUENCEs nested inside each other, as many as fit {@code maxBytes}. */
    static byte[] nested(int maxBytes) {
        byte[] inner = seq();
        while (true) {
            byte[] next = seq(inner);
            if (next.length > maxBytes) {
                return inner;
            }
            inner = next;
        }
    }

    // --- helpers: DER by hand ---

    static byte[] seq(byte[]... parts) {
        return tlv(0x30, parts);
    }

    static byte[] tlv(int tag, byte[]... parts) {
        byte[] content = concat(parts);
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
        out.write(tag);
        int n = content.length;
        if (n < 0x80) {
            out.write(n);
        } else if (n < 0x100) {
            out.write(0x81);
            out.write(n);
        } else if (n < 0x10000) {
            out.write(0x82);
            out.write(n >> 8);
            out.write(n);
        } else {
            out.write(0x83);
            out.write(n >> 16);
            out.write(n >> 8);
            out.write(n);
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    static byte[] der(ASN1Encodable e) {
        try {
            return e.toASN1Primitive().getEncoded("DER");
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static byte[] repeat(byte[] unit, int times) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(unit.length * times);
        for (int i = 0; i < times; i++) {
            out.writeBytes(unit);
        }
        return out.toByteArray();
    }

    /** The GET path segment a client sends: base64, then %-encoded. */
    static String url(byte[] request) {
        return URLEncoder.encode(Base64.getEncoder().encodeToString(request), StandardCharsets.US_ASCII);
    }

    private static Arguments body(String name, Supplier<byte[]> body) {
        return Arguments.of(Named.of(name, body));
    }

    private static Arguments path(String name, Supplier<String> path) {
        return Arguments.of(Named.of(name, path));
    }

    // --- helpers: HTTP ---

    /** One HTTP answer: status, media type, body. */
    record Answer(int status, String contentType, byte[] body) {
        String printable() {
            return new String(body, StandardCharsets.ISO_8859_1).replaceAll("[^\\x20-\\x7e\\t\\n]", ".");
        }
    }

    static Answer answer(HttpResponse<byte[]> r) {
        return new Answer(r.statusCode(), r.headers().firstValue("Content-Type").orElse(null), r.body());
    }

    /**
     * A GET over a raw socket: {@link java.net.URI} refuses paths like {@code /ocsp/%ZZ} that a hostile client
     * sends anyway.
     */
    static Answer rawGet(String path) {
        return raw("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", new byte[0]);
    }

    static Answer raw(String head, byte[] body) {
        try (Socket s = new Socket("127.0.0.1", server.port(Listener.HTTP))) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            return readAnswer(s.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Answer readAnswer(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed inside the response head: " + head);
            }
            head.append((char) b);
        }
        String[] lines = head.toString().split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
        }
        byte[] body;
        if (headers.containsKey("content-length")) {
            body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            while (true) {
                int size = Integer.parseInt(readLine(in).split(";")[0].trim(), 16);
                if (size == 0) {
                    break;
                }
                out.writeBytes(in.readNBytes(size));
                readLine(in);
            }
            body = out.toByteArray();
        } else {
            body = in.readAllBytes();
        }
        String type = headers.get("content-type");
        return new Answer(status, type, body);
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (b != '\r') {
                sb.append((char) b);
            }
        }
        return sb.toString();
    }
}
