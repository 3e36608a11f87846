package dev.hallmark.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hallmark.db.testing.TestDatabases;
import dev.hallmark.hsm.KeyRef;
import dev.hallmark.hsm.KeyType;
import dev.hallmark.hsm.SignatureAlgorithm;
import dev.hallmark.hsm.SoftToken;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every way of editing the ledger tables behind the ledger's back is reported by {@code verify()} (RELIABILITY I10,
 * N6): edits, deletions, reordering, insertions, tail truncation and forged or edited checkpoints.
 *
 * <p>The ledger under attack holds 17 integrated entries (leaf 10 and 16 are checkpoint entries) and checkpoints at
 * tree sizes 10 and 16.
 */
class LedgerTamperTest {

    /** One attack on the stored rows. */
    enum Tamper {
        EDIT_DETAILS(f -> f.sql("UPDATE ledger_entry SET details = ? WHERE leaf_index = 3", "{\"n\":\"999\"}")),
        EDIT_ACTOR(f -> f.sql("UPDATE ledger_entry SET actor = 'acct:mallory' WHERE leaf_index = 3")),
        EDIT_EVENT_TYPE(f -> f.sql("UPDATE ledger_entry SET event_type = 'CERTIFICATE_REVOKED' WHERE leaf_index = 3")),
        EDIT_SUBJECT(f -> f.sql("UPDATE ledger_entry SET subject = 'ca1/ff' WHERE leaf_index = 3")),
        EDIT_RECORDED_AT(f -> f.sql("UPDATE ledger_entry SET recorded_at = ? WHERE leaf_index = 3",
                OffsetDateTime.ofInstant(LedgerFixture.T0.plusSeconds(1), ZoneOffset.UTC))),
        EDIT_ROW_AND_REHASH(LedgerTamperTest::editAndRehash),
        EDIT_LEAF_HASH(f -> f.sql("UPDATE ledger_entry SET leaf_hash = ? WHERE leaf_index = 3", new byte[32])),
        DELETE_MIDDLE_ENTRY(f -> f.sql("DELETE FROM ledger_entry WHERE leaf_index = 5")),
        DELETE_LAST_ENTRY(f -> f.sql("DELETE FROM ledger_entry WHERE leaf_index = 18")),
        REORDER_TWO_ENTRIES(LedgerTamperTest::swapLeaves),
        INSERT_ENTRY_AT_TAIL(f -> insertForged(f, 19)),
        INSERT_ENTRY_IN_MIDDLE(LedgerTamperTest::insertInMiddle),
        TRUNCATE_TAIL_AND_CHECKPOINTS(f -> {
            f.sql("DELETE FROM ledger_entry WHERE leaf_index >= 12");
            f.sql("DELETE FROM ledger_checkpoint WHERE tree_size > 12");
        }),
        TRUNCATE_TAIL_ONLY(f -> f.sql("DELETE FROM ledger_entry WHERE leaf_index >= 12")),
        EDIT_CHECKPOINT_ROOT(f -> f.sql("UPDATE ledger_checkpoint SET root_hash = ? WHERE tree_size = 10",
                MerkleTree.emptyRoot())),
        EDIT_CHECKPOINT_SIGNATURE(LedgerTamperTest::flipSignature),
        EDIT_CHECKPOINT_SIGNED_AT(f -> f.sql("UPDATE ledger_checkpoint SET signed_at = ? WHERE tree_size = 10",
                OffsetDateTime.ofInstant(LedgerFixture.T0.minusSeconds(3600), ZoneOffset.UTC))),
        EDIT_CHECKPOINT_KEY_ALIAS(f -> f.sql("UPDATE ledger_checkpoint SET key_alias = 'other' WHERE tree_size = 10")),
        DELETE_MIDDLE_CHECKPOINT(f -> f.sql("DELETE FROM ledger_checkpoint WHERE tree_size = 10")),
        FORGE_CHECKPOINT_WITH_ANOTHER_KEY(LedgerTamperTest::forgeCheckpoint),
        EDIT_HEAD_FRONTIER(f -> f.sql("UPDATE ledger_head SET frontier = ? WHERE id = 1", new byte[32])),
        EDIT_HEAD_ROOT(f -> f.sql("UPDATE ledger_head SET root_hash = ? WHERE id = 1", new byte[32]));

        private final Attack attack;

        Tamper(Attack attack) {
            this.attack = attack;
        }
    }

    @FunctionalInterface
    interface Attack {
        void apply(LedgerFixture f) throws Exception;
    }

    static Stream<Arguments> attacks() {
        return Arrays.stream(TestDatabases.Kind.values())
                .flatMap(k -> Arrays.stream(Tamper.values()).map(t -> Arguments.of(k, t)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("attacks")
    void verifyReportsTheTampering(TestDatabases.Kind kind, Tamper tamper) throws Exception {
        try (LedgerFixture f = populated(kind)) {
            VerificationReport clean = f.ledger.verify();
            assertThat(clean.problems()).isEmpty();
            assertThat(clean.ok()).isTrue();
            assertThat(clean.checkpointsVerified()).isEqualTo(2);

            tamper.attack.apply(f);

            VerificationReport report = f.ledger.verify();
            assertThat(report.ok()).as("verify() after %s", tamper).isFalse();
            assertThat(report.problems()).isNotEmpty();
        }
    }

    /**
     * The limit of what the database can prove about itself: cut the tail off, delete the checkpoints above it and
     * rewrite the unsigned head to match, and the remaining tables are self-consistent. A checkpoint remembered
     * outside the database ({@code verify(Checkpoint)}) catches it.
     */
    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void tailTruncationWithARewrittenHeadIsCaughtOnlyByATrustedAnchor(TestDatabases.Kind kind) throws Exception {
        try (LedgerFixture f = populated(kind)) {
            Checkpoint remembered = f.ledger.latestCheckpoint().orElseThrow();
            assertThat(remembered.treeSize()).isEqualTo(17);
            assertThat(f.ledger.verify(remembered).problems()).isEmpty();

            f.sql("DELETE FROM ledger_entry WHERE leaf_index >= 12");
            f.sql("DELETE FROM ledger_checkpoint WHERE tree_size > 12");
            rewriteHead(f);

            assertThat(f.ledger.verify().ok()).as("undetectable from inside the database").isTrue();
            VerificationReport anchored = f.ledger.verify(remembered);
            assertThat(anchored.ok()).isFalse();
            assertThat(anchored.problems()).isNotEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void aTrustedAnchorCatchesARewrittenHistoryAndMustItselfBeGenuine(TestDatabases.Kind kind) throws Exception {
        try (LedgerFixture f = populated(kind)) {
            Checkpoint remembered = f.ledger.latestCheckpoint().orElseThrow();
            Checkpoint forged = new Checkpoint(remembered.treeSize(), new byte[32], remembered.signedAt(),
                    remembered.keyAlias(), remembered.algorithm(), remembered.signature());
            assertThat(f.ledger.verify(forged).ok()).as("an anchor whose signature fails").isFalse();

            // Rewrite history below the anchor consistently: edit a row, rehash it, recompute everything unsigned.
            editAndRehash(f);
            f.sql("DELETE FROM ledger_checkpoint");
            f.sql("DELETE FROM ledger_entry WHERE event_type IN ('LEDGER_CHECKPOINT_SIGNED', 'LEDGER_CHECKPOINT_SIGNING')");
            renumberLeaves(f);
            rewriteHead(f);
            assertThat(f.ledger.verify().ok()).as("self-consistent after a full rewrite").isTrue();
            assertThat(f.ledger.verify(remembered).ok()).isFalse();
        }
    }

    private static LedgerFixture populated(TestDatabases.Kind kind) {
        LedgerFixture f = LedgerFixture.open(kind);
        f.appendNow(10);
        assertThat(f.ledger.signCheckpoint().treeSize()).isEqualTo(10);
        for (int i = 10; i < 15; i++) {
            f.ledger.appendNow(LedgerFixture.event(i));
        }
        assertThat(f.ledger.signCheckpoint().treeSize()).isEqualTo(17); // 10 + intent and record of the first + 5
        assertThat(f.ledger.integrate().treeSize()).isEqualTo(19);
        return f;
    }

    private static long idAt(LedgerFixture f, long leaf) {
        return f.count("SELECT id FROM ledger_entry WHERE leaf_index = ?", leaf);
    }

    /** A careful attacker: edits an entry and stores the matching leaf hash (no key needed for that). */
    private static void editAndRehash(LedgerFixture f) {
        long id = idAt(f, 3);
        String details = "{\"n\":\"3\",\"sha256\":\"forged\"}";
        LedgerEntry e = f.ledger.entryById(id).orElseThrow();
        byte[] hash = LeafEncoding.leafHash(id, e.recordedAt().toEpochMilli(), e.type().name(), e.actor(),
                e.subject(), details);
        f.sql("UPDATE ledger_entry SET details = ?, leaf_hash = ? WHERE id = ?", details, hash, id);
    }

    private static void swapLeaves(LedgerFixture f) {
        long a = idAt(f, 3);
        long b = idAt(f, 4);
        f.sql("UPDATE ledger_entry SET leaf_index = -1 WHERE id = ?", a);
        f.sql("UPDATE ledger_entry SET leaf_index = 3 WHERE id = ?", b);
        f.sql("UPDATE ledger_entry SET leaf_index = 4 WHERE id = ?", a);
    }

    private static void insertForged(LedgerFixture f, long leaf) {
        long id = f.count("SELECT MAX(id) FROM ledger_entry") + 100;
        Instant at = LedgerFixture.T0;
        String details = "{\"n\":\"forged\"}";
        byte[] hash = LeafEncoding.leafHash(id, at.toEpochMilli(), "CERTIFICATE_ISSUED", "acct:mallory", "ca1/bad",
                details);
        f.sql("INSERT INTO ledger_entry (id, leaf_index, recorded_at, event_type, actor, subject, details, leaf_hash)"
                + " VALUES (?, ?, ?, 'CERTIFICATE_ISSUED', 'acct:mallory', 'ca1/bad', ?, ?)",
                id, leaf, OffsetDateTime.ofInstant(at, ZoneOffset.UTC), details, hash);
    }

    private static void insertInMiddle(LedgerFixture f) {
        f.sql("UPDATE ledger_entry SET leaf_index = leaf_index + 1000 WHERE leaf_index >= 5");
        f.sql("UPDATE ledger_entry SET leaf_index = leaf_index - 999 WHERE leaf_index >= 1000");
        insertForged(f, 5);
    }

    private static void flipSignature(LedgerFixture f) {
        byte[] sig = f.db.read(c -> {
            try (var ps = c.prepareStatement("SELECT signature FROM ledger_checkpoint WHERE tree_size = 17");
                 var rs = ps.executeQuery()) {
                rs.next();
                return rs.getBytes(1);
            }
        });
        sig[sig.length / 2] ^= 0x01;
        f.sql("UPDATE ledger_checkpoint SET signature = ? WHERE tree_size = 17", sig);
    }

    /** A checkpoint at size 13 with the right root, signed by a look-alike key under the ledger key's alias. */
    private static void forgeCheckpoint(LedgerFixture f) throws SQLException {
        byte[] root = MerkleTree.root(f.leafHashes().subList(0, 13));
        try (SoftToken rogue = SoftToken.inMemory()) {
            KeyRef key = rogue.generateKey("ledger", KeyType.EC_P256);
            Instant at = LedgerFixture.T0;
            byte[] sig = rogue.sign(key, SignatureAlgorithm.ECDSA_SHA256, Checkpoint.body(13, root, at));
            f.sql("INSERT INTO ledger_checkpoint (tree_size, root_hash, signed_at, key_alias, signature_algorithm,"
                    + " signature) VALUES (13, ?, ?, 'ledger', 'ECDSA_SHA256', ?)",
                    root, OffsetDateTime.ofInstant(at, ZoneOffset.UTC), sig);
        }
    }

    /** Renumbers the remaining integrated entries 0..n-1 in their current order. */
    private static void renumberLeaves(LedgerFixture f) {
        List<Long> ids = f.db.read(c -> {
            List<Long> out = new java.util.ArrayList<>();
            try (var ps = c.prepareStatement(
                    "SELECT id FROM ledger_entry WHERE leaf_index IS NOT NULL ORDER BY leaf_index");
                 var rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getLong(1));
                }
            }
            return out;
        });
        f.sql("UPDATE ledger_entry SET leaf_index = leaf_index + 100000 WHERE leaf_index IS NOT NULL");
        for (int i = 0; i < ids.size(); i++) {
            f.sql("UPDATE ledger_entry SET leaf_index = ? WHERE id = ?", (long) i, ids.get(i));
        }
    }

    /** Recomputes the unsigned head from the remaining stored leaf hashes, as an attacker could. */
    private static void rewriteHead(LedgerFixture f) throws SQLException {
        MerkleTree.CompactRange range = new MerkleTree.CompactRange();
        f.leafHashes().forEach(range::append);
        f.sql("UPDATE ledger_head SET tree_size = ?, root_hash = ?, frontier = ? WHERE id = 1",
                range.size(), range.root(), range.toBytes());
    }
}
