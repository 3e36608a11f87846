package dev.hallmark.bench;

import dev.hallmark.authority.testing.TestCsr;
import java.util.Locale;

/**
 * Where one issuance's wall-clock time goes, single-threaded: runs issuances for a warm-up period, then for a
 * measured period, and prints the mean microseconds per certificate spent in each seam {@link Stages} times.
 * Not a JMH benchmark; a companion to the JFR profile.
 *
 * <p>Usage: {@code bench/run --breakdown [soft|softhsm] [h2file|postgresql] [seconds]}.
 */
public final class Breakdown {
    private Breakdown() {
    }

    public static void main(String[] args) {
        String token = args.length > 0 ? args[0] : "softhsm";
        String db = args.length > 1 ? args[1] : "h2file";
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 15;
        Stages stages = new Stages();
        try (BenchPki pki = BenchPki.open(BenchPki.TokenKind.valueOf(token.toUpperCase(Locale.ROOT)),
                BenchPki.DbKind.valueOf(db.toUpperCase(Locale.ROOT)), stages)) {
            byte[][] csrs = new byte[IssuanceBenchmark.RING][];
            for (int i = 0; i < csrs.length; i++) {
                csrs[i] = TestCsr.of("host-" + i + ".bench.example", TestCsr.withFreshKey());
            }
            run(pki, csrs, seconds * 1_000_000_000L);
            stages.reset();
            com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            long processCpu = os.getProcessCpuTime();
            long threadCpu = threads.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            long n = run(pki, csrs, seconds * 1_000_000_000L);
            double totalMicros = (System.nanoTime() - start) / 1e3 / n;
            double processMicros = (os.getProcessCpuTime() - processCpu) / 1e3 / n;
            double threadMicros = (threads.getCurrentThreadCpuTime() - threadCpu) / 1e3 / n;
            double sign = stages.microsPer(Stages.Stage.TOKEN_SIGN, n);
            double verified = stages.microsPer(Stages.Stage.VERIFIED_SIGN, n);
            double blocked = stages.microsPer(Stages.Stage.IS_BLOCKED, n);
            double reserve = stages.microsPer(Stages.Stage.RESERVE, n);
            double complete = stages.microsPer(Stages.Stage.COMPLETE, n);
            double ca = stages.microsPer(Stages.Stage.CA_LOOKUP, n);
            double serial = stages.microsPer(Stages.Stage.SERIAL_LOOKUP, n);
            double other = stages.microsPer(Stages.Stage.OTHER_STORE, n);
            double jvm = totalMicros - verified - blocked - reserve - complete - ca - serial - other;
            System.out.printf(Locale.ROOT, "%s on %s, 1 thread, %d issuances in %d s: %.0f/s, %.1f us each%n",
                    token, db, n, seconds, 1e6 / totalMicros, totalMicros);
            System.out.printf(Locale.ROOT, "  CPU per issuance: %.1f us on the issuing thread, %.1f us in the whole JVM"
                    + " (GC, JIT, H2 background threads included; a PostgreSQL server's own CPU is not);"
                    + " %d cores at that cost: %.0f/s%n", threadMicros, processMicros,
                    Runtime.getRuntime().availableProcessors(),
                    Runtime.getRuntime().availableProcessors() * 1e6 / processMicros);
            row("step 5 sign in token (raw)", sign, totalMicros);
            row("step 5 verify after sign (VerifyingToken)", verified - sign, totalMicros);
            row("step 1 blocked-key lookup (SQL read)", blocked, totalMicros);
            row("step 4 reserve serial + 'signing' entry + commit", reserve, totalMicros);
            row("step 6 store cert + 'issued' entry + commit", complete, totalMicros);
            row("CA record lookups (SQL, " + per(stages, Stages.Stage.CA_LOOKUP, n) + " calls each)", ca, totalMicros);
            row("serial/certificate lookups (SQL, " + per(stages, Stages.Stage.SERIAL_LOOKUP, n) + " calls each)",
                    serial, totalMicros);
            row("other store calls (" + per(stages, Stages.Stage.OTHER_STORE, n) + " calls each)", other, totalMicros);
            row("in-JVM work: CSR/PoP, policy, shape, lint, assemble", jvm, totalMicros);
            // The same key and data in a tight loop, for comparison with the sign inside issuance.
            byte[] tbs = new byte[600];
            long end = System.nanoTime() + 3_000_000_000L;
            long signs = 0;
            long t0 = System.nanoTime();
            while (System.nanoTime() < end) {
                pki.rawToken.sign(pki.issuing.key(), dev.hallmark.hsm.SignatureAlgorithm.ECDSA_SHA256, tbs);
                signs++;
            }
            System.out.printf(Locale.ROOT, "  raw sign in a tight loop, same JVM and key: %.1f us each%n",
                    (System.nanoTime() - t0) / 1e3 / signs);
        }
    }

    private static long run(BenchPki pki, byte[][] csrs, long nanos) {
        long end = System.nanoTime() + nanos;
        long n = 0;
        while (System.nanoTime() < end) {
            pki.authority.issue(pki.request("tls-server", csrs[(int) (n % csrs.length)]));
            n++;
        }
        return n;
    }

    private static String per(Stages stages, Stages.Stage stage, long n) {
        return String.format(Locale.ROOT, "%.1f", (double) stages.calls(stage) / n);
    }

    private static void row(String what, double micros, double total) {
        System.out.printf(Locale.ROOT, "  %-55s %8.1f us  %5.1f%%%n", what, micros, 100 * micros / total);
    }
}
