package dev.hallmark.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hallmark.db.testing.TestDatabases;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DatabaseMigrationTest {

    private static final OffsetDateTime T = OffsetDateTime.of(2026, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void migratesAndReportsTheExpectedDialect(TestDatabases.Kind kind) {
        try (Database db = TestDatabases.open(kind)) {
            assertThat(db.dialect().name()).isEqualTo(kind.name());
            assertThat(db.isAvailable()).isTrue();
            long count = db.read(c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(issuer) FROM serial_number");
                     ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            });
            assertThat(count).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void duplicateIssuerAndSerialIsAUniqueViolation(TestDatabases.Kind kind) {
        try (Database db = TestDatabases.open(kind)) {
            db.inTransaction(c -> insertSerial(c, "ca1", "1a"));
            db.inTransaction(c -> insertSerial(c, "ca2", "1a"));
            assertThatThrownBy(() -> db.inTransaction(c -> insertSerial(c, "ca1", "1a")))
                    .isInstanceOfSatisfying(DatabaseException.class,
                            e -> assertThat(e.isUniqueViolation()).isTrue());
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void eachOpenIsAFreshDatabase(TestDatabases.Kind kind) {
        try (Database a = TestDatabases.open(kind); Database b = TestDatabases.open(kind)) {
            a.inTransaction(c -> insertSerial(c, "ca1", "1"));
            b.inTransaction(c -> insertSerial(c, "ca1", "1"));
        }
    }

    /**
     * V5 copies revocations made before it into {@code revoked_serial} (epoch seconds, CRLReason codes): the same
     * statement on H2 and PostgreSQL, run here over a revoked, an aborted and a good serial.
     */
    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void theV5BackfillListsEarlierRevocationsOnBothEngines(TestDatabases.Kind kind) throws Exception {
        String migration;
        try (var in = Database.class.getResourceAsStream("/db/migration/V5__revocation_service.sql")) {
            migration = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("INSERT INTO revoked_serial[^;]*").matcher(migration);
        assertThat(m.find()).isTrue();
        String backfill = m.group();
        try (Database db = TestDatabases.open(kind)) {
            db.inTransaction(c -> {
                insertSerial(c, "ca1", "a1");
                insertSerial(c, "ca1", "a2");
                insertSerial(c, "ca1", "a3");
                try (PreparedStatement ps = c.prepareStatement("UPDATE serial_number SET state = ?, revoked_at = ?,"
                        + " revocation_reason = ? WHERE serial = ?")) {
                    ps.setString(1, "ISSUED");
                    ps.setObject(2, T.plusHours(1));
                    ps.setString(3, "PRIVILEGE_WITHDRAWN");
                    ps.setString(4, "a1");
                    ps.executeUpdate();
                    ps.setString(1, "ABORTED");
                    ps.setString(4, "a2");
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement(backfill)) {
                    return ps.executeUpdate();
                }
            });
            long[] row = db.read(c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT serial, not_after_s, revoked_at_s, reason_code,"
                        + " (SELECT COUNT(serial) FROM revoked_serial) FROM revoked_serial");
                     ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    assertThat(rs.getString(1)).isEqualTo("a1");
                    return new long[] {rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)};
                }
            });
            assertThat(row).containsExactly(T.plusDays(90).toEpochSecond(), T.plusHours(1).toEpochSecond(), 9, 1);
        }
    }

    private static int insertSerial(java.sql.Connection c, String issuer, String serial) throws java.sql.SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO serial_number (issuer, serial, state, tbs_sha256,"
                + " spki_sha256, requester, profile, profile_version, not_after, reserved_at)"
                + " VALUES (?, ?, 'SIGNING', ?, ?, 'test', 'tls', 1, ?, ?)")) {
            ps.setString(1, issuer);
            ps.setString(2, serial);
            ps.setString(3, "0".repeat(64));
            ps.setString(4, "1".repeat(64));
            ps.setObject(5, T.plusDays(90));
            ps.setObject(6, T);
            return ps.executeUpdate();
        }
    }
}
