package dev.hallmark.ledger;

import dev.hallmark.hsm.CryptoToken;
import dev.hallmark.hsm.KeyRef;
import dev.hallmark.hsm.SignatureAlgorithm;
import dev.hallmark.hsm.VerifyingToken;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * One end-to-end check of the ledger ({@link JdbcAuditLedger#verify()}). Streams entries by leaf index and
 * checkpoints by tree size, a page at a time, keeping only a compact range in memory.
 */
final class LedgerVerifier {
    static final int MAX_PROBLEMS = 1000;

    private final Connection c;
    private final CryptoToken token;
    private final KeyRef ledgerKey;
    private final Instant now;
    private final Duration grace;
    private final List<String> problems = new ArrayList<>();
    private long suppressed;
    private long checkpointsVerified;
    private PublicKey publicKey;

    private final Deque<Checkpoint> pendingCheckpoints = new ArrayDeque<>();
    private long checkpointCursor = -1;
    private boolean checkpointsExhausted;
    private Checkpoint lastCheckpointSeen;
    /** Checkpoints already matched against the tree whose LEDGER_CHECKPOINT_SIGNED entry is still to come. */
    private final Deque<Checkpoint> awaitingEntry = new ArrayDeque<>();
    private final Checkpoint anchor;
    private boolean anchorChecked;

    LedgerVerifier(Connection c, CryptoToken token, KeyRef ledgerKey, Instant now, Duration grace,
                   Checkpoint anchor) {
        this.c = c;
        this.token = token;
        this.ledgerKey = ledgerKey;
        this.now = now;
        this.grace = grace;
        this.anchor = anchor;
    }

    VerificationReport run() throws SQLException {
        try {
            publicKey = token.publicKey(ledgerKey);
        } catch (RuntimeException e) {
            problem("cannot load the ledger public key '" + ledgerKey.alias() + "': " + e.getMessage()
                    + "; checkpoint signatures not checked");
        }
        if (anchor != null && !checkAnchorSignature()) {
            anchorChecked = true;
        }
        MerkleTree.CompactRange range = new MerkleTree.CompactRange();
        checkAnchorAt(range);
        checkCheckpointsAt(range);
        long expected = 0;
        long count = 0;
        long after = -1;
        Instant firstUncovered = null;
        long firstUncoveredId = -1;
        long firstUncoveredLeaf = -1;
        boolean firstUncoveredIsCheckpointEntry = false;
        List<String[]> uncoveredTail = new ArrayList<>(); // {type, actor, details} from the first uncovered entry on
        try (PreparedStatement ps = c.prepareStatement("SELECT " + JdbcAuditLedger.ENTRY_COLUMNS
                + " FROM ledger_entry WHERE leaf_index > ? ORDER BY leaf_index FETCH FIRST ? ROWS ONLY")) {
            while (true) {
                ps.setLong(1, after);
                ps.setInt(2, JdbcAuditLedger.PAGE);
                int rows = 0;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows++;
                        count++;
                        long id = rs.getLong(1);
                        long leaf = rs.getLong(2);
                        Instant recordedAt = rs.getObject(3, OffsetDateTime.class).toInstant();
                        byte[] stored = rs.getBytes(8);
                        after = leaf;
                        if (leaf != expected) {
                            problem(leaf < expected
                                    ? "entry id " + id + ": leaf index " + leaf + " is duplicated"
                                    : "leaf indices " + expected + ".." + (leaf - 1) + " are missing (gap before"
                                    + " entry id " + id + " at leaf index " + leaf + "; rows deleted?)");
                        }
                        expected = leaf + 1;
                        byte[] recomputed = LeafEncoding.leafHash(id, recordedAt.toEpochMilli(), rs.getString(4),
                                rs.getString(5), rs.getString(6), rs.getString(7));
                        if (stored == null || !MessageDigest.isEqual(stored, recomputed)) {
                            problem("entry id " + id + " (leaf index " + leaf + "): content does not match its"
                                    + " leaf hash (row edited)");
                        }
                        range.append(recomputed);
                        checkAnchorAt(range);
                        if (AuditEventType.LEDGER_CHECKPOINT_SIGNED.name().equals(rs.getString(4))) {
                            checkCheckpointEntry(id, rs.getString(7));
                        }
                        if (firstUncovered == null && (lastCheckpointSeen == null
                                || range.size() > lastCheckpointSeen.treeSize())
                                && !coveredByLaterCheckpoint(range.size())) {
                            firstUncovered = recordedAt;
                            firstUncoveredId = id;
                            firstUncoveredLeaf = leaf;
                            firstUncoveredIsCheckpointEntry = isCheckpointRecord(rs.getString(4));
                        } else if (firstUncovered != null && !isCheckpointRecord(rs.getString(4))) {
                            firstUncoveredIsCheckpointEntry = false;
                        }
                        if (firstUncovered != null && uncoveredTail.size() < 3) {
                            uncoveredTail.add(new String[] {rs.getString(4), rs.getString(5), rs.getString(7)});
                        }
                        checkCheckpointsAt(range);
                    }
                }
                if (rows < JdbcAuditLedger.PAGE) {
                    break;
                }
            }
        }
        // Checkpoints beyond the entries: the tail was truncated (or the checkpoint forged).
        while (peekCheckpoint() != null) {
            Checkpoint cp = pendingCheckpoints.removeFirst();
            problem("checkpoint at tree size " + cp.treeSize() + " covers more than the " + range.size()
                    + " integrated entries (tail truncated or entries deleted)");
            checkSignature(cp);
        }
        if (anchor != null && !anchorChecked) {
            problem("the trusted checkpoint covers " + anchor.treeSize() + " entries but only " + range.size()
                    + " are integrated (tail truncated)");
        }
        checkHead(count, range);
        // The entries recording the latest checkpoint (its intent and its result) can only be covered by a later
        // one: on a quiet ledger they are the last leaves, and the checkpoint just before them covers everything
        // else. That is complete, not a gap.
        boolean onlyTheLatestCheckpointRecord = firstUncoveredIsCheckpointEntry
                && lastCheckpointSeen != null && lastCheckpointSeen.treeSize() == firstUncoveredLeaf
                && isRecordOf(uncoveredTail, lastCheckpointSeen);
        if (firstUncovered != null && !onlyTheLatestCheckpointRecord && firstUncovered.plus(grace).isBefore(now)) {
            problem("entries from leaf index " + firstUncoveredLeaf + " (entry id " + firstUncoveredId
                    + ", recorded " + firstUncovered + ") are not covered by a signed checkpoint after " + grace);
        }
        checkUnintegrated();
        if (suppressed > 0) {
            problems.add("... and " + suppressed + " more problems");
        }
        return new VerificationReport(problems.isEmpty(), count, checkpointsVerified, problems);
    }

    /**
     * True when {@code tail} is exactly the intent and the record of {@code cp}, written by the ledger itself, naming
     * its tree size and root: nothing else may hide behind the quiet-ledger exemption.
     */
    private static boolean isRecordOf(List<String[]> tail, Checkpoint cp) {
        if (tail.size() != 2 || !AuditEventType.LEDGER_CHECKPOINT_SIGNING.name().equals(tail.get(0)[0])
                || !AuditEventType.LEDGER_CHECKPOINT_SIGNED.name().equals(tail.get(1)[0])) {
            return false;
        }
        String size = "\"tree_size\":\"" + cp.treeSize() + "\"";
        String root = "\"root_hash\":\"" + Base64.getEncoder().encodeToString(cp.rootHash()) + "\"";
        for (String[] e : tail) {
            if (!JdbcAuditLedger.ACTOR.equals(e[1]) || e[2] == null || !e[2].contains(size) || !e[2].contains(root)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isCheckpointRecord(String eventType) {
        return AuditEventType.LEDGER_CHECKPOINT_SIGNED.name().equals(eventType)
                || AuditEventType.LEDGER_CHECKPOINT_SIGNING.name().equals(eventType);
    }

    private boolean coveredByLaterCheckpoint(long size) throws SQLException {
        Checkpoint next = peekCheckpoint();
        return next != null && next.treeSize() >= size;
    }

    /** Compares every checkpoint of exactly the current size with the recomputed root. */
    private void checkCheckpointsAt(MerkleTree.CompactRange range) throws SQLException {
        Checkpoint cp;
        while ((cp = peekCheckpoint()) != null && cp.treeSize() <= range.size()) {
            pendingCheckpoints.removeFirst();
            lastCheckpointSeen = cp;
            boolean rootOk = cp.treeSize() == range.size() && MessageDigest.isEqual(cp.rootHash(), range.root());
            if (!rootOk) {
                problem("checkpoint at tree size " + cp.treeSize() + ": root hash does not match the entries"
                        + " (entries edited, reordered, inserted or deleted)");
            }
            if (checkSignature(cp) && rootOk) {
                checkpointsVerified++;
            }
            awaitingEntry.addLast(cp);
        }
    }

    private boolean checkSignature(Checkpoint cp) {
        if (publicKey == null) {
            return false;
        }
        if (!cp.keyAlias().equals(ledgerKey.alias())) {
            problem("checkpoint at tree size " + cp.treeSize() + ": signed by key '" + cp.keyAlias()
                    + "', not the ledger key '" + ledgerKey.alias() + "'");
            return false;
        }
        if (!VerifyingToken.verify(publicKey, cp.algorithm(), cp.body(), cp.signature())) {
            problem("checkpoint at tree size " + cp.treeSize() + ": signature does not verify with the ledger key");
            return false;
        }
        return true;
    }

    private Checkpoint peekCheckpoint() throws SQLException {
        if (pendingCheckpoints.isEmpty() && !checkpointsExhausted) {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + JdbcAuditLedger.CHECKPOINT_COLUMNS
                    + " FROM ledger_checkpoint WHERE tree_size > ? ORDER BY tree_size FETCH FIRST ? ROWS ONLY")) {
                ps.setLong(1, checkpointCursor);
                ps.setInt(2, JdbcAuditLedger.PAGE);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long size = rs.getLong(1);
                        checkpointCursor = size;
                        try {
                            pendingCheckpoints.add(JdbcAuditLedger.checkpoint(rs));
                        } catch (IllegalArgumentException | NullPointerException e) {
                            problem("checkpoint at tree size " + size + ": unreadable (" + e.getMessage() + ")");
                        }
                    }
                }
            }
            checkpointsExhausted = pendingCheckpoints.isEmpty();
        }
        return pendingCheckpoints.peekFirst();
    }

    private void checkHead(long count, MerkleTree.CompactRange range) throws SQLException {
        JdbcAuditLedger.Head head = JdbcAuditLedger.readHead(c, false);
        if (head.size() != count) {
            problem("ledger_head records tree size " + head.size() + " but " + count
                    + " entries have leaf indices (entries inserted or deleted)");
        } else if (count > 0 && (head.root() == null || !MessageDigest.isEqual(head.root(), range.root()))) {
            problem("ledger_head root hash does not match the entries at tree size " + count);
        } else if (!MessageDigest.isEqual(head.frontier() == null ? new byte[0] : head.frontier(),
                range.toBytes())) {
            // The integrator extends the tree from the stored frontier, so a wrong one would fork future roots.
            problem("ledger_head frontier does not match the entries at tree size " + count);
        }
    }

    /** Checks the trusted anchor's signature once; false (and a problem) when it is not the ledger key's. */
    private boolean checkAnchorSignature() {
        if (publicKey == null) {
            return true;
        }
        if (!anchor.keyAlias().equals(ledgerKey.alias())
                || !VerifyingToken.verify(publicKey, anchor.algorithm(), anchor.body(), anchor.signature())) {
            problem("the trusted checkpoint at tree size " + anchor.treeSize()
                    + " is not signed by the ledger key; it proves nothing");
            return false;
        }
        return true;
    }

    private void checkAnchorAt(MerkleTree.CompactRange range) {
        if (anchor == null || anchorChecked || range.size() != anchor.treeSize()) {
            return;
        }
        anchorChecked = true;
        if (!MessageDigest.isEqual(anchor.rootHash(), range.root())) {
            problem("the first " + anchor.treeSize() + " entries do not hash to the trusted checkpoint's root"
                    + " (history rewritten)");
        }
    }

    /**
     * A {@code LEDGER_CHECKPOINT_SIGNED} entry names the checkpoint signed in the same transaction; the row must
     * still be there with the same root. Catches a deleted or replaced checkpoint row that the tree alone cannot.
     */
    private void checkCheckpointEntry(long entryId, String detailsJson) {
        long size;
        byte[] root;
        try {
            Map<String, String> details = CanonicalJson.read(detailsJson);
            size = Long.parseLong(details.get("tree_size"));
            root = Base64.getDecoder().decode(details.get("root_hash"));
        } catch (RuntimeException e) {
            problem("entry id " + entryId + ": checkpoint entry details are unreadable");
            return;
        }
        while (!awaitingEntry.isEmpty() && awaitingEntry.peekFirst().treeSize() < size) {
            Checkpoint orphan = awaitingEntry.removeFirst();
            problem("checkpoint at tree size " + orphan.treeSize() + " has no ledger entry (checkpoint row inserted)");
        }
        Checkpoint cp = awaitingEntry.peekFirst();
        if (cp == null || cp.treeSize() != size) {
            problem("entry id " + entryId + " records a checkpoint at tree size " + size
                    + " that is missing from ledger_checkpoint (checkpoint deleted)");
            return;
        }
        awaitingEntry.removeFirst();
        if (!MessageDigest.isEqual(cp.rootHash(), root)) {
            problem("entry id " + entryId + " records a different root for the checkpoint at tree size " + size);
        }
    }

    private void checkUnintegrated() throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT id, recorded_at FROM ledger_entry"
                + " WHERE leaf_index IS NULL AND recorded_at < ? ORDER BY id FETCH FIRST ? ROWS ONLY")) {
            ps.setObject(1, OffsetDateTime.ofInstant(now.minus(grace), ZoneOffset.UTC));
            ps.setInt(2, MAX_PROBLEMS);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    problem("entry id " + rs.getLong(1) + " (recorded " + rs.getObject(2, OffsetDateTime.class)
                            .toInstant() + ") is committed but not integrated after " + grace);
                }
            }
        }
    }

    private void problem(String line) {
        if (problems.size() < MAX_PROBLEMS) {
            problems.add(line);
        } else {
            suppressed++;
        }
    }

    static SignatureAlgorithm algorithm(String name) {
        return SignatureAlgorithm.valueOf(name);
    }
}
