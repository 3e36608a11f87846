package dev.hallmark.bench;

import dev.hallmark.authority.IssuanceRequest;
import dev.hallmark.authority.Provenance;
import dev.hallmark.authority.RevocationReason;
import dev.hallmark.authority.RevocationRequest;
import dev.hallmark.authority.SerialNumber;
import dev.hallmark.authority.testing.TestCsr;
import dev.hallmark.cli.Appliance;
import dev.hallmark.cli.Main;
import dev.hallmark.config.HallmarkConfig;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/**
 * Fills a Hallmark data directory with a certificate population for the peer benchmarks ({@code bench/ocsp-load},
 * {@code bench/crl-load}), so Hallmark answers over the same number of certificates and the same revoked share as
 * the {@code openssl ocsp}, {@code cfssl ocspserve} and {@code openssl ca -gencrl} sets it is compared with.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.hallmark.bench.Population --data DIR --certs N --revoked-percent P
 *      [--synthetic] [--list FILE] [--threads T]
 * </pre>
 *
 * Runs {@code hallmark init} in process when {@code DIR/hallmark.yaml} is missing, then either
 * <ul>
 *   <li>(default) issues N real {@code tls-server} certificates from CA {@code issuing} through
 *       {@code Authority.issue} (one fresh P-256 key and CSR per certificate, a random DNS name, 2 threads) and
 *       revokes P percent of them through {@code Authority.revoke}: every row, ledger entry and certificate is
 *       what production writes; or</li>
 *   <li>{@code --synthetic}: inserts N <em>revoked</em> rows (P is ignored) straight into {@code serial_number} over
 *       JDBC, 10,000 per transaction, with dummy hashes, no certificate and no ledger entries ({@code hallmark verify}
 *       flags them). Only for the CRL benchmark: a CRL reads {@code serial_number} alone, and issuing a million real
 *       certificates would take over an hour.</li>
 * </ul>
 * Prints {@code serialHex<TAB>good|revoked} per serial (lower-case hex without leading zeros, as stored) to
 * {@code --list FILE} or standard output; {@code init}'s output, progress and the summary go to standard error.
 */
public final class Population {
    private static final String CA = "issuing";
    private static final String PROFILE = "tls-server";
    private static final String REQUESTER = "bench:population";
    private static final int BATCH = 10_000;
    /** The reasons revocations cycle through; {@code serial_number} stores the enum name, e.g. KEY_COMPROMISE. */
    private static final RevocationReason[] REASONS = {RevocationReason.KEY_COMPROMISE, RevocationReason.SUPERSEDED,
            RevocationReason.CESSATION_OF_OPERATION, RevocationReason.AFFILIATION_CHANGED};

    private Population() {
    }

    public static void main(String[] args) throws Exception {
        Path data = null;
        Path list = null;
        int certs = 10_000;
        double percent = 10;
        int threads = 2;
        boolean synthetic = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data" -> data = Path.of(args[++i]);
                case "--certs" -> certs = Integer.parseInt(args[++i]);
                case "--revoked-percent" -> percent = Double.parseDouble(args[++i]);
                case "--list" -> list = Path.of(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--synthetic" -> synthetic = true;
                default -> usage();
            }
        }
        if (data == null || certs < 1 || percent < 0 || percent > 100 || threads < 1) {
            usage();
        }
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        if (!Files.exists(data.resolve(HallmarkConfig.FILE_NAME))) {
            int exit = Main.run(new String[] {"init", "--data", data.toString()}, err, err);
            if (exit != 0) {
                System.exit(exit);
            }
        }
        HallmarkConfig config = HallmarkConfig.load(data, System.getenv(), Map.of());
        long started = System.nanoTime();
        List<String> lines;
        try (Appliance appliance = Appliance.open(config, Clock.systemUTC())) {
            lines = synthetic ? synthetic(appliance, certs, err) : issueAndRevoke(appliance, certs, percent, threads, err);
            appliance.checkpoint();
        }
        try (Writer out = list == null ? new OutputStreamWriter(System.out, StandardCharsets.UTF_8)
                : Files.newBufferedWriter(list, StandardCharsets.UTF_8); Writer w = new BufferedWriter(out, 1 << 16)) {
            for (String line : lines) {
                w.write(line);
                w.write('\n');
            }
        }
        long revoked = lines.stream().filter(l -> l.endsWith("\trevoked")).count();
        err.printf("population: %d serials (%d revoked) in CA '%s' of %s in %.1f s%s%n", lines.size(), revoked, CA,
                data, (System.nanoTime() - started) / 1e9, synthetic ? " (synthetic serial_number rows)" : "");
    }

    private static void usage() {
        System.err.println("usage: Population --data DIR --certs N --revoked-percent P [--synthetic] [--list FILE]"
                + " [--threads T]");
        System.exit(2);
    }

    /** Issues {@code n} certificates and revokes {@code percent} of them; returns the TSV lines in issue order. */
    private static List<String> issueAndRevoke(Appliance appliance, int n, double percent, int threads,
                                               PrintWriter err) throws Exception {
        SecureRandom random = new SecureRandom();
        List<SerialNumber> serials = parallel(n, threads, i -> {
            String name = "h" + HexFormat.of().formatHex(bytes(random, 6)) + ".bench.example";
            byte[] csr = TestCsr.of(name, TestCsr.withFreshKey());
            IssuanceRequest request = new IssuanceRequest(CA, PROFILE, csr, List.of(), REQUESTER,
                    Provenance.admin("cli", REQUESTER, Instant.now()));
            SerialNumber serial = appliance.authority().issue(request).record().serial();
            if ((i + 1) % 5_000 == 0) {
                err.println("population: issued " + (i + 1));
            }
            return serial;
        });
        List<SerialNumber> shuffled = new ArrayList<>(serials);
        Collections.shuffle(shuffled, random);
        List<SerialNumber> revoked = shuffled.subList(0, (int) Math.round(n * percent / 100.0));
        parallel(revoked.size(), threads, i -> appliance.authority().revoke(
                new RevocationRequest(CA, revoked.get(i), REASONS[i % REASONS.length], REQUESTER)));
        Set<SerialNumber> revokedSet = new HashSet<>(revoked);
        List<String> lines = new ArrayList<>(n);
        for (SerialNumber s : serials) {
            lines.add(s.hex() + (revokedSet.contains(s) ? "\trevoked" : "\tgood"));
        }
        return lines;
    }

    /**
     * Inserts {@code n} revoked rows into {@code serial_number}, one transaction per {@value #BATCH}, with
     * {@code status_changed_at} (V5, the OCSP feed and delta CRLs read it) set as {@code revoke} sets it, and their
     * {@code revoked_serial} rows (what CRLs stream), as a revocation writes them.
     */
    private static List<String> synthetic(Appliance appliance, int n, PrintWriter err) {
        SecureRandom random = new SecureRandom();
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        OffsetDateTime notAfter = now.plus(Duration.ofDays(90));
        OffsetDateTime revokedAt = now.minusHours(1);
        List<String> lines = new ArrayList<>(n);
        for (int done = 0; done < n; ) {
            int batch = Math.min(BATCH, n - done);
            int first = done;
            appliance.database().inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO serial_number (issuer, serial, state, "
                        + "tbs_sha256, spki_sha256, requester, profile, profile_version, not_after, reserved_at, "
                        + "completed_at, revoked_at, revocation_reason, status_changed_at) "
                        + "VALUES (?, ?, 'ISSUED', ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)")) {
                    for (int i = 0; i < batch; i++) {
                        String serial = SerialNumber.random(random).hex();
                        ps.setString(1, CA);
                        ps.setString(2, serial);
                        ps.setString(3, HexFormat.of().formatHex(bytes(random, 32)));
                        ps.setString(4, HexFormat.of().formatHex(bytes(random, 32)));
                        ps.setString(5, REQUESTER);
                        ps.setString(6, PROFILE);
                        ps.setObject(7, notAfter);
                        ps.setObject(8, now);
                        ps.setObject(9, now);
                        ps.setObject(10, revokedAt);
                        ps.setString(11, REASONS[(first + i) % REASONS.length].name());
                        ps.setObject(12, revokedAt);
                        ps.addBatch();
                        lines.add(serial + "\trevoked");
                    }
                    ps.executeBatch();
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO revoked_serial (issuer, serial, not_after_s, "
                        + "revoked_at_s, reason_code) VALUES (?, ?, ?, ?, ?)")) {
                    for (int i = 0; i < batch; i++) {
                        ps.setString(1, CA);
                        ps.setString(2, lines.get(first + i).split("\t")[0]);
                        ps.setLong(3, notAfter.toEpochSecond());
                        ps.setLong(4, revokedAt.toEpochSecond());
                        ps.setInt(5, REASONS[(first + i) % REASONS.length].code());
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                return null;
            });
            done += batch;
            if (done % 100_000 == 0) {
                err.println("population: inserted " + done);
            }
        }
        return lines;
    }

    /** Runs {@code task(0..n-1)} on {@code threads} threads; returns the results in index order. */
    private static <T> List<T> parallel(int n, int threads, IntFunction<T> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<T>> futures = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int index = i;
                futures.add(pool.submit(() -> task.apply(index)));
            }
            List<T> results = new ArrayList<>(n);
            for (Future<T> f : futures) {
                results.add(f.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    private static byte[] bytes(SecureRandom random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
