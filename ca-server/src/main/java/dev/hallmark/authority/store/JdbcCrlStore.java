package dev.hallmark.authority.store;

import static dev.hallmark.authority.store.JdbcCertificateStore.instant;
import static dev.hallmark.authority.store.JdbcCertificateStore.ts;

import dev.hallmark.authority.crl.CrlKind;
import dev.hallmark.authority.crl.CrlStore;
import dev.hallmark.authority.crl.PublishedCrl;
import dev.hallmark.db.Database;
import dev.hallmark.db.DatabaseException;
import dev.hallmark.ledger.AuditEvent;
import dev.hallmark.ledger.AuditLedger;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@link CrlStore} on H2 or PostgreSQL (tables {@code crl_number} and {@code crl}, migration V5). */
public final class JdbcCrlStore implements CrlStore {
    private static final String META = "issuer, crl_number, kind, shard, base_number, this_update, next_update, entries, "
            + "der_length, sha256, built_by";

    private final Database db;
    private final AuditLedger ledger;

    public JdbcCrlStore(Database db, AuditLedger ledger) {
        this.db = db;
        this.ledger = ledger;
    }

    @Override
    public boolean acquireLease(String issuer, String holder, Instant now, Instant until) {
        ensureRow(issuer);
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE crl_number SET lease_holder = ?, lease_until = ?"
                    + " WHERE issuer = ? AND (lease_holder IS NULL OR lease_until < ? OR lease_holder = ?)")) {
                ps.setString(1, holder);
                ps.setObject(2, ts(until));
                ps.setString(3, issuer);
                ps.setObject(4, ts(now));
                ps.setString(5, holder);
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public void releaseLease(String issuer, String holder) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE crl_number SET lease_holder = NULL, lease_until = NULL"
                    + " WHERE issuer = ? AND lease_holder = ?")) {
                ps.setString(1, issuer);
                ps.setString(2, holder);
                return ps.executeUpdate();
            }
        });
    }

    private void ensureRow(String issuer) {
        try {
            db.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO crl_number (issuer, last_number)"
                        + " SELECT ?, 0 WHERE NOT EXISTS (SELECT 1 FROM crl_number WHERE issuer = ?)")) {
                    ps.setString(1, issuer);
                    ps.setString(2, issuer);
                    return ps.executeUpdate();
                }
            });
        } catch (DatabaseException e) {
            if (!e.isUniqueViolation()) {
                throw e; // else another node inserted it first: fine
            }
        }
    }

    @Override
    public long nextNumber(String issuer, java.util.function.LongFunction<AuditEvent> signing) {
        ensureRow(issuer);
        return db.inTransaction(c -> {
            long next;
            try (PreparedStatement ps = c.prepareStatement("SELECT last_number FROM crl_number WHERE issuer = ? FOR UPDATE")) {
                ps.setString(1, issuer);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    next = rs.getLong(1) + 1;
                }
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE crl_number SET last_number = ? WHERE issuer = ?")) {
                ps.setLong(1, next);
                ps.setString(2, issuer);
                ps.executeUpdate();
            }
            ledger.append(c, signing.apply(next));
            return next;
        });
    }

    @Override
    public void publish(PublishedCrl crl, Path der, AuditEvent signed, Instant pruneBefore) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO crl (" + META + ", der)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
                 InputStream in = Files.newInputStream(der)) {
                ps.setString(1, crl.issuer());
                ps.setLong(2, crl.number());
                ps.setString(3, crl.kind().name());
                ps.setInt(4, crl.shard());
                ps.setObject(5, crl.baseNumber());
                ps.setObject(6, ts(crl.thisUpdate()));
                ps.setObject(7, ts(crl.nextUpdate()));
                ps.setLong(8, crl.entries());
                ps.setLong(9, crl.length());
                ps.setString(10, crl.sha256());
                ps.setString(11, crl.builtBy());
                ps.setBinaryStream(12, in, Files.size(der));
                ps.executeUpdate();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM crl WHERE issuer = ? AND kind = ? AND shard = ?"
                    + " AND crl_number < ? AND next_update < ?")) {
                ps.setString(1, crl.issuer());
                ps.setString(2, crl.kind().name());
                ps.setInt(3, crl.shard());
                ps.setLong(4, crl.number());
                ps.setObject(5, ts(pruneBefore));
                ps.executeUpdate();
            }
            ledger.append(c, signed);
            return null;
        });
    }

    @Override
    public Optional<PublishedCrl> latest(String issuer, CrlKind kind, int shard) {
        return newerThan(issuer, kind, shard, 0);
    }

    @Override
    public Optional<PublishedCrl> latestMetadata(String issuer, CrlKind kind, int shard) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + META + " FROM crl WHERE issuer = ? AND kind = ?"
                    + " AND shard = ? ORDER BY crl_number DESC LIMIT 1")) {
                ps.setString(1, issuer);
                ps.setString(2, kind.name());
                ps.setInt(3, shard);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(read(rs, null)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public Optional<PublishedCrl> newerThan(String issuer, CrlKind kind, int shard, long knownNumber) {
        return db.read(c -> {
            Long number;
            try (PreparedStatement ps = c.prepareStatement("SELECT MAX(crl_number) FROM crl WHERE issuer = ? AND kind = ?"
                    + " AND shard = ?")) {
                ps.setString(1, issuer);
                ps.setString(2, kind.name());
                ps.setInt(3, shard);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    long n = rs.getLong(1);
                    number = rs.wasNull() ? null : n;
                }
            }
            if (number == null || number <= knownNumber) {
                return Optional.empty();
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT " + META + ", der FROM crl WHERE issuer = ?"
                    + " AND crl_number = ?")) {
                ps.setString(1, issuer);
                ps.setLong(2, number);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(read(rs, rs.getBytes(12))) : Optional.empty();
                }
            }
        });
    }

    @Override
    public List<PublishedCrl> latestOfEach() {
        return db.read(c -> {
            List<PublishedCrl> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + META + " FROM crl c WHERE crl_number = (SELECT"
                    + " MAX(crl_number) FROM crl m WHERE m.issuer = c.issuer AND m.kind = c.kind AND m.shard = c.shard)"
                    + " ORDER BY issuer, kind, shard");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(read(rs, null));
                }
            }
            return out;
        });
    }

    private static PublishedCrl read(ResultSet rs, byte[] der) throws SQLException {
        long base = rs.getLong(5);
        Long baseNumber = rs.wasNull() ? null : base;
        return new PublishedCrl(rs.getString(1), rs.getLong(2), CrlKind.valueOf(rs.getString(3)), rs.getInt(4),
                baseNumber, instant(rs, 6), instant(rs, 7), rs.getLong(8), rs.getLong(9), rs.getString(10), der,
                rs.getString(11));
    }
}
