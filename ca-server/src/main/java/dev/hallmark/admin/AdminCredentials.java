package dev.hallmark.admin;

import dev.hallmark.db.Database;
import dev.hallmark.ledger.AuditEvent;
import dev.hallmark.ledger.AuditEventType;
import dev.hallmark.ledger.AuditLedger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Administrator API credentials (bearer tokens). A token is shown once, when it is created; only its SHA-256 is
 * stored, and the ledger records that a credential was created (id, name, role), never the token (RELIABILITY I12).
 * Thread-safe.
 */
public final class AdminCredentials {
    /** Prefix of every token, so a leaked one is recognisable by secret scanners. */
    public static final String TOKEN_PREFIX = "hmk_";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Database db;
    private final AuditLedger ledger;

    public AdminCredentials(Database db, AuditLedger ledger) {
        this.db = Objects.requireNonNull(db, "db");
        this.ledger = Objects.requireNonNull(ledger, "ledger");
    }

    /**
     * A newly created credential.
     *
     * @param id    its public identifier
     * @param name  a label for humans
     * @param role  what it may do
     * @param token the bearer token: shown once, never stored
     */
    public record Created(String id, String name, AdminRole role, String token) {
        @Override
        public String toString() {
            return "Created[id=" + id + ", name=" + name + ", role=" + role + ", token=***]";
        }
    }

    /** Creates a credential and records its creation in the ledger in the same transaction. */
    public Created create(String name, AdminRole role, String actor, Instant at) {
        byte[] id = new byte[8];
        byte[] secret = new byte[32];
        RANDOM.nextBytes(id);
        RANDOM.nextBytes(secret);
        String idHex = HexFormat.of().formatHex(id);
        String token = TOKEN_PREFIX + idHex + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO admin_credential (id, name, role, token_sha256,"
                    + " created_at) VALUES (?, ?, ?, ?, ?)")) {
                ps.setString(1, idHex);
                ps.setString(2, name);
                ps.setString(3, role.name());
                ps.setString(4, sha256(token));
                ps.setObject(5, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
                ps.executeUpdate();
            }
            Map<String, String> details = new LinkedHashMap<>();
            details.put("id", idHex);
            details.put("name", name);
            details.put("role", role.name().toLowerCase(java.util.Locale.ROOT));
            ledger.append(c, new AuditEvent(AuditEventType.ADMIN_CREDENTIAL_CREATED, actor, "admin/" + idHex, details));
            return null;
        });
        return new Created(idHex, name, role, token);
    }

    /** Hex SHA-256 of a token as stored. */
    static String sha256(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
