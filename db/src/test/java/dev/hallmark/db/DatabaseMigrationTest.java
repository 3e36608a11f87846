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
