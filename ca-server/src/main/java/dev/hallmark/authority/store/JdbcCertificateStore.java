package dev.hallmark.authority.store;

import dev.hallmark.authority.CaException;
import dev.hallmark.authority.CaRecord;
import dev.hallmark.authority.CertificateQuery;
import dev.hallmark.authority.CertificateRecord;
import dev.hallmark.authority.CertificateStatus;
import dev.hallmark.authority.CertificateStore;
import dev.hallmark.authority.Identifier;
import dev.hallmark.authority.RevocationReason;
import dev.hallmark.authority.RevokedSerial;
import dev.hallmark.authority.SerialIntent;
import dev.hallmark.authority.SerialNumber;
import dev.hallmark.authority.SerialRecord;
import dev.hallmark.authority.SerialState;
import dev.hallmark.db.Database;
import dev.hallmark.db.DatabaseException;
import dev.hallmark.hsm.KeyType;
import dev.hallmark.hsm.SignatureAlgorithm;
import dev.hallmark.ledger.AuditEvent;
import dev.hallmark.ledger.AuditLedger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * {@link CertificateStore} on H2 or PostgreSQL. Each write and its audit entry share one transaction, so a
 * failure to append to the ledger rolls the write back (fail closed). Explicit columns everywhere.
 */
public final class JdbcCertificateStore implements CertificateStore {
    private static final String SERIAL_COLUMNS = "issuer, serial, state, tbs_sha256, spki_sha256, requester, profile, "
            + "profile_version, not_after, reserved_at, revoked_at, revocation_reason";
    private static final String CERT_COLUMNS = "c.issuer, c.serial, c.der, c.sha256_fingerprint, c.subject, c.spki_sha256, "
            + "c.not_before, c.not_after, c.profile, c.profile_version, c.requester, c.provenance, c.issued_at, "
            + "s.revoked_at, s.revocation_reason";
    private static final String CA_COLUMNS = "name, parent_name, subject, key_alias, key_type, signature_algorithm, "
            + "certificate_der, serial, not_before, not_after, created_at";

    private final Database db;
    private final AuditLedger ledger;

    public JdbcCertificateStore(Database db, AuditLedger ledger) {
        this.db = db;
        this.ledger = ledger;
    }

    @Override
    public boolean reserve(SerialIntent i, AuditEvent signing) {
        try {
            return db.inTransaction(c -> {
                // Checked again here, in the intent's transaction, so a keyCompromise revocation committed since
                // the policy step stops this issuance before anything is signed (the reconciler flags the rest).
                try (PreparedStatement ps = c.prepareStatement("SELECT spki_sha256 FROM blocked_key WHERE spki_sha256 = ?")) {
                    ps.setString(1, i.spkiSha256());
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            throw new CaException(CaException.Kind.BAD_PUBLIC_KEY,
                                    "this public key was revoked for keyCompromise and is never certified again");
                        }
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO serial_number (issuer, serial, state, "
                        + "tbs_sha256, spki_sha256, requester, profile, profile_version, not_after, reserved_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                    ps.setString(1, i.issuer());
                    ps.setString(2, i.serial().hex());
                    ps.setString(3, SerialState.SIGNING.name());
                    ps.setString(4, i.tbsSha256());
                    ps.setString(5, i.spkiSha256());
                    ps.setString(6, i.requester());
                    ps.setString(7, i.profile());
                    ps.setInt(8, i.profileVersion());
                    ps.setObject(9, ts(i.notAfter()));
                    ps.setObject(10, ts(i.reservedAt()));
                    ps.executeUpdate();
                }
                ledger.append(c, signing);
                return true;
            });
        } catch (DatabaseException e) {
            if (e.isUniqueViolation()) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public void complete(CertificateRecord r, AuditEvent issued) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO certificate (issuer, serial, der, "
                    + "sha256_fingerprint, subject, spki_sha256, not_before, not_after, profile, profile_version, "
                    + "requester, provenance, issued_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, r.issuer());
                ps.setString(2, r.serial().hex());
                ps.setBytes(3, r.der());
                ps.setString(4, r.sha256Fingerprint());
                ps.setString(5, truncate(r.subject(), 1024));
                ps.setString(6, r.spkiSha256());
                ps.setObject(7, ts(r.notBefore()));
                ps.setObject(8, ts(r.notAfter()));
                ps.setString(9, r.profile());
                ps.setInt(10, r.profileVersion());
                ps.setString(11, r.requester());
                ps.setString(12, r.provenance());
                ps.setObject(13, ts(r.issuedAt()));
                ps.executeUpdate();
            }
            if (!r.identifiers().isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO certificate_san (issuer, serial, san_type, san_value) VALUES (?, ?, ?, ?)")) {
                    for (Identifier id : r.identifiers()) {
                        ps.setString(1, r.issuer());
                        ps.setString(2, r.serial().hex());
                        ps.setString(3, id.type().label());
                        ps.setString(4, truncate(id.value(), 512));
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE serial_number SET state = ?, completed_at = ? "
                    + "WHERE issuer = ? AND serial = ? AND state = ?")) {
                ps.setString(1, SerialState.ISSUED.name());
                ps.setObject(2, ts(r.issuedAt()));
                ps.setString(3, r.issuer());
                ps.setString(4, r.serial().hex());
                ps.setString(5, SerialState.SIGNING.name());
                if (ps.executeUpdate() != 1) {
                    throw new CaException(CaException.Kind.INTERNAL, "serial " + r.serial() + " of " + r.issuer()
                            + " is not in state SIGNING; refusing to store a certificate for it");
                }
            }
            ledger.append(c, issued);
            return null;
        });
    }

    @Override
    public void abort(String issuer, SerialNumber serial, Instant at, AuditEvent aborted) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE serial_number SET state = ?, completed_at = ? "
                    + "WHERE issuer = ? AND serial = ? AND state = ?")) {
                ps.setString(1, SerialState.ABORTED.name());
                ps.setObject(2, ts(at));
                ps.setString(3, issuer);
                ps.setString(4, serial.hex());
                ps.setString(5, SerialState.SIGNING.name());
                ps.executeUpdate();
            }
            ledger.append(c, aborted);
            return null;
        });
    }

    @Override
    public Optional<SerialRecord> serial(String issuer, SerialNumber serial) {
        return db.read(c -> selectSerial(c, issuer, serial, false));
    }

    private static Optional<SerialRecord> selectSerial(Connection c, String issuer, SerialNumber serial, boolean lock)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + SERIAL_COLUMNS
                + " FROM serial_number WHERE issuer = ? AND serial = ?" + (lock ? " FOR UPDATE" : ""))) {
            ps.setString(1, issuer);
            ps.setString(2, serial.hex());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(serialRecord(rs)) : Optional.empty();
            }
        }
    }

    private static SerialRecord serialRecord(ResultSet rs) throws SQLException {
        SerialIntent intent = new SerialIntent(rs.getString(1), SerialNumber.parse(rs.getString(2)), rs.getString(4),
                rs.getString(5), rs.getString(6), rs.getString(7), rs.getInt(8), instant(rs, 9), instant(rs, 10));
        String reason = rs.getString(12);
        return new SerialRecord(intent, SerialState.valueOf(rs.getString(3)), instant(rs, 11),
                reason == null ? null : RevocationReason.valueOf(reason));
    }

    @Override
    public Optional<CertificateRecord> certificate(String issuer, SerialNumber serial) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + CERT_COLUMNS + " FROM certificate c "
                    + "JOIN serial_number s ON s.issuer = c.issuer AND s.serial = c.serial "
                    + "WHERE c.issuer = ? AND c.serial = ?")) {
                ps.setString(1, issuer);
                ps.setString(2, serial.hex());
                List<CertificateRecord> found = certificates(c, ps);
                return found.stream().findFirst();
            }
        });
    }

    @Override
    public List<CertificateRecord> search(CertificateQuery q, Instant now) {
        StringBuilder sql = new StringBuilder("SELECT " + CERT_COLUMNS + " FROM certificate c "
                + "JOIN serial_number s ON s.issuer = c.issuer AND s.serial = c.serial WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        if (q.issuer() != null) {
            sql.append(" AND c.issuer = ?");
            args.add(q.issuer());
        }
        if (q.profile() != null) {
            sql.append(" AND c.profile = ?");
            args.add(q.profile());
        }
        if (q.identifier() != null) {
            sql.append(" AND EXISTS (SELECT 1 FROM certificate_san n WHERE n.issuer = c.issuer AND n.serial = c.serial"
                    + " AND n.san_value = ?)");
            // IP literals are stored in their canonical form; DNS names lower-case without a trailing dot.
            args.add(dev.hallmark.authority.policy.IdentifierSyntax.parseIpLiteral(q.identifier().trim())
                    .map(dev.hallmark.authority.policy.IdentifierSyntax::canonicalIp)
                    .orElseGet(() -> new Identifier(Identifier.Type.DNS, q.identifier().trim()).value()));
        }
        if (q.expiringBefore() != null) {
            sql.append(" AND c.not_after < ?");
            args.add(ts(q.expiringBefore()));
        }
        if (q.status() != null) {
            switch (q.status()) {
                case VALID -> {
                    sql.append(" AND s.revoked_at IS NULL AND c.not_after > ?");
                    args.add(ts(now));
                }
                case REVOKED -> sql.append(" AND s.revoked_at IS NOT NULL");
                case EXPIRED -> {
                    sql.append(" AND s.revoked_at IS NULL AND c.not_after <= ?");
                    args.add(ts(now));
                }
                case UNKNOWN -> sql.append(" AND 1 = 0");
            }
        }
        sql.append(" ORDER BY c.issued_at DESC, c.serial LIMIT ? OFFSET ?");
        args.add(q.limit());
        args.add(q.offset());
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < args.size(); i++) {
                    ps.setObject(i + 1, args.get(i));
                }
                return certificates(c, ps);
            }
        });
    }

    @Override
    public Optional<Instant> soonestLeafExpiry(Instant now) {
        return db.read(c -> {
            // Walks the not_after index from now and stops at the first unrevoked leaf. (MIN over the join made H2
            // read every unexpired certificate, and under load the metrics refresh became a third of the server's CPU.)
            try (PreparedStatement ps = c.prepareStatement("SELECT c.not_after FROM certificate c WHERE c.not_after > ?"
                    + " AND c.profile NOT IN (?, ?) AND NOT EXISTS (SELECT 1 FROM serial_number s WHERE s.issuer = c.issuer"
                    + " AND s.serial = c.serial AND s.revoked_at IS NOT NULL) ORDER BY c.not_after LIMIT 1")) {
                ps.setObject(1, ts(now));
                ps.setString(2, dev.hallmark.authority.Hierarchy.ROOT_PROFILE);
                ps.setString(3, dev.hallmark.authority.Hierarchy.SUBORDINATE_PROFILE);
                try (ResultSet rs = ps.executeQuery()) {
                    java.time.OffsetDateTime t = rs.next() ? rs.getObject(1, java.time.OffsetDateTime.class) : null;
                    return Optional.ofNullable(t == null ? null : t.toInstant());
                }
            }
        });
    }

    private static List<CertificateRecord> certificates(Connection c, PreparedStatement ps) throws SQLException {
        List<Object[]> rows = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String reason = rs.getString(15);
                rows.add(new Object[] {rs.getString(1), rs.getString(2), rs.getBytes(3), rs.getString(4), rs.getString(5),
                        rs.getString(6), instant(rs, 7), instant(rs, 8), rs.getString(9), rs.getInt(10), rs.getString(11),
                        rs.getString(12), instant(rs, 13), instant(rs, 14),
                        reason == null ? null : RevocationReason.valueOf(reason)});
            }
        }
        Map<String, List<Identifier>> sans = sans(c, rows);
        List<CertificateRecord> out = new ArrayList<>(rows.size());
        for (Object[] r : rows) {
            out.add(new CertificateRecord((String) r[0], SerialNumber.parse((String) r[1]), (byte[]) r[2], (String) r[3],
                    (String) r[4], (String) r[5], (Instant) r[6], (Instant) r[7], (String) r[8], (Integer) r[9],
                    (String) r[10], (String) r[11], (Instant) r[12], sans.getOrDefault(r[0] + "/" + r[1], List.of()),
                    (Instant) r[13], (RevocationReason) r[14]));
        }
        return out;
    }

    private static Map<String, List<Identifier>> sans(Connection c, List<Object[]> rows) throws SQLException {
        Map<String, List<Identifier>> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT san_type, san_value FROM certificate_san WHERE issuer = ? AND serial = ?")) {
            for (Object[] r : rows) {
                ps.setString(1, (String) r[0]);
                ps.setString(2, (String) r[1]);
                List<Identifier> ids = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(new Identifier(Identifier.Type.parse(rs.getString(1)), rs.getString(2)));
                    }
                }
                out.put(r[0] + "/" + r[1], ids);
            }
        }
        return out;
    }

    @Override
    public List<SerialRecord> unresolved(Instant before) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + SERIAL_COLUMNS
                    + " FROM serial_number WHERE state = ? AND reserved_at < ? ORDER BY reserved_at")) {
                ps.setString(1, SerialState.SIGNING.name());
                ps.setObject(2, ts(before));
                List<SerialRecord> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(serialRecord(rs));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public SerialRecord revoke(String issuer, SerialNumber serial, RevocationChange decision) {
        java.util.concurrent.atomic.AtomicReference<Instant> changedAt = new java.util.concurrent.atomic.AtomicReference<>();
        RevocationChange change = current -> {
            Revocation r = decision.decide(current);
            changedAt.set(r.changedAt());
            return r;
        };
        SerialRecord revoked;
        try {
            revoked = revokeOnce(issuer, serial, change);
        } catch (DatabaseException e) {
            if (!e.isUniqueViolation() && !e.isTransient()) {
                throw e;
            }
            // Two keyCompromise revocations of certificates sharing one key raced (to insert its blocked_key row, or
            // to lock each other's rows in the sibling sweep); one rolled back. The retry decides again on fresh
            // state: usually "already revoked for keyCompromise" by the other one's sweep.
            revoked = revokeOnce(issuer, serial, change);
        }
        SerialRecord done = revoked;
        if (done.revocationReason() == RevocationReason.KEY_COMPROMISE) {
            // In its own transaction, after the revocation committed, holding no other lock: two sweeps lock rows in
            // the same order and a concurrent revocation never waits on a sweep, so they cannot deadlock. A crash in
            // between leaves the key blocked and its other certificates listed by 'hallmark verify'.
            db.inTransaction(c -> {
                revokeKeySiblings(c, issuer, serial, done.intent().spkiSha256(), done.revokedAt(), changedAt.get());
                return null;
            });
        }
        return done;
    }

    private SerialRecord revokeOnce(String issuer, SerialNumber serial, RevocationChange change) {
        return db.inTransaction(c -> {
            SerialRecord current = selectSerial(c, issuer, serial, true).orElseThrow(() -> new CaException(
                    CaException.Kind.NOT_FOUND, "CA '" + issuer + "' never assigned serial " + serial.hex()));
            Revocation r = change.decide(current);
            try (PreparedStatement ps = c.prepareStatement("UPDATE serial_number SET revoked_at = ?, revocation_reason = ?, "
                    + "status_changed_at = ? WHERE issuer = ? AND serial = ?")) {
                ps.setObject(1, ts(r.revokedAt()));
                ps.setString(2, r.reason().name());
                ps.setObject(3, ts(r.changedAt()));
                ps.setString(4, issuer);
                ps.setString(5, serial.hex());
                ps.executeUpdate();
            }
            listRevoked(c, issuer, serial.hex(), current.intent().notAfter(), r.revokedAt(), r.reason());
            if (r.blockKey()) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO blocked_key (spki_sha256, reason, issuer, "
                        + "serial, blocked_at) SELECT ?, ?, ?, ?, ? WHERE NOT EXISTS "
                        + "(SELECT 1 FROM blocked_key WHERE spki_sha256 = ?)")) {
                    ps.setString(1, current.intent().spkiSha256());
                    ps.setString(2, r.reason().name());
                    ps.setString(3, issuer);
                    ps.setString(4, serial.hex());
                    ps.setObject(5, ts(r.revokedAt()));
                    ps.setString(6, current.intent().spkiSha256());
                    ps.executeUpdate();
                }
            }
            for (AuditEvent e : r.events()) {
                ledger.append(c, e);
            }
            return new SerialRecord(current.intent(), current.state(), r.revokedAt(), r.reason());
        });
    }

    /**
     * BR 4.9.1.1: a compromised key's other unexpired certificates (any CA here, issued or outcome unknown) are revoked
     * for keyCompromise with the reported certificate's revocation time, each with its own ledger entry.
     */
    private void revokeKeySiblings(Connection c, String issuer, SerialNumber serial, String spkiSha256,
                                   Instant revokedAt, Instant changedAt) throws SQLException {
        List<String[]> siblings = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT issuer, serial, state, not_after FROM serial_number"
                + " WHERE spki_sha256 = ? AND revoked_at IS NULL AND state <> ? AND not_after > ?"
                + " ORDER BY issuer, serial FOR UPDATE")) {
            ps.setString(1, spkiSha256);
            ps.setString(2, SerialState.ABORTED.name());
            ps.setObject(3, ts(revokedAt));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    siblings.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3), instant(rs, 4).toString()});
                }
            }
        }
        String actor = "system:key-compromise";
        for (String[] sibling : siblings) {
            try (PreparedStatement ps = c.prepareStatement("UPDATE serial_number SET revoked_at = ?, revocation_reason = ?,"
                    + " status_changed_at = ? WHERE issuer = ? AND serial = ? AND revoked_at IS NULL")) {
                ps.setObject(1, ts(revokedAt));
                ps.setString(2, RevocationReason.KEY_COMPROMISE.name());
                ps.setObject(3, ts(changedAt));
                ps.setString(4, sibling[0]);
                ps.setString(5, sibling[1]);
                ps.executeUpdate();
            }
            listRevoked(c, sibling[0], sibling[1], Instant.parse(sibling[3]), revokedAt, RevocationReason.KEY_COMPROMISE);
            Map<String, String> details = new java.util.LinkedHashMap<>();
            details.put("reason", RevocationReason.KEY_COMPROMISE.rfcName());
            details.put("revokedAt", revokedAt.toString());
            details.put("state", sibling[2]);
            details.put("cause", "key compromise reported for " + issuer + "/" + serial.hex());
            ledger.append(c, new AuditEvent(dev.hallmark.ledger.AuditEventType.CERTIFICATE_REVOKED, actor,
                    sibling[0] + "/" + sibling[1], details));
        }
    }

    /** Keeps {@code revoked_serial} (what CRLs stream) in step with a revocation, in the revocation's transaction. */
    private static void listRevoked(Connection c, String issuer, String serial, Instant notAfter, Instant revokedAt,
                                    RevocationReason reason) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE revoked_serial SET revoked_at_s = ?, reason_code = ?"
                + " WHERE issuer = ? AND serial = ?")) {
            ps.setLong(1, revokedAt.getEpochSecond());
            ps.setInt(2, reason.code());
            ps.setString(3, issuer);
            ps.setString(4, serial);
            if (ps.executeUpdate() == 1) {
                return;
            }
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO revoked_serial (issuer, serial, not_after_s, revoked_at_s,"
                + " reason_code) VALUES (?, ?, ?, ?, ?)")) {
            ps.setString(1, issuer);
            ps.setString(2, serial);
            ps.setLong(3, notAfter.getEpochSecond());
            ps.setLong(4, revokedAt.getEpochSecond());
            ps.setInt(5, reason.code());
            ps.executeUpdate();
        }
    }

    @Override
    public void forEachRevoked(String issuer, Instant notAfterFrom, Consumer<RevokedSerial> consumer) {
        RevocationReason[] byCode = new RevocationReason[11];
        for (RevocationReason r : RevocationReason.values()) {
            byCode[r.code()] = r;
        }
        // H2 would walk the primary key index and fetch every row by its key (ten times slower than reading the table
        // in order: 10 s against 1.5 s for a million rows); PostgreSQL's planner picks a sequential scan by itself.
        String scan = db.dialect() == Database.Dialect.H2 ? " USE INDEX ()" : "";
        db.inTransaction(c -> { // a cursor on PostgreSQL needs a transaction and a fetch size
            try (PreparedStatement ps = c.prepareStatement("SELECT serial, revoked_at_s, reason_code FROM revoked_serial"
                    + scan + " WHERE issuer = ? AND not_after_s > ?")) {
                ps.setFetchSize(5000);
                ps.setString(1, issuer);
                ps.setLong(2, notAfterFrom.getEpochSecond());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        consumer.accept(new RevokedSerial(new java.math.BigInteger(rs.getString(1), 16),
                                Instant.ofEpochSecond(rs.getLong(2)), byCode[rs.getInt(3)]));
                    }
                }
            }
            return null;
        });
    }

    @Override
    public List<SerialRecord> statusChangedSince(Instant since, int max) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + SERIAL_COLUMNS + " FROM serial_number"
                    + " WHERE status_changed_at >= ? ORDER BY status_changed_at, issuer, serial LIMIT ?")) {
                ps.setObject(1, ts(since));
                ps.setInt(2, max);
                List<SerialRecord> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(serialRecord(rs));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public void forEachLive(String issuer, Instant notAfterFrom, boolean revokedOnly, Consumer<SerialRecord> consumer) {
        // One statement in a read-only transaction: PostgreSQL streams it through a cursor only outside auto-commit
        // and with a fetch size; H2 spills large results to disk by itself.
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + SERIAL_COLUMNS + " FROM serial_number"
                    + " WHERE issuer = ? AND not_after > ? AND state <> ?"
                    + (revokedOnly ? " AND revoked_at IS NOT NULL" : ""))) {
                ps.setFetchSize(2000);
                ps.setString(1, issuer);
                ps.setObject(2, ts(notAfterFrom));
                ps.setString(3, SerialState.ABORTED.name());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        consumer.accept(serialRecord(rs));
                    }
                }
            }
            return null;
        });
    }

    @Override
    public boolean isBlocked(String spkiSha256) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT spki_sha256 FROM blocked_key WHERE spki_sha256 = ?")) {
                ps.setString(1, spkiSha256);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    @Override
    public void saveCa(CaRecord ca, AuditEvent created) {
        try {
            db.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO ca (" + CA_COLUMNS
                        + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                    ps.setString(1, ca.name());
                    ps.setString(2, ca.parentName());
                    ps.setString(3, ca.subject());
                    ps.setString(4, ca.keyAlias());
                    ps.setString(5, ca.keyType().name());
                    ps.setString(6, ca.signatureAlgorithm().name());
                    ps.setBytes(7, ca.certificateDer());
                    ps.setString(8, ca.serial().hex());
                    ps.setObject(9, ts(ca.notBefore()));
                    ps.setObject(10, ts(ca.notAfter()));
                    ps.setObject(11, ts(ca.createdAt()));
                    ps.executeUpdate();
                }
                ledger.append(c, created);
                return null;
            });
        } catch (DatabaseException e) {
            if (e.isUniqueViolation()) {
                throw new CaException(CaException.Kind.CONFLICT, "a CA named '" + ca.name() + "' exists already");
            }
            throw e;
        }
    }

    @Override
    public List<CaRecord> cas() {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + CA_COLUMNS + " FROM ca ORDER BY CASE WHEN parent_name IS NULL THEN 0 ELSE 1 END, created_at, name");
                 ResultSet rs = ps.executeQuery()) {
                List<CaRecord> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(caRecord(rs));
                }
                return out;
            }
        });
    }

    @Override
    public Optional<CaRecord> ca(String name) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + CA_COLUMNS + " FROM ca WHERE name = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(caRecord(rs)) : Optional.empty();
                }
            }
        });
    }

    private static CaRecord caRecord(ResultSet rs) throws SQLException {
        return new CaRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                KeyType.valueOf(rs.getString(5)), SignatureAlgorithm.valueOf(rs.getString(6)), rs.getBytes(7),
                SerialNumber.parse(rs.getString(8)), instant(rs, 9), instant(rs, 10), instant(rs, 11));
    }

    @Override
    public void forEachSerial(Consumer<SerialRecord> consumer) {
        String lastIssuer = "";
        String lastSerial = "";
        while (true) {
            String fi = lastIssuer;
            String fs = lastSerial;
            List<SerialRecord> page = db.read(c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT " + SERIAL_COLUMNS + " FROM serial_number "
                        + "WHERE issuer > ? OR (issuer = ? AND serial > ?) ORDER BY issuer, serial LIMIT 1000")) {
                    ps.setString(1, fi);
                    ps.setString(2, fi);
                    ps.setString(3, fs);
                    List<SerialRecord> out = new ArrayList<>();
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            out.add(serialRecord(rs));
                        }
                    }
                    return out;
                }
            });
            if (page.isEmpty()) {
                return;
            }
            page.forEach(consumer);
            SerialRecord last = page.get(page.size() - 1);
            lastIssuer = last.intent().issuer();
            lastSerial = last.intent().serial().hex();
        }
    }

    @Override
    public List<String> duplicateSerials() {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT issuer, serial FROM serial_number "
                    + "GROUP BY issuer, serial HAVING COUNT(*) > 1");
                 ResultSet rs = ps.executeQuery()) {
                List<String> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(rs.getString(1) + "/" + rs.getString(2));
                }
                return out;
            }
        });
    }

    /** Status counts by CA for {@code ca list}: not needed by the core, but cheap here. */
    public Map<CertificateStatus, Long> countByStatus(String issuer, Instant now) {
        return db.read(c -> {
            Map<CertificateStatus, Long> out = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT "
                    + "SUM(CASE WHEN s.revoked_at IS NULL AND c.not_after > ? THEN 1 ELSE 0 END), "
                    + "SUM(CASE WHEN s.revoked_at IS NOT NULL THEN 1 ELSE 0 END), "
                    + "SUM(CASE WHEN s.revoked_at IS NULL AND c.not_after <= ? THEN 1 ELSE 0 END) "
                    + "FROM certificate c JOIN serial_number s ON s.issuer = c.issuer AND s.serial = c.serial "
                    + "WHERE c.issuer = ?")) {
                ps.setObject(1, ts(now));
                ps.setObject(2, ts(now));
                ps.setString(3, issuer);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    out.put(CertificateStatus.VALID, rs.getLong(1));
                    out.put(CertificateStatus.REVOKED, rs.getLong(2));
                    out.put(CertificateStatus.EXPIRED, rs.getLong(3));
                }
            }
            return out;
        });
    }

    /** A timestamp column value (UTC); null stays null. Shared by the stores of this package. */
    static OffsetDateTime ts(Instant i) {
        return i == null ? null : OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
    }

    /** A timestamp column as an instant; null stays null. */
    static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }
}
