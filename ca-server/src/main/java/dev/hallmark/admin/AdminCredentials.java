package dev.hallmark.admin;

import dev.hallmark.authority.CaException;
import dev.hallmark.db.Database;
import dev.hallmark.ledger.AuditEvent;
import dev.hallmark.ledger.AuditEventType;
import dev.hallmark.ledger.AuditLedger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
    /** Longest credential name, in characters (the column's width). */
    public static final int MAX_NAME = 128;
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

    /**
     * Creates a credential and records its creation in the ledger in the same transaction.
     *
     * @throws IllegalArgumentException when {@code name} is not acceptable (see {@link #checkName(String)})
     */
    public Created create(String name, AdminRole role, String actor, Instant at) {
        checkName(name);
        Objects.requireNonNull(role, "role");
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

    /**
     * A stored credential (never its secret).
     *
     * @param id        public identifier
     * @param name      label
     * @param role      what it may do
     * @param kind      {@code token} or {@code certificate}
     * @param createdAt when it was created
     * @param revokedAt when it was revoked, or {@code null}
     */
    public record Credential(String id, String name, AdminRole role, String kind, Instant createdAt, Instant revokedAt) {
        public boolean isRevoked() {
            return revokedAt != null;
        }
    }

    /**
     * Registers a mutual-TLS client certificate as a credential: its SHA-256 fingerprint is stored. The TLS
     * handshake checks the chain to Hallmark's root; this decides who the holder is and what it may do. The
     * caller checks that the bytes are a currently valid end-entity certificate.
     *
     * @throws CaException {@code CONFLICT} when the certificate is registered already, revoked or not: a revoked
     *                     credential is never brought back
     * @throws IllegalArgumentException when {@code name} is not acceptable (see {@link #checkName(String)})
     */
    public Credential registerCertificate(String name, AdminRole role, byte[] certificateDer, String actor, Instant at) {
        checkName(name);
        Objects.requireNonNull(role, "role");
        byte[] id = new byte[8];
        RANDOM.nextBytes(id);
        String idHex = HexFormat.of().formatHex(id);
        String fingerprint = sha256(certificateDer);
        db.inTransaction(c -> {
            // The unique index would refuse a second row too, but as an opaque constraint violation.
            try (PreparedStatement ps = c.prepareStatement("SELECT id, revoked_at FROM admin_credential WHERE token_sha256 = ?")) {
                ps.setString(1, fingerprint);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        throw new CaException(CaException.Kind.CONFLICT, "this certificate is registered already, as credential "
                                + rs.getString("id") + (rs.getObject("revoked_at") == null ? ""
                                : " (revoked; a revoked credential is never brought back: use a new certificate)"));
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO admin_credential (id, name, role, token_sha256,"
                    + " created_at, kind) VALUES (?, ?, ?, ?, ?, 'certificate')")) {
                ps.setString(1, idHex);
                ps.setString(2, name);
                ps.setString(3, role.name());
                ps.setString(4, fingerprint);
                ps.setObject(5, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
                ps.executeUpdate();
            }
            Map<String, String> details = new LinkedHashMap<>();
            details.put("id", idHex);
            details.put("name", name);
            details.put("role", role.name().toLowerCase(java.util.Locale.ROOT));
            details.put("certificateSha256", fingerprint);
            ledger.append(c, new AuditEvent(AuditEventType.ADMIN_CREDENTIAL_CREATED, actor, "admin/" + idHex, details));
            return null;
        });
        return new Credential(idHex, name, role, "certificate", at, null);
    }

    /** The unrevoked credential a bearer token belongs to; empty for anything else (malformed, unknown, revoked). */
    public Optional<Credential> authenticate(String token) {
        if (token == null || !token.startsWith(TOKEN_PREFIX) || token.length() > 200) {
            return Optional.empty();
        }
        return findActive(sha256(token), "token");
    }

    /** The unrevoked credential a client certificate (DER) is registered as; empty for null or unknown. */
    public Optional<Credential> authenticateCertificate(byte[] certificateDer) {
        if (certificateDer == null) {
            return Optional.empty();
        }
        return findActive(sha256(certificateDer), "certificate");
    }

    private Optional<Credential> findActive(String digest, String kind) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE token_sha256 = ? AND kind = ? AND revoked_at IS NULL")) {
                ps.setString(1, digest);
                ps.setString(2, kind);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(credential(rs)) : Optional.<Credential>empty();
                }
            }
        });
    }

    /** The credential with this id, revoked or not. */
    public Optional<Credential> find(String id) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(credential(rs)) : Optional.<Credential>empty();
                }
            }
        });
    }

    /** Every credential, oldest first, revoked ones included. */
    public List<Credential> list() {
        return db.read(c -> {
            List<Credential> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(SELECT + " ORDER BY created_at, id");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(credential(rs));
                }
            }
            return out;
        });
    }

    /**
     * Revokes a credential, recording it in the ledger in the same transaction. Revoking an already revoked
     * credential changes nothing.
     *
     * @return the credential as it now stands, or empty when there is no such id
     */
    public Optional<Credential> revoke(String id, String actor, Instant at) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE admin_credential SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")) {
                ps.setObject(1, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
                ps.setString(2, id);
                if (ps.executeUpdate() == 1) {
                    ledger.append(c, new AuditEvent(AuditEventType.ADMIN_CREDENTIAL_REVOKED, actor, "admin/" + id, Map.of("id", id)));
                }
            }
            try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(credential(rs)) : Optional.<Credential>empty();
                }
            }
        });
    }

    /**
     * Checks a credential name: 1 to {@value #MAX_NAME} characters, not blank, no control characters (it is shown
     * in listings and terminals).
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static void checkName(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a credential name must not be empty");
        }
        if (name.length() > MAX_NAME) {
            throw new IllegalArgumentException("a credential name has at most " + MAX_NAME + " characters");
        }
        if (name.codePoints().anyMatch(cp -> Character.isISOControl(cp) || cp == 0x2028 || cp == 0x2029)) {
            throw new IllegalArgumentException("a credential name must not contain control characters");
        }
    }

    private static final String SELECT = "SELECT id, name, role, kind, created_at, revoked_at FROM admin_credential";

    private static Credential credential(ResultSet rs) throws java.sql.SQLException {
        OffsetDateTime revoked = rs.getObject("revoked_at", OffsetDateTime.class);
        return new Credential(rs.getString("id"), rs.getString("name"), AdminRole.valueOf(rs.getString("role")),
                rs.getString("kind"), rs.getObject("created_at", OffsetDateTime.class).toInstant(),
                revoked == null ? null : revoked.toInstant());
    }

    /** Hex SHA-256 of a token as stored. */
    static String sha256(String token) {
        return sha256(token.getBytes(StandardCharsets.UTF_8));
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
