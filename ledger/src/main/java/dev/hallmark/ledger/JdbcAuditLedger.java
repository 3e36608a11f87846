package dev.hallmark.ledger;

import dev.hallmark.db.Database;
import dev.hallmark.db.DatabaseException;
import dev.hallmark.hsm.CryptoToken;
import dev.hallmark.hsm.KeyRef;
import dev.hallmark.hsm.SignatureAlgorithm;
import dev.hallmark.hsm.TokenException;
import dev.hallmark.hsm.VerifyingToken;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link AuditLedger} on the {@code ledger_entry}, {@code ledger_head} and {@code ledger_checkpoint} tables (migration
 * V2), for H2 and PostgreSQL.
 *
 * <p>Appends are a single INSERT that touches no shared row, so concurrent appends do not serialise. Integration
 * locks the one {@code ledger_head} row ({@code SELECT ... FOR UPDATE}), which holds the tree size, root and
 * compact range, so it costs O(new entries · log n) and is safe across threads and nodes. Checkpoints are signed
 * through the token wrapped in a {@link VerifyingToken} (a token that is not one is wrapped here). Thread-safe.
 */
public final class JdbcAuditLedger implements AuditLedger {

    /** How long an entry may stay unintegrated, or uncovered by a checkpoint, before {@link #verify()} flags it. */
    public static final Duration DEFAULT_GRACE = Duration.ofMinutes(10);
    /** The actor recorded for checkpoint entries. */
    public static final String ACTOR = "system:ledger";

    /** H2's {@code TRANSACTION_SNAPSHOT} isolation level (org.h2.engine.Constants), not in java.sql. */
    private static final int H2_SNAPSHOT = 6;

    static final int INTEGRATION_BATCH = 2000;
    static final int PAGE = 1000;
    static final int MAX_ENTRIES_PAGE = 10_000;

    static final String ENTRY_COLUMNS = "id, leaf_index, recorded_at, event_type, actor, subject, details, leaf_hash";
    static final String CHECKPOINT_COLUMNS =
            "tree_size, root_hash, signed_at, key_alias, signature_algorithm, signature";

    private final Database database;
    private final CryptoToken token;
    private final KeyRef ledgerKey;
    private final SignatureAlgorithm algorithm;
    private final Clock clock;
    private final String nextIdSql;
    private final int snapshotIsolation;

    /**
     * @param database  the migrated database
     * @param token     the token holding the ledger key (wrapped in a {@link VerifyingToken} if it is not one)
     * @param ledgerKey the ledger signing key
     * @param algorithm the checkpoint signature algorithm; must fit the key type
     * @param clock     the time source for entries and checkpoints
     */
    public JdbcAuditLedger(Database database, CryptoToken token, KeyRef ledgerKey, SignatureAlgorithm algorithm,
                           Clock clock) {
        this.database = Objects.requireNonNull(database, "database");
        Objects.requireNonNull(token, "token");
        this.token = token instanceof VerifyingToken ? token : new VerifyingToken(token);
        this.ledgerKey = Objects.requireNonNull(ledgerKey, "ledgerKey");
        this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (!algorithm.supports(ledgerKey.type())) {
            throw new IllegalArgumentException(algorithm + " cannot sign with a " + ledgerKey.type().cliName()
                    + " ledger key");
        }
        this.nextIdSql = switch (database.dialect()) {
            case H2 -> "SELECT NEXT VALUE FOR ledger_entry_id_seq";
            case POSTGRESQL -> "SELECT nextval('ledger_entry_id_seq')";
        };
        // PostgreSQL's REPEATABLE READ is snapshot isolation; H2 calls it SNAPSHOT (org.h2.engine.Constants).
        this.snapshotIsolation = switch (database.dialect()) {
            case H2 -> H2_SNAPSHOT;
            case POSTGRESQL -> Connection.TRANSACTION_REPEATABLE_READ;
        };
    }

    @Override
    public long append(Connection tx, AuditEvent event) {
        Objects.requireNonNull(tx, "tx");
        Objects.requireNonNull(event, "event");
        try {
            return insert(tx, event);
        } catch (SQLException | RuntimeException e) {
            throw new LedgerException("cannot append " + event.type() + " to the audit ledger", e);
        }
    }

    @Override
    public void appendNow(AuditEvent event) {
        Objects.requireNonNull(event, "event");
        try {
            database.inTransaction(c -> insert(c, event));
        } catch (RuntimeException e) {
            throw new LedgerException("cannot append " + event.type() + " to the audit ledger", e);
        }
    }

    private long insert(Connection c, AuditEvent event) throws SQLException {
        long id;
        try (PreparedStatement ps = c.prepareStatement(nextIdSql); ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("ledger_entry_id_seq returned no value");
            }
            id = rs.getLong(1);
        }
        Instant at = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        String details = event.detailsJson();
        byte[] leafHash = LeafEncoding.leafHash(id, at.toEpochMilli(), event.type().name(), event.actor(),
                event.subject(), details);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO ledger_entry (id, recorded_at, event_type, actor,"
                + " subject, details, leaf_hash) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setLong(1, id);
            ps.setObject(2, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
            ps.setString(3, event.type().name());
            ps.setString(4, event.actor());
            ps.setString(5, event.subject());
            ps.setString(6, details);
            ps.setBytes(7, leafHash);
            if (ps.executeUpdate() != 1) {
                throw new SQLException("ledger entry insert affected no row");
            }
        }
        return id;
    }

    @Override
    public IntegrationResult integrate() {
        try {
            long previous = -1;
            while (true) {
                IntegrationResult batch = database.inTransaction(this::integrateBatch);
                if (previous < 0) {
                    previous = batch.previousSize();
                }
                if (batch.integrated() < INTEGRATION_BATCH) {
                    return new IntegrationResult(previous, batch.treeSize(), batch.rootHash());
                }
            }
        } catch (LedgerException e) {
            throw e;
        } catch (RuntimeException e) {
            // DatabaseException, a concurrent-integration IllegalStateException, or a corrupt stored frontier
            // (IllegalArgumentException from CompactRange.of): all mean the tree cannot be extended safely.
            throw new LedgerException("ledger integration failed", e);
        }
    }

    private IntegrationResult integrateBatch(Connection c) throws SQLException {
        Head head = lockHead(c);
        List<Long> ids = new ArrayList<>();
        List<byte[]> hashes = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT id, leaf_hash FROM ledger_entry"
                + " WHERE leaf_index IS NULL ORDER BY id FETCH FIRST ? ROWS ONLY")) {
            ps.setInt(1, INTEGRATION_BATCH);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                    hashes.add(rs.getBytes(2));
                }
            }
        }
        MerkleTree.CompactRange range = head.range();
        if (ids.isEmpty()) {
            return new IntegrationResult(head.size(), head.size(), range.root());
        }
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE ledger_entry SET leaf_index = ? WHERE id = ? AND leaf_index IS NULL")) {
            for (int i = 0; i < ids.size(); i++) {
                ps.setLong(1, head.size() + i);
                ps.setLong(2, ids.get(i));
                ps.addBatch();
                range.append(hashes.get(i));
            }
            int[] counts = ps.executeBatch();
            for (int i = 0; i < counts.length; i++) {
                if (counts[i] != 1 && counts[i] != java.sql.Statement.SUCCESS_NO_INFO) {
                    throw new IllegalStateException("ledger entry " + ids.get(i) + " was integrated concurrently");
                }
            }
        }
        byte[] root = range.root();
        try (PreparedStatement ps = c.prepareStatement("UPDATE ledger_head SET tree_size = ?, root_hash = ?,"
                + " frontier = ?, updated_at = ? WHERE id = 1 AND tree_size = ?")) {
            ps.setLong(1, range.size());
            ps.setBytes(2, root);
            ps.setBytes(3, range.toBytes());
            ps.setObject(4, OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
            ps.setLong(5, head.size());
            if (ps.executeUpdate() != 1) {
                throw new IllegalStateException("ledger_head moved while locked");
            }
        }
        return new IntegrationResult(head.size(), range.size(), root);
    }

    @Override
    public Checkpoint signCheckpoint() {
        integrate();
        try {
            // 1. Under the head lock: decide, and commit the write-ahead intent (I1) before anything is signed.
            CheckpointIntent intent = database.inTransaction(c -> {
                Head head = lockHead(c);
                Optional<Checkpoint> latest = latestCheckpoint(c);
                if (latest.isPresent() && latest.get().treeSize() >= head.size()) {
                    return new CheckpointIntent(latest.get().treeSize(), null, null, latest.get());
                }
                byte[] root = head.range().root();
                insert(c, new AuditEvent(AuditEventType.LEDGER_CHECKPOINT_SIGNING, ACTOR, "checkpoint/" + head.size(),
                        Map.of("tree_size", Long.toString(head.size()),
                                "root_hash", Base64.getEncoder().encodeToString(root),
                                "key_alias", ledgerKey.alias())));
                return new CheckpointIntent(head.size(), root, clock.instant().truncatedTo(ChronoUnit.MILLIS), null);
            });
            if (intent.existing() != null) {
                return intent.existing();
            }
            // 2. Sign outside any transaction: no lock is held and no second connection is needed while waiting.
            byte[] signature = token.sign(ledgerKey, algorithm, Checkpoint.body(intent.size(), intent.root(), intent.at()));
            Checkpoint cp = new Checkpoint(intent.size(), intent.root(), intent.at(), ledgerKey.alias(), algorithm, signature);
            // 3. Record it, in tree-size order: if a concurrent signer (another thread or node) recorded this size or
            //    a larger one meanwhile, that checkpoint covers ours and ours is discarded (its intent entry stays, as
            //    the record that the key signed). Checkpoint rows and their entries thus always grow together.
            return database.inTransaction(c -> {
                lockHead(c);
                Optional<Checkpoint> latest = latestCheckpoint(c);
                if (latest.isPresent() && latest.get().treeSize() >= cp.treeSize()) {
                    return latest.get();
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO ledger_checkpoint ("
                        + CHECKPOINT_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?)")) {
                    ps.setLong(1, cp.treeSize());
                    ps.setBytes(2, cp.rootHash());
                    ps.setObject(3, OffsetDateTime.ofInstant(cp.signedAt(), ZoneOffset.UTC));
                    ps.setString(4, cp.keyAlias());
                    ps.setString(5, algorithm.name());
                    ps.setBytes(6, signature);
                    ps.executeUpdate();
                }
                insert(c, new AuditEvent(AuditEventType.LEDGER_CHECKPOINT_SIGNED, ACTOR,
                        "checkpoint/" + cp.treeSize(), Map.of(
                                "tree_size", Long.toString(cp.treeSize()),
                                "root_hash", Base64.getEncoder().encodeToString(cp.rootHash()),
                                "signed_at", cp.signedAt().toString(),
                                "key_alias", ledgerKey.alias(),
                                "key_holder", ledgerKey.token(),
                                "algorithm", algorithm.name())));
                return cp;
            });
        } catch (LedgerException e) {
            throw e;
        } catch (DatabaseException | TokenException | IllegalArgumentException | IllegalStateException e) {
            throw new LedgerException("cannot sign a ledger checkpoint", e);
        }
    }

    /** What step 1 of {@link #signCheckpoint()} decided: sign {@code size}/{@code root}, or return {@code existing}. */
    private record CheckpointIntent(long size, byte[] root, Instant at, Checkpoint existing) {
    }


    @Override
    public Optional<Checkpoint> latestCheckpoint() {
        return read(this::latestCheckpoint);
    }

    private Optional<Checkpoint> latestCheckpoint(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + CHECKPOINT_COLUMNS
                + " FROM ledger_checkpoint ORDER BY tree_size DESC FETCH FIRST 1 ROWS ONLY");
             ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(checkpoint(rs)) : Optional.empty();
        }
    }

    static Checkpoint checkpoint(ResultSet rs) throws SQLException {
        return new Checkpoint(rs.getLong(1), rs.getBytes(2), rs.getObject(3, OffsetDateTime.class).toInstant(),
                rs.getString(4), SignatureAlgorithm.valueOf(rs.getString(5)), rs.getBytes(6));
    }

    @Override
    public long treeSize() {
        return read(c -> readHead(c, false).size());
    }

    @Override
    public InclusionProof inclusionProof(long leafIndex, long treeSize) {
        return read(c -> {
            checkSize(c, treeSize);
            if (leafIndex < 0 || leafIndex >= treeSize) {
                throw new IllegalArgumentException("leaf index " + leafIndex + " is not in a tree of size " + treeSize);
            }
            DbRangeHasher hasher = new DbRangeHasher(c);
            byte[] leaf = hasher.leafHash(leafIndex);
            return new InclusionProof(leafIndex, treeSize, leaf,
                    MerkleTree.inclusionProof(leafIndex, treeSize, hasher));
        });
    }

    @Override
    public ConsistencyProof consistencyProof(long first, long second) {
        return read(c -> {
            checkSize(c, second);
            if (first < 0 || first > second) {
                throw new IllegalArgumentException("no consistency proof from size " + first + " to " + second);
            }
            return new ConsistencyProof(first, second,
                    MerkleTree.consistencyProof(first, second, new DbRangeHasher(c)));
        });
    }

    private static void checkSize(Connection c, long treeSize) throws SQLException {
        long integrated = readHead(c, false).size();
        if (treeSize < 0 || treeSize > integrated) {
            throw new IllegalArgumentException("tree size " + treeSize + " is beyond the integrated size "
                    + integrated);
        }
    }

    @Override
    public List<LedgerEntry> entries(long fromLeaf, int max) {
        return page("WHERE leaf_index >= ? ORDER BY leaf_index", fromLeaf, max);
    }

    @Override
    public List<LedgerEntry> pending(long afterId, int max) {
        return page("WHERE leaf_index IS NULL AND id > ? ORDER BY id", afterId, max);
    }

    /** One page of entries: {@code where} has one placeholder, bound to {@code from}. */
    private List<LedgerEntry> page(String where, long from, int max) {
        int limit = Math.max(0, Math.min(max, MAX_ENTRIES_PAGE));
        return read(c -> {
            List<LedgerEntry> out = new ArrayList<>(limit);
            try (PreparedStatement ps = c.prepareStatement("SELECT " + ENTRY_COLUMNS + " FROM ledger_entry "
                    + where + " FETCH FIRST ? ROWS ONLY")) {
                ps.setLong(1, from);
                ps.setInt(2, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(entry(rs));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public Optional<LedgerEntry> entryById(long id) {
        return read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + ENTRY_COLUMNS
                    + " FROM ledger_entry WHERE id = ?")) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(entry(rs)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public List<LedgerEntry> find(AuditEventType type, String subject, int max) {
        return read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + ENTRY_COLUMNS
                    + " FROM ledger_entry WHERE subject = ? AND event_type = ? ORDER BY id LIMIT ?")) {
                ps.setString(1, subject);
                ps.setString(2, type.name());
                ps.setInt(3, max);
                List<LedgerEntry> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(entry(rs));
                    }
                }
                return out;
            }
        });
    }

    private static LedgerEntry entry(ResultSet rs) throws SQLException {
        long leaf = rs.getLong(2);
        Long leafIndex = rs.wasNull() ? null : leaf;
        return new LedgerEntry(rs.getLong(1), leafIndex, rs.getObject(3, OffsetDateTime.class).toInstant(),
                AuditEventType.valueOf(rs.getString(4)), rs.getString(5), rs.getString(6),
                CanonicalJson.read(rs.getString(7)), rs.getBytes(8));
    }

    @Override
    public VerificationReport verify() {
        return verify(DEFAULT_GRACE, null);
    }

    @Override
    public VerificationReport verify(Checkpoint trustedAnchor) {
        Objects.requireNonNull(trustedAnchor, "trustedAnchor");
        return verify(DEFAULT_GRACE, trustedAnchor);
    }

    /**
     * As {@link #verify()}, flagging entries that stayed unintegrated, or integrated but not covered by a
     * checkpoint, for longer than {@code grace}.
     */
    public VerificationReport verify(Duration grace) {
        return verify(grace, null);
    }

    /**
     * As {@link #verify(Checkpoint)} with an explicit {@code grace} (see {@link #verify(Duration)}).
     *
     * <p>The whole check reads one consistent snapshot of the three ledger tables (a REPEATABLE READ transaction
     * on PostgreSQL, SNAPSHOT on H2), so appends, integrations and checkpoints committed by other threads or nodes
     * while it runs cannot produce false alarms.
     *
     * @param grace         not null
     * @param trustedAnchor a checkpoint remembered outside the database, or null for none
     */
    public VerificationReport verify(Duration grace, Checkpoint trustedAnchor) {
        Objects.requireNonNull(grace, "grace");
        return read(c -> inSnapshot(c, () -> new LedgerVerifier(c, token, ledgerKey, clock.instant(), grace,
                trustedAnchor).run()));
    }

    private <T> T inSnapshot(Connection c, SnapshotWork<T> work) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        int isolation = c.getTransactionIsolation();
        c.setTransactionIsolation(snapshotIsolation);
        c.setAutoCommit(false);
        try {
            return work.run();
        } finally {
            try {
                c.rollback();
            } finally {
                c.setAutoCommit(autoCommit);
                c.setTransactionIsolation(isolation);
            }
        }
    }

    /** Work that runs on a connection the caller already holds. */
    @FunctionalInterface
    private interface SnapshotWork<T> {
        T run() throws SQLException;
    }

    private <T> T read(Database.SqlWork<T> work) {
        try {
            return database.read(work);
        } catch (DatabaseException e) {
            throw new LedgerException("cannot read the audit ledger", e);
        }
    }

    private static Head lockHead(Connection c) throws SQLException {
        return readHead(c, true);
    }

    static Head readHead(Connection c, boolean forUpdate) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT tree_size, root_hash, frontier FROM ledger_head"
                + " WHERE id = 1" + (forUpdate ? " FOR UPDATE" : ""));
             ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("ledger_head row is missing");
            }
            return new Head(rs.getLong(1), rs.getBytes(2), rs.getBytes(3));
        }
    }

    /** The ledger_head row. */
    record Head(long size, byte[] root, byte[] frontier) {
        MerkleTree.CompactRange range() {
            return MerkleTree.CompactRange.of(size, frontier);
        }
    }

    /** Streams stored leaf hashes by leaf index to compute subtree roots for proofs; one pass per range. */
    private static final class DbRangeHasher implements MerkleTree.RangeHasher {
        private final Connection connection;

        DbRangeHasher(Connection connection) {
            this.connection = connection;
        }

        byte[] leafHash(long index) {
            List<byte[]> one = new ArrayList<>(1);
            scan(index, index + 1, one::add);
            return one.get(0);
        }

        @Override
        public byte[] root(long from, long to) {
            MerkleTree.CompactRange range = new MerkleTree.CompactRange();
            scan(from, to, range::append);
            return range.root();
        }

        private void scan(long from, long to, java.util.function.Consumer<byte[]> sink) {
            long next = from;
            try (PreparedStatement ps = connection.prepareStatement("SELECT leaf_index, leaf_hash FROM ledger_entry"
                    + " WHERE leaf_index >= ? AND leaf_index < ? ORDER BY leaf_index FETCH FIRST ? ROWS ONLY")) {
                while (next < to) {
                    long before = next;
                    ps.setLong(1, next);
                    ps.setLong(2, to);
                    ps.setInt(3, PAGE * 10);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            if (rs.getLong(1) != next) {
                                throw new LedgerException("ledger leaf index " + next + " is missing");
                            }
                            sink.accept(rs.getBytes(2));
                            next++;
                        }
                    }
                    if (next == before) {
                        throw new LedgerException("ledger leaf index " + next + " is missing");
                    }
                }
            } catch (SQLException e) {
                throw new LedgerException("cannot read ledger leaves", e);
            }
        }
    }
}
