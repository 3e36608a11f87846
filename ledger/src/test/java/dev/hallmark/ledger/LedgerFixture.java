package dev.hallmark.ledger;

import dev.hallmark.db.Database;
import dev.hallmark.db.testing.TestDatabases;
import dev.hallmark.hsm.KeyRef;
import dev.hallmark.hsm.KeyType;
import dev.hallmark.hsm.SignatureAlgorithm;
import dev.hallmark.hsm.SoftToken;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/** A fresh migrated database, an in-memory soft token with an EC ledger key, a settable clock and the ledger. */
final class LedgerFixture implements AutoCloseable {
    static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

    final TestDatabases.Kind kind;
    final Database db;
    final SoftToken token;
    final KeyRef key;
    final SettableClock clock = new SettableClock(T0);
    final JdbcAuditLedger ledger;
    private final List<AutoCloseable> extra = new ArrayList<>();

    private LedgerFixture(TestDatabases.Kind kind) {
        this.kind = kind;
        this.db = TestDatabases.open(kind);
        this.token = SoftToken.inMemory();
        this.key = token.generateKey("ledger", KeyType.EC_P256);
        this.ledger = new JdbcAuditLedger(db, token, key, SignatureAlgorithm.ECDSA_SHA256, clock);
    }

    static LedgerFixture open(TestDatabases.Kind kind) {
        return new LedgerFixture(kind);
    }

    /** A second ledger instance with its own connection pool on the same database: another node. */
    JdbcAuditLedger anotherNode() {
        Database second = TestDatabases.openAnotherNode(db, 8);
        extra.add(second);
        return new JdbcAuditLedger(second, token, key, SignatureAlgorithm.ECDSA_SHA256, clock);
    }

    static AuditEvent event(int i) {
        return new AuditEvent(AuditEventType.CERTIFICATE_ISSUED, "acct:" + (i % 7), "ca1/" + Integer.toHexString(i),
                Map.of("n", Integer.toString(i), "sha256", "00ff" + i));
    }

    void appendNow(int count) {
        for (int i = 0; i < count; i++) {
            ledger.appendNow(event(i));
        }
    }

    int sql(String sql, Object... args) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < args.length; i++) {
                    ps.setObject(i + 1, args[i]);
                }
                return ps.executeUpdate();
            }
        });
    }

    long count(String sql, Object... args) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < args.length; i++) {
                    ps.setObject(i + 1, args[i]);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    /** The stored leaf hashes in leaf order. */
    List<byte[]> leafHashes() throws SQLException {
        return db.read(c -> {
            List<byte[]> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT leaf_hash FROM ledger_entry WHERE leaf_index IS NOT NULL ORDER BY leaf_index");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getBytes(1));
                }
            }
            return out;
        });
    }

    @Override
    public void close() {
        for (AutoCloseable c : extra) {
            try {
                c.close();
            } catch (Exception e) {
                // Best effort in a test teardown.
            }
        }
        token.close();
        db.close();
    }

    /** A clock the test moves by hand. */
    static final class SettableClock extends Clock {
        private final AtomicReference<Instant> now;

        SettableClock(Instant start) {
            this.now = new AtomicReference<>(start);
        }

        void advance(Duration d) {
            now.updateAndGet(t -> t.plus(d));
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    }
}
