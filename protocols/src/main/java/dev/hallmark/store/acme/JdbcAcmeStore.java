package dev.hallmark.store.acme;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.hallmark.authority.Identifier;
import dev.hallmark.db.Database;
import dev.hallmark.db.DatabaseException;
import dev.hallmark.protocol.acme.AcmeAccount;
import dev.hallmark.protocol.acme.AcmeAuthorization;
import dev.hallmark.protocol.acme.AcmeChallenge;
import dev.hallmark.protocol.acme.AcmeOrder;
import dev.hallmark.protocol.acme.AcmeStatus;
import dev.hallmark.protocol.acme.AcmeStore;
import dev.hallmark.protocol.acme.EabKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * {@link AcmeStore} on H2 or PostgreSQL (the {@code acme_*} tables of migration V6). Each method is one transaction
 * (reads: one pooled connection in auto-commit); every state change is a conditional {@code UPDATE ... WHERE status
 * = ?} whose row count says whether this caller made it, so nodes sharing the database change an object once.
 * A unique or primary-key violation surfaces as {@link AcmeStore.DuplicateException}; other failures as
 * {@link DatabaseException}. Explicit columns everywhere. Thread-safe.
 */
public final class JdbcAcmeStore implements AcmeStore {
    private static final String ACCOUNT_COLUMNS = "id, thumbprint, jwk, status, contacts, terms_agreed, eab_kid, created_at";
    private static final String ORDER_COLUMNS = "id, account_id, status, expires_at, identifiers, not_before, not_after, "
            + "profile, replaces, error, cert_issuer, cert_serial, created_at";
    private static final String AUTHZ_COLUMNS = "a.id, a.account_id, a.identifier_type, a.identifier_value, a.wildcard, "
            + "a.status, a.expires_at, a.validated_at, a.validation_method";
    private static final String CHALLENGE_COLUMNS = "c.id, c.authz_id, c.type, c.token, c.status, c.validated_at, c.error";
    private static final String EAB_COLUMNS = "kid, sealed_key, created_at, created_by, account_id, revoked";
    private static final String WILDCARD_PREFIX = "*.";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Database db;

    /** @param db the migrated database shared by every node */
    public JdbcAcmeStore(Database db) {
        this.db = db;
    }

    // --- nonces ---

    @Override
    public void putNonces(java.util.Collection<String> nonces, Instant expires) {
        write(() -> db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO acme_nonce (nonce, expires_at) VALUES (?, ?)")) {
                for (String nonce : nonces) {
                    ps.setString(1, nonce);
                    ps.setObject(2, ts(expires));
                    ps.addBatch();
                }
                return ps.executeBatch().length;
            }
        }), "nonce exists");
    }

    @Override
    public boolean consumeNonce(String nonce, Instant now) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM acme_nonce WHERE nonce = ? AND expires_at > ?")) {
                ps.setString(1, nonce);
                ps.setObject(2, ts(now));
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public int purgeNonces(Instant now) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM acme_nonce WHERE expires_at <= ?")) {
                ps.setObject(1, ts(now));
                return ps.executeUpdate();
            }
        });
    }

    // --- accounts ---

    @Override
    public AcmeAccount createAccount(AcmeAccount a) {
        return write(() -> db.inTransaction(c -> {
            long id;
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO acme_account (thumbprint, jwk, status, contacts,"
                    + " terms_agreed, eab_kid, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", new String[] {"id"})) {
                ps.setString(1, a.thumbprint());
                ps.setString(2, a.jwk());
                ps.setString(3, a.status().label());
                ps.setString(4, contactsJson(a.contacts()));
                ps.setBoolean(5, a.termsAgreed());
                ps.setString(6, a.eabKid());
                ps.setObject(7, ts(a.createdAt()));
                ps.executeUpdate();
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    if (!keys.next()) {
                        throw new SQLException("no generated account id");
                    }
                    id = keys.getLong(1);
                }
            }
            if (a.eabKid() != null) {
                // Single use: only the transaction that finds the key unbound binds it; the loser rolls back.
                try (PreparedStatement ps = c.prepareStatement("UPDATE acme_eab_key SET account_id = ? WHERE kid = ?"
                        + " AND account_id IS NULL AND revoked = FALSE")) {
                    ps.setLong(1, id);
                    ps.setString(2, a.eabKid());
                    if (ps.executeUpdate() != 1) {
                        throw new DuplicateException("external account binding key is unknown, used or revoked");
                    }
                }
            }
            return new AcmeAccount(id, a.thumbprint(), a.jwk(), a.status(), a.contacts(), a.termsAgreed(), a.eabKid(),
                    a.createdAt());
        }), "an account with this key or binding exists");
    }

    @Override
    public Optional<AcmeAccount> account(long id) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + ACCOUNT_COLUMNS + " FROM acme_account WHERE id = ?")) {
                ps.setLong(1, id);
                return first(ps, JdbcAcmeStore::account);
            }
        });
    }

    @Override
    public Optional<AcmeAccount> accountByThumbprint(String thumbprint) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + ACCOUNT_COLUMNS
                    + " FROM acme_account WHERE thumbprint = ?")) {
                ps.setString(1, thumbprint);
                return first(ps, JdbcAcmeStore::account);
            }
        });
    }

    @Override
    public boolean updateContacts(long id, List<String> contacts) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE acme_account SET contacts = ? WHERE id = ? AND status = ?")) {
                ps.setString(1, contactsJson(contacts));
                ps.setLong(2, id);
                ps.setString(3, AcmeStatus.VALID.label());
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public boolean deactivateAccount(long id, AcmeStatus to) {
        if (to != AcmeStatus.DEACTIVATED && to != AcmeStatus.REVOKED) {
            throw new IllegalArgumentException("an account becomes deactivated or revoked, not " + to.label());
        }
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE acme_account SET status = ? WHERE id = ? AND status = ?")) {
                ps.setString(1, to.label());
                ps.setLong(2, id);
                ps.setString(3, AcmeStatus.VALID.label());
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public boolean changeKey(long id, String oldThumbprint, String newThumbprint, String newJwk) {
        return write(() -> db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE acme_account SET thumbprint = ?, jwk = ?"
                    + " WHERE id = ? AND status = ? AND thumbprint = ?")) {
                ps.setString(1, newThumbprint);
                ps.setString(2, newJwk);
                ps.setLong(3, id);
                ps.setString(4, AcmeStatus.VALID.label());
                ps.setString(5, oldThumbprint);
                return ps.executeUpdate() == 1;
            }
        }), "the new key belongs to another account");
    }

    @Override
    public List<AcmeAccount> accounts(int offset, int limit) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + ACCOUNT_COLUMNS + " FROM acme_account"
                    + " ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?")) {
                ps.setInt(1, limit);
                ps.setInt(2, offset);
                return all(ps, JdbcAcmeStore::account);
            }
        });
    }

    // --- orders and authorizations ---

    @Override
    public void createOrder(AcmeOrder o, List<AcmeAuthorization> newAuthorizations) {
        if (o.replaces() != null) {
            ensureReplacementLock(o.replaces());
        }
        write(() -> db.inTransaction(c -> {
            if (o.replaces() != null) {
                try (PreparedStatement ps = c.prepareStatement("SELECT cert_id FROM acme_replacement_lock"
                        + " WHERE cert_id = ? FOR UPDATE")) {
                    ps.setString(1, o.replaces());
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                    }
                }
                if (replacementInProgress(c, o.replaces(), o.createdAt())) {
                    throw new DuplicateException("another order already replaces " + o.replaces());
                }
            }
            for (AcmeAuthorization a : newAuthorizations) {
                insertAuthorization(c, a);
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO acme_order (" + ORDER_COLUMNS + ")"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, o.id());
                ps.setLong(2, o.accountId());
                ps.setString(3, o.status().label());
                ps.setObject(4, ts(o.expires()));
                ps.setString(5, identifiersJson(o.identifiers()));
                ps.setObject(6, ts(o.notBefore()));
                ps.setObject(7, ts(o.notAfter()));
                ps.setString(8, o.profile());
                ps.setString(9, o.replaces());
                ps.setString(10, o.error());
                ps.setString(11, o.certIssuer());
                ps.setString(12, o.certSerial());
                ps.setObject(13, ts(o.createdAt()));
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO acme_order_authorization (order_id, authz_id,"
                    + " position) VALUES (?, ?, ?)")) {
                for (int i = 0; i < o.authzIds().size(); i++) {
                    ps.setString(1, o.id());
                    ps.setString(2, o.authzIds().get(i));
                    ps.setInt(3, i);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        }), "order or authorization id exists");
    }

    private static void insertAuthorization(Connection c, AcmeAuthorization a) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO acme_authorization (id, account_id, identifier_type,"
                + " identifier_value, wildcard, status, expires_at, validated_at, validation_method)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, a.id());
            ps.setLong(2, a.accountId());
            ps.setString(3, a.identifier().type().label());
            ps.setString(4, a.identifier().value());
            ps.setBoolean(5, a.wildcard());
            ps.setString(6, a.status().label());
            ps.setObject(7, ts(a.expires()));
            ps.setObject(8, ts(a.validatedAt()));
            ps.setString(9, a.validationMethod());
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO acme_challenge (id, authz_id, position, type, token,"
                + " status, validated_at, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (int i = 0; i < a.challenges().size(); i++) {
                AcmeChallenge ch = a.challenges().get(i);
                if (!ch.authzId().equals(a.id())) {
                    throw new IllegalArgumentException("challenge " + ch.id() + " belongs to " + ch.authzId()
                            + ", not " + a.id());
                }
                ps.setString(1, ch.id());
                ps.setString(2, a.id());
                ps.setInt(3, i);
                ps.setString(4, ch.type());
                ps.setString(5, ch.token());
                ps.setString(6, ch.status().label());
                ps.setObject(7, ts(ch.validated()));
                ps.setString(8, ch.error());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    @Override
    public Optional<AcmeOrder> order(String id) {
        return db.read(c -> {
            Optional<OrderRow> row;
            try (PreparedStatement ps = c.prepareStatement("SELECT " + ORDER_COLUMNS + " FROM acme_order WHERE id = ?")) {
                ps.setString(1, id);
                row = first(ps, JdbcAcmeStore::orderRow);
            }
            if (row.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(withAuthzIds(c, List.of(row.get())).get(0));
        });
    }

    @Override
    public List<String> orderIds(long accountId, Instant now, int offset, int limit) {
        // §7.1.2.1: pending orders yes, invalid ones no. A processing order stays listed past its expiry (it is
        // being finalized); other orders drop out when they expire. A pending order with an authorization that
        // failed or was withdrawn reads as invalid (§7.1.6), so it is left out too. (An authorization never expires
        // before its order: new ones expire with it, reused ones must outlive it.)
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT o.id FROM acme_order o WHERE o.account_id = ?"
                    + " AND o.status <> ? AND (o.status = ? OR o.expires_at > ?)"
                    + " AND (o.status <> ? OR NOT EXISTS (SELECT 1 FROM acme_order_authorization oa"
                    + " JOIN acme_authorization a ON a.id = oa.authz_id WHERE oa.order_id = o.id"
                    + " AND a.status IN (?, ?, ?)))"
                    + " ORDER BY o.created_at DESC, o.id DESC LIMIT ? OFFSET ?")) {
                ps.setLong(1, accountId);
                ps.setString(2, AcmeStatus.INVALID.label());
                ps.setString(3, AcmeStatus.PROCESSING.label());
                ps.setObject(4, ts(now));
                ps.setString(5, AcmeStatus.PENDING.label());
                ps.setString(6, AcmeStatus.INVALID.label());
                ps.setString(7, AcmeStatus.DEACTIVATED.label());
                ps.setString(8, AcmeStatus.REVOKED.label());
                ps.setInt(9, limit);
                ps.setInt(10, offset);
                return all(ps, rs -> rs.getString(1));
            }
        });
    }

    @Override
    public List<AcmeOrder> orders(Long accountId, int offset, int limit) {
        return db.read(c -> {
            List<OrderRow> rows;
            try (PreparedStatement ps = c.prepareStatement("SELECT " + ORDER_COLUMNS + " FROM acme_order"
                    + (accountId == null ? "" : " WHERE account_id = ?")
                    + " ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?")) {
                int i = 1;
                if (accountId != null) {
                    ps.setLong(i++, accountId);
                }
                ps.setInt(i++, limit);
                ps.setInt(i, offset);
                rows = all(ps, JdbcAcmeStore::orderRow);
            }
            return withAuthzIds(c, rows);
        });
    }

    @Override
    public List<AcmeAuthorization> authorizationsOf(AcmeOrder order) {
        return db.read(c -> {
            List<AuthzRow> rows;
            try (PreparedStatement ps = c.prepareStatement("SELECT " + AUTHZ_COLUMNS + " FROM acme_order_authorization oa"
                    + " JOIN acme_authorization a ON a.id = oa.authz_id WHERE oa.order_id = ? ORDER BY oa.position")) {
                ps.setString(1, order.id());
                rows = all(ps, JdbcAcmeStore::authzRow);
            }
            Map<String, List<AcmeChallenge>> challenges = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + CHALLENGE_COLUMNS + " FROM acme_order_authorization oa"
                    + " JOIN acme_challenge c ON c.authz_id = oa.authz_id WHERE oa.order_id = ?"
                    + " ORDER BY oa.position, c.position")) {
                ps.setString(1, order.id());
                for (AcmeChallenge ch : all(ps, JdbcAcmeStore::challenge)) {
                    challenges.computeIfAbsent(ch.authzId(), k -> new ArrayList<>()).add(ch);
                }
            }
            return rows.stream().map(r -> r.with(challenges.getOrDefault(r.id(), List.of()))).toList();
        });
    }

    @Override
    public Optional<AcmeAuthorization> authorization(String id) {
        return db.read(c -> {
            Optional<AuthzRow> row;
            try (PreparedStatement ps = c.prepareStatement("SELECT " + AUTHZ_COLUMNS + " FROM acme_authorization a"
                    + " WHERE a.id = ?")) {
                ps.setString(1, id);
                row = first(ps, JdbcAcmeStore::authzRow);
            }
            return row.isEmpty() ? Optional.empty() : Optional.of(withChallenges(c, row.get()));
        });
    }

    @Override
    public Optional<AcmeAuthorization> reusableAuthorization(long accountId, Identifier identifier, boolean wildcard,
                                                             Instant validUntil) {
        return db.read(c -> {
            Optional<AuthzRow> row;
            try (PreparedStatement ps = c.prepareStatement("SELECT " + AUTHZ_COLUMNS + " FROM acme_authorization a"
                    + " WHERE a.account_id = ? AND a.identifier_type = ? AND a.identifier_value = ? AND a.wildcard = ?"
                    + " AND a.status = ? AND a.expires_at > ? ORDER BY a.expires_at DESC, a.id LIMIT 1")) {
                ps.setLong(1, accountId);
                ps.setString(2, identifier.type().label());
                ps.setString(3, identifier.value());
                ps.setBoolean(4, wildcard);
                ps.setString(5, AcmeStatus.VALID.label());
                ps.setObject(6, ts(validUntil));
                row = first(ps, JdbcAcmeStore::authzRow);
            }
            return row.isEmpty() ? Optional.empty() : Optional.of(withChallenges(c, row.get()));
        });
    }

    @Override
    public boolean transitionOrder(String id, AcmeStatus from, AcmeStatus to, String error) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE acme_order SET status = ?, error = ?"
                    + " WHERE id = ? AND status = ?")) {
                ps.setString(1, to.label());
                ps.setString(2, error);
                ps.setString(3, id);
                ps.setString(4, from.label());
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public boolean startProcessing(String id, Instant at) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE acme_order SET status = ?, processing_since = ?"
                    + " WHERE id = ? AND status = ?")) {
                ps.setString(1, AcmeStatus.PROCESSING.label());
                ps.setObject(2, ts(at));
                ps.setString(3, id);
                ps.setString(4, AcmeStatus.PENDING.label());
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public List<AcmeOrder> processingSince(Instant before, int limit) {
        return db.read(c -> {
            List<OrderRow> rows;
            try (PreparedStatement ps = c.prepareStatement("SELECT " + ORDER_COLUMNS + " FROM acme_order"
                    + " WHERE status = ? AND processing_since < ? ORDER BY processing_since, id LIMIT ?")) {
                ps.setString(1, AcmeStatus.PROCESSING.label());
                ps.setObject(2, ts(before));
                ps.setInt(3, limit);
                rows = all(ps, JdbcAcmeStore::orderRow);
            }
            return withAuthzIds(c, rows);
        });
    }

    @Override
    public boolean completeOrder(String id, String issuer, String serialHex) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE acme_order SET status = ?, cert_issuer = ?,"
                    + " cert_serial = ? WHERE id = ? AND status = ?")) {
                ps.setString(1, AcmeStatus.VALID.label());
                ps.setString(2, issuer);
                ps.setString(3, serialHex);
                ps.setString(4, id);
                ps.setString(5, AcmeStatus.PROCESSING.label());
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public Optional<AcmeOrder> orderByCertificate(String issuer, String serialHex) {
        return db.read(c -> {
            Optional<OrderRow> row;
            try (PreparedStatement ps = c.prepareStatement("SELECT " + ORDER_COLUMNS + " FROM acme_order"
                    + " WHERE cert_issuer = ? AND cert_serial = ? ORDER BY created_at DESC, id DESC LIMIT 1")) {
                ps.setString(1, issuer);
                ps.setString(2, serialHex);
                row = first(ps, JdbcAcmeStore::orderRow);
            }
            return row.isEmpty() ? Optional.empty() : Optional.of(withAuthzIds(c, List.of(row.get())).get(0));
        });
    }

    @Override
    public boolean replacementInProgress(String certId, Instant now) {
        return db.read(c -> replacementInProgress(c, certId, now));
    }

    /**
     * A pending order counts only while it has not expired and none of its authorizations failed, was withdrawn or
     * expired (those read as invalid, RFC 8555 §7.1.6).
     */
    private static boolean replacementInProgress(Connection c, String certId, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(o.id) FROM acme_order o WHERE o.replaces = ?"
                + " AND (o.status IN (?, ?) OR (o.status = ? AND o.expires_at > ? AND NOT EXISTS (SELECT 1"
                + " FROM acme_order_authorization oa JOIN acme_authorization a ON a.id = oa.authz_id"
                + " WHERE oa.order_id = o.id AND (a.status IN (?, ?, ?) OR a.expires_at <= ?))))")) {
            ps.setString(1, certId);
            ps.setString(2, AcmeStatus.VALID.label());
            ps.setString(3, AcmeStatus.PROCESSING.label());
            ps.setString(4, AcmeStatus.PENDING.label());
            ps.setObject(5, ts(now));
            ps.setString(6, AcmeStatus.INVALID.label());
            ps.setString(7, AcmeStatus.DEACTIVATED.label());
            ps.setString(8, AcmeStatus.REVOKED.label());
            ps.setObject(9, ts(now));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1) > 0;
            }
        }
    }

    /** Makes sure the lock row of {@code certId} exists (its own transaction: a lost insert race is fine). */
    private void ensureReplacementLock(String certId) {
        try {
            db.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO acme_replacement_lock (cert_id)"
                        + " SELECT ? WHERE NOT EXISTS (SELECT 1 FROM acme_replacement_lock WHERE cert_id = ?)")) {
                    ps.setString(1, certId);
                    ps.setString(2, certId);
                    return ps.executeUpdate();
                }
            });
        } catch (DatabaseException e) {
            if (!e.isUniqueViolation()) {
                throw e;
            }
        }
    }

    @Override
    public boolean transitionAuthorization(String id, AcmeStatus from, AcmeStatus to) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE acme_authorization SET status = ?"
                    + " WHERE id = ? AND status = ?")) {
                ps.setString(1, to.label());
                ps.setString(2, id);
                ps.setString(3, from.label());
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public Optional<AcmeChallenge> challenge(String id) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + CHALLENGE_COLUMNS + " FROM acme_challenge c"
                    + " WHERE c.id = ?")) {
                ps.setString(1, id);
                return first(ps, JdbcAcmeStore::challenge);
            }
        });
    }

    @Override
    public boolean startChallenge(String challengeId, Instant at) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE acme_challenge SET status = ?, processing_since = ?"
                    + " WHERE id = ? AND status = ? AND EXISTS (SELECT 1 FROM acme_authorization a"
                    + " WHERE a.id = acme_challenge.authz_id AND a.status = ?)")) {
                ps.setString(1, AcmeStatus.PROCESSING.label());
                ps.setObject(2, ts(at));
                ps.setString(3, challengeId);
                ps.setString(4, AcmeStatus.PENDING.label());
                ps.setString(5, AcmeStatus.PENDING.label());
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public boolean unstartChallenge(String challengeId) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE acme_challenge SET status = ?, processing_since = NULL"
                    + " WHERE id = ? AND status = ?")) {
                ps.setString(1, AcmeStatus.PENDING.label());
                ps.setString(2, challengeId);
                ps.setString(3, AcmeStatus.PROCESSING.label());
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public List<AcmeChallenge> challengesProcessingSince(Instant before, int limit) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + CHALLENGE_COLUMNS + " FROM acme_challenge c"
                    + " WHERE c.status = ? AND c.processing_since < ? ORDER BY c.processing_since, c.id LIMIT ?")) {
                ps.setString(1, AcmeStatus.PROCESSING.label());
                ps.setObject(2, ts(before));
                ps.setInt(3, limit);
                return all(ps, JdbcAcmeStore::challenge);
            }
        });
    }

    @Override
    public boolean finishChallenge(ChallengeResult r) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE acme_challenge SET status = ?, validated_at = ?,"
                    + " error = ? WHERE id = ? AND status = ?")) {
                ps.setString(1, (r.valid() ? AcmeStatus.VALID : AcmeStatus.INVALID).label());
                ps.setObject(2, ts(r.valid() ? r.at() : null));
                ps.setString(3, r.valid() ? null : r.error());
                ps.setString(4, r.challengeId());
                ps.setString(5, AcmeStatus.PROCESSING.label());
                if (ps.executeUpdate() != 1) {
                    return false;
                }
            }
            String authzId;
            String type;
            try (PreparedStatement ps = c.prepareStatement("SELECT authz_id, type FROM acme_challenge WHERE id = ?")) {
                ps.setString(1, r.challengeId());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    authzId = rs.getString(1);
                    type = rs.getString(2);
                }
            }
            // Only a pending, unexpired authorization takes the result: an expired one stays expired, and one a
            // sibling challenge already decided keeps that decision.
            String sql = r.valid()
                    ? "UPDATE acme_authorization SET status = ?, validated_at = ?, validation_method = ?, expires_at = ?"
                            + " WHERE id = ? AND status = ? AND expires_at > ?"
                    : "UPDATE acme_authorization SET status = ? WHERE id = ? AND status = ? AND expires_at > ?";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                if (r.valid()) {
                    ps.setString(i++, AcmeStatus.VALID.label());
                    ps.setObject(i++, ts(r.at()));
                    ps.setString(i++, type);
                    ps.setObject(i++, ts(r.authzExpires()));
                } else {
                    ps.setString(i++, AcmeStatus.INVALID.label());
                }
                ps.setString(i++, authzId);
                ps.setString(i++, AcmeStatus.PENDING.label());
                ps.setObject(i, ts(r.at()));
                ps.executeUpdate();
            }
            return true;
        });
    }

    @Override
    public boolean authorizedFor(long accountId, List<Identifier> identifiers, Instant now) {
        if (identifiers.isEmpty()) {
            return false; // fail closed: nothing to vouch for is never a reason to act
        }
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(a.id) FROM acme_authorization a"
                    + " WHERE a.account_id = ? AND a.identifier_type = ? AND a.identifier_value = ? AND a.wildcard = ?"
                    + " AND a.status = ? AND a.expires_at > ?")) {
                for (Identifier id : identifiers) {
                    boolean wildcard = id.type() == Identifier.Type.DNS && id.value().startsWith(WILDCARD_PREFIX);
                    ps.setLong(1, accountId);
                    ps.setString(2, id.type().label());
                    ps.setString(3, wildcard ? id.value().substring(WILDCARD_PREFIX.length()) : id.value());
                    ps.setBoolean(4, wildcard);
                    ps.setString(5, AcmeStatus.VALID.label());
                    ps.setObject(6, ts(now));
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        if (rs.getLong(1) == 0) {
                            return false;
                        }
                    }
                }
                return true;
            }
        });
    }

    // --- rate limits ---

    @Override
    public boolean tryCount(String bucket, Instant windowStart, long limit) {
        if (countIn(bucket, windowStart, limit)) {
            return true;
        }
        // The window row may not exist yet: create it (a racing node may create it first), then count again.
        try {
            db.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO acme_rate_window (bucket, window_start,"
                        + " event_count) VALUES (?, ?, 0)")) {
                    ps.setString(1, bucket);
                    ps.setObject(2, ts(windowStart));
                    return ps.executeUpdate();
                }
            });
        } catch (DatabaseException e) {
            if (!e.isUniqueViolation()) {
                throw e;
            }
        }
        return countIn(bucket, windowStart, limit);
    }

    private boolean countIn(String bucket, Instant windowStart, long limit) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE acme_rate_window SET event_count = event_count + 1"
                    + " WHERE bucket = ? AND window_start = ? AND event_count < ?")) {
                ps.setString(1, bucket);
                ps.setObject(2, ts(windowStart));
                ps.setLong(3, limit);
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public long count(String bucket, Instant windowStart) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT event_count FROM acme_rate_window"
                    + " WHERE bucket = ? AND window_start = ?")) {
                ps.setString(1, bucket);
                ps.setObject(2, ts(windowStart));
                return first(ps, rs -> rs.getLong(1)).orElse(0L);
            }
        });
    }

    @Override
    public Optional<Long> rateOverride(String bucket) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT limit_value FROM acme_rate_override WHERE bucket = ?")) {
                ps.setString(1, bucket);
                return first(ps, rs -> rs.getLong(1));
            }
        });
    }

    @Override
    public void setRateOverride(String bucket, long limit) {
        // Update, else insert; a node inserting the same bucket meanwhile makes the insert fail, then the update wins.
        for (int attempt = 0; ; attempt++) {
            try {
                db.inTransaction(c -> {
                    try (PreparedStatement ps = c.prepareStatement("UPDATE acme_rate_override SET limit_value = ?"
                            + " WHERE bucket = ?")) {
                        ps.setLong(1, limit);
                        ps.setString(2, bucket);
                        if (ps.executeUpdate() == 1) {
                            return null;
                        }
                    }
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO acme_rate_override (bucket, limit_value)"
                            + " VALUES (?, ?)")) {
                        ps.setString(1, bucket);
                        ps.setLong(2, limit);
                        ps.executeUpdate();
                    }
                    return null;
                });
                return;
            } catch (DatabaseException e) {
                if (!e.isUniqueViolation() || attempt > 0) {
                    throw e;
                }
            }
        }
    }

    @Override
    public boolean removeRateOverride(String bucket) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM acme_rate_override WHERE bucket = ?")) {
                ps.setString(1, bucket);
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public Map<String, Long> rateOverrides() {
        return db.read(c -> {
            Map<String, Long> out = new TreeMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT bucket, limit_value FROM acme_rate_override");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getLong(2));
                }
            }
            return Collections.unmodifiableMap(out);
        });
    }

    @Override
    public int purgeRateWindows(Instant before) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM acme_rate_window WHERE window_start < ?")) {
                ps.setObject(1, ts(before));
                return ps.executeUpdate();
            }
        });
    }

    // --- external account binding keys ---

    @Override
    public void createEab(EabKey key) {
        write(() -> db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO acme_eab_key (" + EAB_COLUMNS + ")"
                    + " VALUES (?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, key.kid());
                ps.setBytes(2, key.sealedKey());
                ps.setObject(3, ts(key.createdAt()));
                ps.setString(4, key.createdBy());
                ps.setObject(5, key.accountId());
                ps.setBoolean(6, key.revoked());
                return ps.executeUpdate();
            }
        }), "kid exists");
    }

    @Override
    public Optional<EabKey> eab(String kid) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + EAB_COLUMNS + " FROM acme_eab_key WHERE kid = ?")) {
                ps.setString(1, kid);
                return first(ps, JdbcAcmeStore::eab);
            }
        });
    }

    @Override
    public List<EabKey> eabKeys() {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + EAB_COLUMNS + " FROM acme_eab_key"
                    + " ORDER BY created_at DESC, kid")) {
                return all(ps, JdbcAcmeStore::eab);
            }
        });
    }

    @Override
    public boolean revokeEab(String kid) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE acme_eab_key SET revoked = TRUE WHERE kid = ?"
                    + " AND account_id IS NULL AND revoked = FALSE")) {
                ps.setString(1, kid);
                return ps.executeUpdate() == 1;
            }
        });
    }

    // --- ARI ---

    @Override
    public void markRenewEarly(String issuer, String serialHex, Instant at, String reason) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO acme_renew_early (issuer, serial, marked_at,"
                    + " reason) VALUES (?, ?, ?, ?)")) {
                ps.setString(1, issuer);
                ps.setString(2, serialHex);
                ps.setObject(3, ts(at));
                ps.setString(4, reason);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public Optional<Instant> renewEarlySince(String issuer, String serialHex, Instant issuedAt) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT MAX(marked_at) FROM acme_renew_early WHERE issuer = ?"
                    + " AND (serial = ? OR (serial IS NULL AND marked_at > ?))")) {
                ps.setString(1, issuer);
                ps.setString(2, serialHex);
                ps.setObject(3, ts(issuedAt));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return Optional.ofNullable(instant(rs, 1));
                }
            }
        });
    }

    // --- rows ---

    /** An order row before its authorization ids are read. */
    private record OrderRow(String id, long accountId, AcmeStatus status, Instant expires, List<Identifier> identifiers,
                            Instant notBefore, Instant notAfter, String profile, String replaces, String error,
                            String certIssuer, String certSerial, Instant createdAt) {
        AcmeOrder with(List<String> authzIds) {
            return new AcmeOrder(id, accountId, status, expires, identifiers, notBefore, notAfter, profile, replaces,
                    authzIds, error, certIssuer, certSerial, createdAt);
        }
    }

    /** An authorization row before its challenges are read. */
    private record AuthzRow(String id, long accountId, Identifier identifier, boolean wildcard, AcmeStatus status,
                            Instant expires, Instant validatedAt, String validationMethod) {
        AcmeAuthorization with(List<AcmeChallenge> challenges) {
            return new AcmeAuthorization(id, accountId, identifier, wildcard, status, expires, validatedAt,
                    validationMethod, challenges);
        }
    }

    private static List<AcmeOrder> withAuthzIds(Connection c, List<OrderRow> rows) throws SQLException {
        List<AcmeOrder> out = new ArrayList<>(rows.size());
        try (PreparedStatement ps = c.prepareStatement("SELECT authz_id FROM acme_order_authorization WHERE order_id = ?"
                + " ORDER BY position")) {
            for (OrderRow row : rows) {
                ps.setString(1, row.id());
                out.add(row.with(all(ps, rs -> rs.getString(1))));
            }
        }
        return out;
    }

    private static AcmeAuthorization withChallenges(Connection c, AuthzRow row) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + CHALLENGE_COLUMNS + " FROM acme_challenge c"
                + " WHERE c.authz_id = ? ORDER BY c.position")) {
            ps.setString(1, row.id());
            return row.with(all(ps, JdbcAcmeStore::challenge));
        }
    }

    private static AcmeAccount account(ResultSet rs) throws SQLException {
        return new AcmeAccount(rs.getLong(1), rs.getString(2), rs.getString(3), AcmeStatus.of(rs.getString(4)),
                contacts(rs.getString(5)), rs.getBoolean(6), rs.getString(7), instant(rs, 8));
    }

    private static OrderRow orderRow(ResultSet rs) throws SQLException {
        return new OrderRow(rs.getString(1), rs.getLong(2), AcmeStatus.of(rs.getString(3)), instant(rs, 4),
                identifiers(rs.getString(5)), instant(rs, 6), instant(rs, 7), rs.getString(8), rs.getString(9),
                rs.getString(10), rs.getString(11), rs.getString(12), instant(rs, 13));
    }

    private static AuthzRow authzRow(ResultSet rs) throws SQLException {
        return new AuthzRow(rs.getString(1), rs.getLong(2),
                new Identifier(Identifier.Type.parse(rs.getString(3)), rs.getString(4)), rs.getBoolean(5),
                AcmeStatus.of(rs.getString(6)), instant(rs, 7), instant(rs, 8), rs.getString(9));
    }

    private static AcmeChallenge challenge(ResultSet rs) throws SQLException {
        return new AcmeChallenge(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                AcmeStatus.of(rs.getString(5)), instant(rs, 6), rs.getString(7));
    }

    private static EabKey eab(ResultSet rs) throws SQLException {
        long accountId = rs.getLong(5);
        Long boundTo = rs.wasNull() ? null : accountId;
        return new EabKey(rs.getString(1), rs.getBytes(2), instant(rs, 3), rs.getString(4), boundTo, rs.getBoolean(6));
    }

    // --- helpers ---

    /** Reads one row of a result. */
    @FunctionalInterface
    private interface RowReader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private static <T> Optional<T> first(PreparedStatement ps, RowReader<T> reader) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(reader.read(rs)) : Optional.empty();
        }
    }

    private static <T> List<T> all(PreparedStatement ps, RowReader<T> reader) throws SQLException {
        List<T> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(reader.read(rs));
            }
        }
        return out;
    }

    /** Runs a write, turning a unique or primary-key violation into {@link DuplicateException}. */
    private static <T> T write(Supplier<T> work, String duplicate) {
        try {
            return work.get();
        } catch (DatabaseException e) {
            if (e.isUniqueViolation()) {
                DuplicateException d = new DuplicateException(duplicate);
                d.initCause(e);
                throw d;
            }
            throw e;
        }
    }

    /** Instants are stored as {@code TIMESTAMP WITH TIME ZONE} in UTC, as the authority's own tables are. */
    private static OffsetDateTime ts(Instant i) {
        return i == null ? null : OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static String contactsJson(List<String> contacts) {
        ArrayNode array = JSON.createArrayNode();
        contacts.forEach(array::add);
        return array.toString();
    }

    private static List<String> contacts(String json) throws SQLException {
        List<String> out = new ArrayList<>();
        for (JsonNode n : parse(json)) {
            out.add(n.asText());
        }
        return out;
    }

    private static String identifiersJson(List<Identifier> identifiers) {
        ArrayNode array = JSON.createArrayNode();
        for (Identifier id : identifiers) {
            array.addObject().put("type", id.type().label()).put("value", id.value());
        }
        return array.toString();
    }

    private static List<Identifier> identifiers(String json) throws SQLException {
        List<Identifier> out = new ArrayList<>();
        for (JsonNode n : parse(json)) {
            out.add(new Identifier(Identifier.Type.parse(n.path("type").asText()), n.path("value").asText()));
        }
        return out;
    }

    private static JsonNode parse(String json) throws SQLException {
        try {
            JsonNode node = JSON.readTree(json);
            if (!node.isArray()) {
                throw new SQLException("stored JSON is not an array");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new SQLException("stored JSON is unreadable", e);
        }
    }
}
