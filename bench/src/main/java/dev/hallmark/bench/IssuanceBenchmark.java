package dev.hallmark.bench;

import dev.hallmark.authority.IssuedCertificate;
import dev.hallmark.authority.testing.TestCsr;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * Full issuance through {@code Authority.issue}: CSR parse and proof of possession, policy, profile, lint, serial
 * and intent with the "signing" ledger entry (one transaction), sign through the {@code VerifyingToken}, assemble
 * and re-parse, store with the "issued" ledger entry (one transaction). One operation is one certificate that is
 * stored and audited. The CSRs are a ring of {@value #RING} pre-built P-256 requests with distinct keys and names.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 10)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {Jvm.PKCS11_EXPORTS, Jvm.SOFTHSM_TOKENS, Jvm.HEAP})
public class IssuanceBenchmark {
    static final int RING = 64;

    @Param({"soft", "softhsm"})
    public String token;

    @Param({"h2file", "postgresql"})
    public String db;

    private BenchPki pki;
    private byte[][] csrs;
    private final AtomicInteger next = new AtomicInteger();

    @Setup(Level.Trial)
    public void setUp() {
        pki = BenchPki.open(BenchPki.TokenKind.valueOf(token.toUpperCase(Locale.ROOT)),
                BenchPki.DbKind.valueOf(db.toUpperCase(Locale.ROOT)));
        csrs = new byte[RING][];
        for (int i = 0; i < RING; i++) {
            csrs[i] = TestCsr.of("host-" + i + ".bench.example", TestCsr.withFreshKey());
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        System.out.println("# certificates stored in this trial: " + pki.certificates());
        pki.close();
    }

    @Benchmark
    @Threads(1)
    public IssuedCertificate issue1() {
        return issue();
    }

    @Benchmark
    @Threads(2)
    public IssuedCertificate issue2() {
        return issue();
    }

    private IssuedCertificate issue() {
        byte[] csr = csrs[(next.getAndIncrement() & Integer.MAX_VALUE) % RING];
        return pki.authority.issue(pki.request("tls-server", csr));
    }
}
