package dev.hallmark.bench;

import dev.hallmark.hsm.SignatureAlgorithm;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.x509.Certificate;
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
 * The signing ceiling: one ECDSA P-256 signature over a real leaf TBS (the one the fixture's first issuance
 * produced) with the issuing CA's key, on the raw token ({@code raw*}) and through the {@code VerifyingToken} the
 * issuer uses, which verifies each signature in software before releasing it ({@code verified*}). The fixture is
 * the one {@link IssuanceBenchmark} uses, on an H2 file database (the database plays no part in signing).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 10)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {Jvm.PKCS11_EXPORTS, Jvm.SOFTHSM_TOKENS, Jvm.HEAP})
public class SignBenchmark {

    @Param({"soft", "softhsm"})
    public String token;

    private BenchPki pki;
    private byte[] tbs;

    @Setup(Level.Trial)
    public void setUp() throws java.io.IOException {
        pki = BenchPki.open(BenchPki.TokenKind.valueOf(token.toUpperCase(Locale.ROOT)), BenchPki.DbKind.H2FILE);
        byte[] der = pki.authority.issue(pki.request("tls-server",
                dev.hallmark.authority.testing.TestCsr.of("sign.bench.example"))).record().der();
        tbs = Certificate.getInstance(der).getTBSCertificate().getEncoded(ASN1Encoding.DER);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pki.close();
    }

    @Benchmark
    @Threads(1)
    public byte[] raw1() {
        return pki.rawToken.sign(pki.issuing.key(), SignatureAlgorithm.ECDSA_SHA256, tbs);
    }

    @Benchmark
    @Threads(2)
    public byte[] raw2() {
        return pki.rawToken.sign(pki.issuing.key(), SignatureAlgorithm.ECDSA_SHA256, tbs);
    }

    @Benchmark
    @Threads(1)
    public byte[] verified1() {
        return pki.token.sign(pki.issuing.key(), SignatureAlgorithm.ECDSA_SHA256, tbs);
    }

    @Benchmark
    @Threads(2)
    public byte[] verified2() {
        return pki.token.sign(pki.issuing.key(), SignatureAlgorithm.ECDSA_SHA256, tbs);
    }
}
