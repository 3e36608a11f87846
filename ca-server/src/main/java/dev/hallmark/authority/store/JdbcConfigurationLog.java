package dev.hallmark.authority.store;

import dev.hallmark.config.ConfigException;
import dev.hallmark.db.Database;
import dev.hallmark.ledger.AuditEvent;
import dev.hallmark.ledger.AuditEventType;
import dev.hallmark.ledger.AuditLedger;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Audits configuration changes (BR 5.4.1): the SHA-256 of each loaded configuration document (profiles, policy)
 * is kept in {@code config_state}; when a start finds a different digest, the new digest and a
 * {@code PROFILE_CHANGED}/{@code POLICY_CHANGED} ledger entry are committed together. Only digests are recorded,
 * never content, so a document holding a secret leaks nothing. Safe to call from several nodes at once: the row
 * is locked while compared.
 */
public final class JdbcConfigurationLog {
    private final Database db;
    private final AuditLedger ledger;

    public JdbcConfigurationLog(Database db, AuditLedger ledger) {
        this.db = db;
        this.ledger = ledger;
    }

    /**
     * Pins the content digest of a versioned document (a profile at one version): the first time it is seen it is
     * recorded; afterwards the same version must have the same digest.
     *
     * @throws ConfigException when the content changed but the version did not
     */
    public void pinVersion(String name, int version, String sha256, String actor, Instant at) {
        String key = "profile:" + name + "@" + version;
        String previous = db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT sha256 FROM config_state WHERE name = ?")) {
                ps.setString(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        });
        if (previous == null) {
            record(key, sha256, AuditEventType.PROFILE_CHANGED, actor, at);
        } else if (!previous.equals(sha256)) {
            throw new ConfigException("profile '" + name + "' changed but its version is still " + version
                    + "; raise its version so certificates issued under the old content keep their meaning");
        }
    }

    /**
     * Records the digest of document {@code name}, auditing a change.
     *
     * @return true when it changed (or was seen for the first time)
     */
    public boolean record(String name, String sha256, AuditEventType type, String actor, Instant at) {
        return db.inTransaction(c -> {
            String previous = null;
            boolean exists = false;
            try (PreparedStatement ps = c.prepareStatement("SELECT sha256 FROM config_state WHERE name = ? FOR UPDATE")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        exists = true;
                        previous = rs.getString(1);
                    }
                }
            }
            if (sha256.equals(previous)) {
                return false;
            }
            String sql = exists ? "UPDATE config_state SET sha256 = ?, updated_at = ? WHERE name = ?"
                    : "INSERT INTO config_state (sha256, updated_at, name) VALUES (?, ?, ?)";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, sha256);
                ps.setObject(2, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
                ps.setString(3, name);
                ps.executeUpdate();
            }
            Map<String, String> details = new LinkedHashMap<>();
            details.put("document", name);
            details.put("sha256", sha256);
            details.put("previous", previous == null ? "" : previous);
            ledger.append(c, new AuditEvent(type, actor, "config/" + name, details));
            return true;
        });
    }
}
