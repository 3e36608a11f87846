package dev.hallmark.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hallmark.db.testing.TestDatabases;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Concurrent appends, integrations and checkpoints from several threads and two nodes (RELIABILITY T56: "400
 * concurrent events across 2 nodes ... verifies with zero gaps or forks").
 */
class LedgerConcurrencyTest {

    private static final int THREADS = 8;
    private static final int EVENTS_PER_THREAD = 50;

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void concurrentIntegratorsProduceOneContiguousTree(TestDatabases.Kind kind) throws Exception {
        try (LedgerFixture f = LedgerFixture.open(kind)) {
            f.appendNow(300);
            JdbcAuditLedger other = f.anotherNode();
            ExecutorService pool = Executors.newFixedThreadPool(6);
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<IntegrationResult>> results = new ArrayList<>();
                for (int t = 0; t < 6; t++) {
                    AuditLedger node = t % 2 == 0 ? f.ledger : other;
                    results.add(pool.submit(() -> {
                        start.await();
                        return node.integrate();
                    }));
                }
                start.countDown();
                long integrated = 0;
                for (Future<IntegrationResult> r : results) {
                    integrated += r.get(60, TimeUnit.SECONDS).integrated();
                }
                assertThat(integrated).as("each entry integrated exactly once").isEqualTo(300);
            } finally {
                pool.shutdownNow();
            }
            assertThat(f.ledger.treeSize()).isEqualTo(300);
            assertContiguous(f, 300);
            assertThat(f.ledger.verify().problems()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void fourHundredEventsFromEightThreadsOnTwoNodesVerifyWithoutGapsOrForks(TestDatabases.Kind kind)
            throws Exception {
        try (LedgerFixture f = LedgerFixture.open(kind)) {
            AuditLedger[] nodes = {f.ledger, f.anotherNode()};
            ExecutorService pool = Executors.newFixedThreadPool(THREADS + 1);
            AtomicBoolean writing = new AtomicBoolean(true);
            List<String> verifyProblems = java.util.Collections.synchronizedList(new ArrayList<>());
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<?>> writers = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    AuditLedger node = nodes[t % 2];
                    int thread = t;
                    writers.add(pool.submit((Callable<Void>) () -> {
                        start.await();
                        for (int i = 0; i < EVENTS_PER_THREAD; i++) {
                            AuditEvent e = LedgerFixture.event(thread * 1000 + i);
                            f.db.inTransaction(c -> node.append(c, e));
                            if (i % 10 == 9) {
                                node.integrate();
                            }
                            if (i % 25 == 24) {
                                node.signCheckpoint();
                            }
                        }
                        return null;
                    }));
                }
                // A verifier running against the live ledger must see a consistent snapshot: no false alarms.
                Future<?> verifier = pool.submit((Callable<Void>) () -> {
                    start.await();
                    while (writing.get()) {
                        verifyProblems.addAll(nodes[1].verify().problems());
                    }
                    return null;
                });
                start.countDown();
                for (Future<?> w : writers) {
                    w.get(120, TimeUnit.SECONDS);
                }
                writing.set(false);
                verifier.get(60, TimeUnit.SECONDS);
            } finally {
                pool.shutdownNow();
            }
            assertThat(verifyProblems).as("verify() during concurrent writes").isEmpty();

            Checkpoint last = nodes[1].signCheckpoint();
            f.ledger.integrate();
            long total = f.count("SELECT COUNT(id) FROM ledger_entry");
            long checkpoints = f.count("SELECT COUNT(tree_size) FROM ledger_checkpoint");
            long intents = f.count("SELECT COUNT(id) FROM ledger_entry WHERE event_type = 'LEDGER_CHECKPOINT_SIGNING'");
            long records = f.count("SELECT COUNT(id) FROM ledger_entry WHERE event_type = 'LEDGER_CHECKPOINT_SIGNED'");
            assertThat(records).as("one record per checkpoint row").isEqualTo(checkpoints);
            // A signer that lost the race to a larger checkpoint keeps its intent entry (the key did sign).
            assertThat(intents).as("one intent per signature").isGreaterThanOrEqualTo(checkpoints);
            assertThat(total).as("400 events plus every checkpoint intent and record")
                    .isEqualTo(THREADS * EVENTS_PER_THREAD + intents + records);
            assertThat(f.ledger.treeSize()).isEqualTo(total);
            assertContiguous(f, total);
            assertThat(f.count("SELECT COUNT(id) FROM ledger_entry WHERE event_type = 'CERTIFICATE_ISSUED'"))
                    .isEqualTo(THREADS * EVENTS_PER_THREAD);
            VerificationReport report = f.ledger.verify();
            assertThat(report.problems()).isEmpty();
            assertThat(report.checkpointsVerified()).isEqualTo(checkpoints);
            assertThat(f.ledger.verify(last).problems()).isEmpty();
            assertNoFork(f, last);
        }
    }

    /** Leaf indices are exactly 0..n-1: no gap, no duplicate, nothing left unintegrated. */
    private static void assertContiguous(LedgerFixture f, long n) {
        assertThat(f.count("SELECT COUNT(DISTINCT leaf_index) FROM ledger_entry")).isEqualTo(n);
        assertThat(f.count("SELECT COALESCE(MIN(leaf_index), 0) FROM ledger_entry")).isZero();
        assertThat(f.count("SELECT COALESCE(MAX(leaf_index), -1) FROM ledger_entry")).isEqualTo(n - 1);
        assertThat(f.count("SELECT COUNT(id) FROM ledger_entry WHERE leaf_index IS NULL")).isZero();
    }

    /** Every stored checkpoint is a prefix of the final tree: one history, no forks. */
    private static void assertNoFork(LedgerFixture f, Checkpoint last) {
        long size = f.ledger.treeSize();
        byte[] root = f.ledger.integrate().rootHash();
        f.db.read(c -> {
            try (var ps = c.prepareStatement("SELECT tree_size, root_hash FROM ledger_checkpoint ORDER BY tree_size");
                 var rs = ps.executeQuery()) {
                while (rs.next()) {
                    long s = rs.getLong(1);
                    assertThat(f.ledger.consistencyProof(s, size).verify(rs.getBytes(2), root))
                            .as("checkpoint %d is a prefix of the tree of %d", s, size).isTrue();
                }
            }
            return null;
        });
        assertThat(last.treeSize()).isLessThanOrEqualTo(size);
    }
}
