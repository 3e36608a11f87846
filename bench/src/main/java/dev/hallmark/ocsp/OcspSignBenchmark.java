package dev.hallmark.ocsp;

import dev.hallmark.authority.IssuedCertificate;
import dev.hallmark.authority.testing.TestCsr;
import dev.hallmark.bench.BenchPki;
import dev.hallmark.config.ConfigNode;
import dev.hallmark.config.RevocationSettings;
import dev.hallmark.hsm.SignatureAlgorithm;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ocsp.BasicOCSPResponse;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * OCSP signing on a cache miss against the raw signing rate of the responder key (the issue's target: the miss path
 * reaches at least 60 % of raw SoftHSM P-256 OCSP signing). {@code raw*} signs one real tbsResponseData with the
 * delegated responder key on the raw token; {@code miss*} is the whole miss path of {@link OcspResponder#answer}:
 * CertID to CA, the serial's status from the database, building and signing the response, with a cache that holds
 * nothing; {@code hit*} is the cached path {@link OcspResponder#lookup} (parse and look up; the HTTP cost is measured
 * by bench/ocsp-load).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 10)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {"--add-exports=jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED",
        "-Dhallmark.softhsm.tokens=2", "-Xmx2g"})
public class OcspSignBenchmark {

    @Param({"softhsm"})
    public String token;

    private BenchPki pki;
    private OcspResponder missing;
    /** The miss path on the raw token: without the software verification of every signature (RELIABILITY T53). */
    private OcspResponder unverified;
    private OcspResponder caching;
    private OcspQuery query;
    private OcspQuery[] queries;
    private byte[] request;
    private byte[] tbsResponseData;
    private ResponderKey responderKey;
    private SimpleMeterRegistry registry;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        pki = BenchPki.open(BenchPki.TokenKind.valueOf(token.toUpperCase(Locale.ROOT)), BenchPki.DbKind.H2FILE);
        IssuedCertificate cert = pki.authority.issue(pki.request("tls-server", TestCsr.of("ocsp.bench.example")));
        RevocationSettings.Ocsp settings = RevocationSettings.from(ConfigNode.parse("bench.yaml", "{}")).ocsp();
        Clock clock = Clock.systemUTC();
        registry = new SimpleMeterRegistry();
        OcspMetrics metrics = new OcspMetrics(registry, () -> 0);
        ResponderKeys keys = new ResponderKeys(pki.authority, pki.token, settings, clock);
        ResponseSigner signer = new ResponseSigner(pki.token, settings.validity());
        missing = new OcspResponder(pki.authority, keys, new ResponseCache(0), signer, settings, clock, metrics);
        unverified = new OcspResponder(pki.authority, keys, new ResponseCache(0), new ResponseSigner(pki.rawToken,
                settings.validity()), settings, clock, metrics);
        caching = new OcspResponder(pki.authority, keys, new ResponseCache(10), signer, settings, clock, metrics);
        request = new org.bouncycastle.cert.ocsp.OCSPReqBuilder().addRequest(new org.bouncycastle.cert.ocsp.CertificateID(
                new org.bouncycastle.operator.bc.BcDigestCalculatorProvider().get(org.bouncycastle.cert.ocsp.CertificateID.HASH_SHA1),
                pki.issuing.certificate(), cert.record().serial().value())).build().getEncoded();
        query = OcspQuery.parse(request, settings.maxCertIds());
        // Distinct certificates, so concurrent misses never share one signature (they would in production, rightly).
        queries = new OcspQuery[256];
        for (int i = 0; i < queries.length; i++) {
            IssuedCertificate c = pki.authority.issue(pki.request("tls-server", TestCsr.of("ocsp" + i + ".bench.example")));
            queries[i] = OcspQuery.parse(new org.bouncycastle.cert.ocsp.OCSPReqBuilder().addRequest(
                    new org.bouncycastle.cert.ocsp.CertificateID(new org.bouncycastle.operator.bc.BcDigestCalculatorProvider()
                            .get(org.bouncycastle.cert.ocsp.CertificateID.HASH_SHA1), pki.issuing.certificate(),
                            c.record().serial().value())).build().getEncoded(), settings.maxCertIds());
        }
        OcspResponder.Ready ready = missing.answer(query);
        BasicOCSPResp basic = (BasicOCSPResp) new OCSPResp(ready.der()).getResponseObject();
        tbsResponseData = BasicOCSPResponse.getInstance(basic.getEncoded()).getTbsResponseData().getEncoded(ASN1Encoding.DER);
        responderKey = keys.forCa("issuing");
        caching.answer(query); // fills the cache
        if (!(caching.lookup(request) instanceof OcspResponder.Ready)) {
            throw new IllegalStateException("the caching responder did not cache");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        // Only successful answers count: an error status (tryLater) would be fast and meaningless.
        registry.find("hallmark.ocsp.responses").counters().forEach(c -> System.out.printf("# responses %s %s: %.0f%n",
                c.getId().getTag("status"), c.getId().getTag("source"), c.count()));
        pki.close();
    }

    @Benchmark
    @Threads(1)
    public byte[] raw1() {
        return pki.rawToken.sign(responderKey.key(), SignatureAlgorithm.ECDSA_SHA256, tbsResponseData);
    }

    @Benchmark
    @Threads(2)
    public byte[] raw2() {
        return pki.rawToken.sign(responderKey.key(), SignatureAlgorithm.ECDSA_SHA256, tbsResponseData);
    }

    /** Each benchmark thread walks the certificates from its own offset. */
    @State(Scope.Thread)
    public static class Cursor {
        private static final java.util.concurrent.atomic.AtomicInteger OFFSET = new java.util.concurrent.atomic.AtomicInteger();
        int next = OFFSET.getAndAdd(128);
    }

    @Benchmark
    @Threads(1)
    public byte[] miss1(Cursor c) {
        return missing.answer(queries[c.next++ & 255]).der();
    }

    @Benchmark
    @Threads(2)
    public byte[] miss2(Cursor c) {
        return missing.answer(queries[c.next++ & 255]).der();
    }

    @Benchmark
    @Threads(1)
    public byte[] missUnverified1(Cursor c) {
        return unverified.answer(queries[c.next++ & 255]).der();
    }

    @Benchmark
    @Threads(2)
    public Object hit2() {
        return caching.lookup(request);
    }
}
