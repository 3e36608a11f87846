package dev.hallmark.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hallmark.db.testing.TestDatabases;
import dev.hallmark.hsm.VerifyingToken;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link JdbcAuditLedger} end to end on H2 and PostgreSQL: append, integrate, checkpoints, proofs, verify. */
class JdbcAuditLedgerTest {

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void anEmptyLedgerVerifiesAndCanBeCheckpointed(TestDatabases.Kind kind) {
        try (LedgerFixture f = LedgerFixture.open(kind)) {
            assertThat(f.ledger.treeSize()).isZero();
            assertThat(f.ledger.latestCheckpoint()).isEmpty();
            assertThat(f.ledger.verify().ok()).isTrue();
            Checkpoint cp = f.ledger.signCheckpoint();
            assertThat(cp.treeSize()).isZero();
            assertThat(cp.rootHash()).isEqualTo(MerkleTree.emptyRoot());
            VerificationReport report = f.ledger.verify();
            assertThat(report.problems()).isEmpty();
            assertThat(report.checkpointsVerified()).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void appendIntegrateCheckpointAndProveEndToEnd(TestDatabases.Kind kind) throws Exception {
        try (LedgerFixture f = LedgerFixture.open(kind)) {
            f.appendNow(10);
            assertThat(f.ledger.treeSize()).as("append does not integrate").isZero();
            IntegrationResult first = f.ledger.integrate();
            assertThat(first.previousSize()).isZero();
            assertThat(first.treeSize()).isEqualTo(10);
            assertThat(first.rootHash()).isEqualTo(MerkleTree.root(f.leafHashes()));

            List<LedgerEntry> entries = f.ledger.entries(0, 100);
            assertThat(entries).hasSize(10);
            for (int i = 0; i < entries.size(); i++) {
                LedgerEntry e = entries.get(i);
                assertThat(e.leafIndex()).isEqualTo(i);
                assertThat(e.leafHashMatchesContent()).isTrue();
                assertThat(e.recordedAt()).isEqualTo(LedgerFixture.T0);
                assertThat(e.details()).isEqualTo(LedgerFixture.event(i).details());
                assertThat(f.ledger.entryById(e.id())).hasValueSatisfying(x -> assertThat(x.actor())
                        .isEqualTo(e.actor()));
            }

            Checkpoint cp1 = f.ledger.signCheckpoint();
            assertThat(cp1.treeSize()).isEqualTo(10);
            assertThat(cp1.rootHash()).isEqualTo(first.rootHash());
            assertThat(cp1.keyAlias()).isEqualTo("ledger");
            assertThat(VerifyingToken.verify(f.token.publicKey(f.key), cp1.algorithm(), cp1.body(),
                    cp1.signature())).isTrue();
            assertThat(f.ledger.signCheckpoint().treeSize()).as("the checkpoint's intent and record entries are covered by the next one")
                    .isEqualTo(12);

            for (int i = 10; i < 15; i++) {
                f.ledger.appendNow(LedgerFixture.event(i));
            }
            Checkpoint cp2 = f.ledger.signCheckpoint();
            assertThat(cp2.treeSize()).isEqualTo(19);
            assertThat(f.ledger.latestCheckpoint()).hasValueSatisfying(l -> {
                assertThat(l.treeSize()).isEqualTo(19);
                assertThat(l.rootHash()).isEqualTo(cp2.rootHash());
                assertThat(l.signature()).isEqualTo(cp2.signature());
                assertThat(l.signedAt()).isEqualTo(cp2.signedAt());
            });

            assertThat(f.ledger.consistencyProof(10, 19).verify(cp1.rootHash(), cp2.rootHash())).isTrue();
            assertThat(f.ledger.consistencyProof(10, 19).verify(cp2.rootHash(), cp2.rootHash())).isFalse();
            List<byte[]> hashes = f.leafHashes();
            for (int i = 0; i < 19; i++) {
                InclusionProof p = f.ledger.inclusionProof(i, 19);
                assertThat(p.leafHash()).isEqualTo(hashes.get(i));
                assertThat(p.verify(cp2.rootHash())).as("leaf %d", i).isTrue();
                assertThat(p.verify(cp1.rootHash())).isFalse();
            }
            assertThat(f.ledger.inclusionProof(3, 10).verify(cp1.rootHash())).isTrue();
            assertThatThrownBy(() -> f.ledger.inclusionProof(19, 19)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> f.ledger.inclusionProof(0, 20)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> f.ledger.consistencyProof(11, 10))
                    .isInstanceOf(IllegalArgumentException.class);

            VerificationReport report = f.ledger.verify();
            assertThat(report.problems()).isEmpty();
            assertThat(report.ok()).isTrue();
            assertThat(report.entries()).isEqualTo(19);
            assertThat(report.checkpointsVerified()).isEqualTo(3);
            assertThat(f.ledger.verify(cp1).problems()).isEmpty();
            assertThat(f.ledger.verify(cp2).problems()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void anEntryAppendedInARolledBackTransactionNeverAppears(TestDatabases.Kind kind) {
        try (LedgerFixture f = LedgerFixture.open(kind)) {
            long[] id = new long[1];
            assertThatThrownBy(() -> f.db.inTransaction(c -> {
                id[0] = f.ledger.append(c, LedgerFixture.event(1));
                throw new IllegalStateException("business step failed after the ledger entry");
            })).isInstanceOf(IllegalStateException.class);
            assertThat(f.ledger.entryById(id[0])).isEmpty();
            assertThat(f.ledger.integrate().treeSize()).isZero();
            assertThat(f.count("SELECT COUNT(id) FROM ledger_entry")).isZero();

            long committed = f.db.inTransaction(c -> f.ledger.append(c, LedgerFixture.event(2)));
            assertThat(f.ledger.integrate().treeSize()).isEqualTo(1);
            assertThat(f.ledger.entryById(committed)).hasValueSatisfying(e -> assertThat(e.leafIndex()).isZero());
            assertThat(f.ledger.verify().problems()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void aWriteAheadIntentRecordedWithAppendNowSurvivesTheFailedBusinessTransaction(TestDatabases.Kind kind) {
        try (LedgerFixture f = LedgerFixture.open(kind)) {
            f.ledger.appendNow(new AuditEvent(AuditEventType.CERTIFICATE_SIGNING, "acct:1", "ca1/01"));
            assertThatThrownBy(() -> f.db.inTransaction(c -> {
                f.ledger.append(c, new AuditEvent(AuditEventType.CERTIFICATE_ISSUED, "acct:1", "ca1/01"));
                throw new IllegalStateException("store failed");
            })).isInstanceOf(IllegalStateException.class);
            f.ledger.integrate();
            assertThat(f.ledger.entries(0, 10)).extracting(LedgerEntry::type)
                    .containsExactly(AuditEventType.CERTIFICATE_SIGNING);
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void verifyFlagsEntriesLeftUnintegratedOrUncoveredPastTheGrace(TestDatabases.Kind kind) {
        try (LedgerFixture f = LedgerFixture.open(kind)) {
            f.appendNow(3);
            assertThat(f.ledger.verify().problems()).isEmpty();
            f.clock.advance(JdbcAuditLedger.DEFAULT_GRACE.plus(Duration.ofMinutes(1)));
            assertThat(f.ledger.verify().problems()).anyMatch(p -> p.contains("not integrated"));
            f.ledger.integrate();
            assertThat(f.ledger.verify().problems()).singleElement().asString().contains("not covered");
            f.ledger.signCheckpoint();
            assertThat(f.ledger.verify().problems()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void aQuietLedgerWhoseLastEntryRecordsTheLatestCheckpointStaysValid(TestDatabases.Kind kind) {
        try (LedgerFixture f = LedgerFixture.open(kind)) {
            f.appendNow(3);
            f.ledger.signCheckpoint();
            f.ledger.integrate(); // the checkpoint's own entry becomes the last leaf, covered by no checkpoint
            f.clock.advance(Duration.ofDays(3));
            assertThat(f.ledger.verify().problems()).isEmpty();
            // Nothing else may hide behind that exemption: a forged "intent" after the real pair is flagged.
            f.ledger.appendNow(new AuditEvent(AuditEventType.LEDGER_CHECKPOINT_SIGNING, "attacker", "checkpoint/999",
                    java.util.Map.of("tree_size", "999")));
            f.ledger.integrate();
            f.clock.advance(Duration.ofDays(1));
            assertThat(f.ledger.verify().problems()).singleElement().asString().contains("not covered");
            f.ledger.signCheckpoint();
            f.ledger.integrate();
            f.clock.advance(Duration.ofDays(1));
            assertThat(f.ledger.verify().problems()).isEmpty();
            // One more business entry after it must be covered again within the grace.
            f.appendNow(1);
            f.ledger.integrate();
            f.clock.advance(JdbcAuditLedger.DEFAULT_GRACE.plus(Duration.ofMinutes(1)));
            assertThat(f.ledger.verify().problems()).singleElement().asString().contains("not covered");
        }
    }
}
