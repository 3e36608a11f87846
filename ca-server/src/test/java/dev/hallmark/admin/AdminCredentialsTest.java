package dev.hallmark.admin;

import static dev.hallmark.authority.testing.Refusals.kindOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hallmark.authority.CaException;
import dev.hallmark.authority.KeyIdentifiers;
import dev.hallmark.authority.testing.StoredState;
import dev.hallmark.authority.testing.TestCsr;
import dev.hallmark.authority.testing.TestPki;
import dev.hallmark.db.testing.TestDatabases;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Admin credentials on H2 and PostgreSQL: tokens and client certificates, lookup, revocation, the audit trail. */
class AdminCredentialsTest {
    private static final String ACTOR = "test:admin";

    private static AdminCredentials credentials(TestPki pki) {
        return new AdminCredentials(pki.database, pki.ledger);
    }

    /** Every column of every admin credential row, as text. */
    private static String credentialRows(TestPki pki) {
        return rows(pki, "SELECT id, name, role, token_sha256, created_at, revoked_at, kind FROM admin_credential ORDER BY id");
    }

    /** Every ledger entry as text: type, actor, subject and details. */
    private static String ledgerRows(TestPki pki) {
        return rows(pki, "SELECT event_type, actor, subject, details FROM ledger_entry ORDER BY id");
    }

    private static String rows(TestPki pki, String sql) {
        return pki.database.read(c -> {
            StringBuilder sb = new StringBuilder();
            try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
                int cols = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    for (int i = 1; i <= cols; i++) {
                        sb.append(rs.getString(i)).append('|');
                    }
                    sb.append('\n');
                }
            }
            return sb.toString();
        });
    }

    /** Ledger entries of {@code type} about {@code subject}: their details, oldest first. */
    private static List<String> ledgerDetails(TestPki pki, String type, String subject) {
        return pki.database.read(c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT details FROM ledger_entry WHERE event_type = ? AND subject = ? ORDER BY id")) {
                ps.setString(1, type);
                ps.setString(2, subject);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
            }
            return out;
        });
    }

    /** The part of a token after {@code hmk_<16 hex>_}; it may itself contain '_' (base64url). */
    private static String secretOf(String token) {
        return token.substring(AdminCredentials.TOKEN_PREFIX.length() + 17);
    }

    /** The credential id a token carries: the 16 hex digits after the prefix. */
    private static String idOf(String token) {
        return token.substring(AdminCredentials.TOKEN_PREFIX.length(), AdminCredentials.TOKEN_PREFIX.length() + 16);
    }

    private static byte[] clientCertificate(TestPki pki, String name) {
        return pki.issue("tls-client", TestCsr.of(name, TestCsr.withFreshKey())).record().der();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestDatabases.Kind.class)
    void aTokenAuthenticatesAndOnlyItsDigestIsStored(TestDatabases.Kind db) {
        try (TestPki pki = TestPki.builder().database(db).build()) {
            AdminCredentials creds = credentials(pki);
            AdminCredentials.Created created = creds.create("ci deploy", AdminRole.OPERATOR, ACTOR, pki.clock.instant());
            String token = created.token();
            assertThat(token).matches("hmk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}").startsWith("hmk_" + created.id() + "_");
            assertThat(created.toString()).doesNotContain(token);

            AdminCredentials.Credential found = creds.authenticate(token).orElseThrow();
            assertThat(found).isEqualTo(new AdminCredentials.Credential(created.id(), "ci deploy", AdminRole.OPERATOR,
                    "token", pki.clock.instant(), null));

            String secret = secretOf(token);
            assertThat(idOf(token)).isEqualTo(created.id());
            String rows = credentialRows(pki);
            assertThat(rows).contains(AdminCredentials.sha256(token)).contains(created.id())
                    .doesNotContain(token).doesNotContain(secret);
            String ledger = ledgerRows(pki);
            assertThat(ledger).doesNotContain(token).doesNotContain(secret).doesNotContain(AdminCredentials.sha256(token));
            assertThat(ledgerDetails(pki, "ADMIN_CREDENTIAL_CREATED", "admin/" + created.id())).singleElement()
                    .satisfies(d -> assertThat(d).contains("\"operator\"").contains("\"ci deploy\""));
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestDatabases.Kind.class)
    void anythingButTheExactUnrevokedTokenAuthenticatesNoOne(TestDatabases.Kind db) {
        try (TestPki pki = TestPki.builder().database(db).build()) {
            AdminCredentials creds = credentials(pki);
            String token = creds.create("a", AdminRole.ADMIN, ACTOR, pki.clock.instant()).token();
            String other = creds.create("b", AdminRole.AUDITOR, ACTOR, pki.clock.instant()).token();
            char last = token.charAt(token.length() - 1);
            Map<String, String> wrong = new LinkedHashMap<>();
            wrong.put("empty", "");
            wrong.put("last character changed", token.substring(0, token.length() - 1) + (last == 'A' ? 'B' : 'A'));
            wrong.put("another credential's id with this secret", "hmk_" + idOf(other) + "_" + secretOf(token));
            wrong.put("without its prefix", token.substring(AdminCredentials.TOKEN_PREFIX.length()));
            wrong.put("prefix in upper case", "HMK_" + token.substring(4));
            wrong.put("with the scheme", "Bearer " + token);
            wrong.put("trailing newline", token + "\n");
            wrong.put("extended", token + "x");
            wrong.put("too long", token + "A".repeat(200));
            wrong.put("huge", AdminCredentials.TOKEN_PREFIX + "A".repeat(1_000_000));
            wrong.put("not ASCII", token.substring(0, token.length() - 1) + "\u00e9");
            for (Map.Entry<String, String> w : wrong.entrySet()) {
                assertThat(creds.authenticate(w.getValue())).as(w.getKey()).isEmpty();
            }
            assertThat(creds.authenticate(null)).as("null").isEmpty();

            String id = idOf(token);
            assertThat(creds.authenticate(token)).isPresent();
            creds.revoke(id, ACTOR, pki.clock.instant());
            assertThat(creds.authenticate(token)).as("revoked").isEmpty();
            assertThat(creds.authenticate(other)).as("the other credential is untouched").isPresent();
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestDatabases.Kind.class)
    void aClientCertificateIsFoundByItsExactDerAndRegisteredOnce(TestDatabases.Kind db) {
        try (TestPki pki = TestPki.builder().database(db).build()) {
            AdminCredentials creds = credentials(pki);
            byte[] der = clientCertificate(pki, "alice.example");
            AdminCredentials.Credential registered = creds.registerCertificate("alice", AdminRole.AUDITOR, der, ACTOR,
                    pki.clock.instant());
            assertThat(registered.kind()).isEqualTo("certificate");
            assertThat(creds.authenticateCertificate(der)).contains(registered);
            assertThat(creds.authenticateCertificate(clientCertificate(pki, "bob.example"))).as("another certificate").isEmpty();
            byte[] altered = der.clone();
            altered[altered.length - 1] ^= 1;
            assertThat(creds.authenticateCertificate(altered)).as("one bit changed").isEmpty();
            assertThat(creds.authenticateCertificate(new byte[0])).as("empty").isEmpty();
            assertThat(creds.authenticateCertificate(null)).as("null").isEmpty();
            assertThat(ledgerDetails(pki, "ADMIN_CREDENTIAL_CREATED", "admin/" + registered.id())).singleElement()
                    .satisfies(d -> assertThat(d).contains(KeyIdentifiers.sha256Hex(der)).contains("\"auditor\""));

            String ledger = ledgerRows(pki);
            assertThat(kindOf(() -> creds.registerCertificate("again", AdminRole.ADMIN, der, ACTOR, pki.clock.instant())))
                    .isEqualTo(CaException.Kind.CONFLICT);
            creds.revoke(registered.id(), ACTOR, pki.clock.instant());
            assertThat(creds.authenticateCertificate(der)).as("revoked").isEmpty();
            // A revoked certificate is never brought back, not even by registering it anew.
            assertThat(kindOf(() -> creds.registerCertificate("again", AdminRole.ADMIN, der, ACTOR, pki.clock.instant())))
                    .isEqualTo(CaException.Kind.CONFLICT);
            assertThat(creds.list()).singleElement().satisfies(c -> assertThat(c.name()).isEqualTo("alice"));
            assertThat(ledgerRows(pki)).startsWith(ledger).containsOnlyOnce("ADMIN_CREDENTIAL_CREATED");
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestDatabases.Kind.class)
    void aTokenDigestNeverAuthenticatesAsACertificateNorTheOtherWayRound(TestDatabases.Kind db) {
        try (TestPki pki = TestPki.builder().database(db).build()) {
            AdminCredentials creds = credentials(pki);
            String token = creds.create("t", AdminRole.ADMIN, ACTOR, pki.clock.instant()).token();
            assertThat(creds.authenticateCertificate(token.getBytes(StandardCharsets.UTF_8))).isEmpty();

            // "Certificate" bytes that are a well-formed token: same digest, but registered as a certificate.
            String lookalike = AdminCredentials.TOKEN_PREFIX + "0123456789abcdef_" + "A".repeat(43);
            byte[] bytes = lookalike.getBytes(StandardCharsets.UTF_8);
            creds.registerCertificate("c", AdminRole.ADMIN, bytes, ACTOR, pki.clock.instant());
            assertThat(creds.authenticate(lookalike)).isEmpty();
            assertThat(creds.authenticateCertificate(bytes)).isPresent();
            assertThat(creds.authenticate(token)).isPresent();
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestDatabases.Kind.class)
    void revokingIsIdempotentAndAuditedOnce(TestDatabases.Kind db) {
        try (TestPki pki = TestPki.builder().database(db).build()) {
            AdminCredentials creds = credentials(pki);
            AdminCredentials.Created created = creds.create("ops", AdminRole.OPERATOR, ACTOR, pki.clock.instant());
            pki.clock.advance(Duration.ofMinutes(5));
            Instant revokedAt = pki.clock.instant();
            AdminCredentials.Credential revoked = creds.revoke(created.id(), ACTOR, revokedAt).orElseThrow();
            assertThat(revoked.revokedAt()).isEqualTo(revokedAt);
            assertThat(revoked.isRevoked()).isTrue();

            pki.clock.advance(Duration.ofHours(1));
            StoredState before = StoredState.of(pki.database);
            String rows = credentialRows(pki);
            AdminCredentials.Credential again = creds.revoke(created.id(), "test:someone-else", pki.clock.instant()).orElseThrow();
            assertThat(again.revokedAt()).as("the first revocation's time stands").isEqualTo(revokedAt);
            assertThat(creds.find(created.id())).contains(again);
            assertThat(creds.revoke("0000000000000000", ACTOR, pki.clock.instant())).as("unknown id").isEmpty();
            assertThat(creds.find("0000000000000000")).isEmpty();
            assertThat(StoredState.of(pki.database)).isEqualTo(before);
            assertThat(credentialRows(pki)).isEqualTo(rows);
            assertThat(ledgerDetails(pki, "ADMIN_CREDENTIAL_REVOKED", "admin/" + created.id())).hasSize(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestDatabases.Kind.class)
    void listIsOldestFirstAndKeepsRevokedCredentials(TestDatabases.Kind db) {
        try (TestPki pki = TestPki.builder().database(db).build()) {
            AdminCredentials creds = credentials(pki);
            Instant t0 = pki.clock.instant();
            // Created out of order: the list follows creation time, not insertion.
            String newest = creds.create("newest", AdminRole.AUDITOR, ACTOR, t0.plus(Duration.ofHours(2))).id();
            String oldest = creds.create("oldest", AdminRole.ADMIN, ACTOR, t0).id();
            String middle = creds.registerCertificate("middle", AdminRole.OPERATOR, clientCertificate(pki, "m.example"),
                    ACTOR, t0.plus(Duration.ofHours(1))).id();
            creds.revoke(oldest, ACTOR, t0.plus(Duration.ofHours(3)));

            List<AdminCredentials.Credential> all = creds.list();
            assertThat(all).extracting(AdminCredentials.Credential::id).containsExactly(oldest, middle, newest);
            assertThat(all).extracting(AdminCredentials.Credential::kind).containsExactly("token", "certificate", "token");
            assertThat(all).extracting(AdminCredentials.Credential::isRevoked).containsExactly(true, false, false);
            assertThat(all.get(0).revokedAt()).isEqualTo(t0.plus(Duration.ofHours(3)));
            assertThat(all.get(1).createdAt()).isEqualTo(t0.plus(Duration.ofHours(1)));
        }
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"", "   ", "line\nbreak", "bell\u0007", "next\u0085line"})
    void aBadNameIsRefusedAndNothingIsStored(String name) {
        try (TestPki pki = TestPki.create()) {
            AdminCredentials creds = credentials(pki);
            StoredState before = StoredState.of(pki.database);
            assertThatThrownBy(() -> creds.create(name, AdminRole.ADMIN, ACTOR, pki.clock.instant()))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> creds.registerCertificate(name, AdminRole.ADMIN, new byte[] {1}, ACTOR, pki.clock.instant()))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(StoredState.of(pki.database)).isEqualTo(before);
            assertThat(creds.list()).isEmpty();
        }
    }

    @Test
    void aNameOfTheLongestAllowedLengthIsStoredWholeAndOneMoreIsRefused() {
        try (TestPki pki = TestPki.create()) {
            AdminCredentials creds = credentials(pki);
            String longest = "n".repeat(AdminCredentials.MAX_NAME);
            assertThat(creds.create(longest, AdminRole.ADMIN, ACTOR, pki.clock.instant()).name()).isEqualTo(longest);
            assertThat(creds.list()).extracting(AdminCredentials.Credential::name).containsExactly(longest);
            assertThatThrownBy(() -> creds.create(longest + "n", AdminRole.ADMIN, ACTOR, pki.clock.instant()))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(creds.list()).hasSize(1);
        }
    }
}
