package dev.hallmark.authority.testing;

import dev.hallmark.db.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A fingerprint of everything the authority stores (row counts and content digests per table), so a negative test
 * can assert "nothing stored changed": {@code assertThat(StoredState.of(db)).isEqualTo(before)}.
 *
 * @param tables table name to "rows:digest"
 */
public record StoredState(Map<String, String> tables) {
    private static final List<String> QUERIES = List.of(
            "ca|SELECT name, serial, not_after FROM ca ORDER BY name",
            "serial_number|SELECT issuer, serial, state, revoked_at, revocation_reason FROM serial_number ORDER BY issuer, serial",
            "certificate|SELECT issuer, serial, sha256_fingerprint FROM certificate ORDER BY issuer, serial",
            "certificate_san|SELECT issuer, serial, san_type, san_value FROM certificate_san ORDER BY issuer, serial, san_value",
            "blocked_key|SELECT spki_sha256, reason FROM blocked_key ORDER BY spki_sha256",
            "ledger_entry|SELECT id, event_type, subject FROM ledger_entry ORDER BY id");

    /** Reads the current state. */
    public static StoredState of(Database db) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String q : QUERIES) {
            String table = q.substring(0, q.indexOf('|'));
            String sql = q.substring(q.indexOf('|') + 1);
            out.put(table, db.read(c -> {
                try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
                    int rows = 0;
                    int hash = 1;
                    int cols = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        rows++;
                        for (int i = 1; i <= cols; i++) {
                            hash = 31 * hash + String.valueOf(rs.getObject(i)).hashCode();
                        }
                    }
                    return rows + ":" + Integer.toHexString(hash);
                }
            }));
        }
        return new StoredState(out);
    }
}
