package dev.hallmark.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hallmark.db.Database;
import dev.hallmark.db.testing.TestDatabases;
import dev.hallmark.hsm.SignatureAlgorithm;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Fail closed (RELIABILITY I10, T56): when the ledger cannot be written, append throws {@link LedgerException} and
 * the caller's transaction, rolled back, leaves nothing behind.
 */
class LedgerFailClosedTest {

    private static void createBusinessTable(LedgerFixture f) {
        f.sql("CREATE TABLE business_row (id BIGINT NOT NULL PRIMARY KEY)");
    }

    /** The caller's unit of work: its own row, then the audit entry, in one transaction. */
    private static long businessWithAudit(Database db, AuditLedger ledger, long rowId) {
        return db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO business_row (id) VALUES (?)")) {
                ps.setLong(1, rowId);
                ps.executeUpdate();
            }
            return ledger.append(c, LedgerFixture.event((int) rowId));
        });
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void aMissingLedgerTableFailsTheAppendAndTheCallersTransaction(TestDatabases.Kind kind) {
        try (LedgerFixture f = LedgerFixture.open(kind)) {
            createBusinessTable(f);
            businessWithAudit(f.db, f.ledger, 1);
            f.sql("ALTER TABLE ledger_entry RENAME TO ledger_entry_moved");

            assertThatThrownBy(() -> businessWithAudit(f.db, f.ledger, 2)).isInstanceOf(LedgerException.class);
            assertThatThrownBy(() -> f.ledger.appendNow(LedgerFixture.event(3)))
                    .isInstanceOf(LedgerException.class);
            assertThat(f.count("SELECT COUNT(id) FROM business_row")).as("only the first, audited row").isEqualTo(1);

            f.sql("ALTER TABLE ledger_entry_moved RENAME TO ledger_entry");
            f.ledger.integrate();
            assertThat(f.ledger.treeSize()).isEqualTo(1);
            assertThat(f.ledger.verify().problems()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void aClosedConnectionFailsTheAppend(TestDatabases.Kind kind) throws Exception {
        try (LedgerFixture f = LedgerFixture.open(kind)) {
            Connection c = f.db.dataSource().getConnection();
            c.setAutoCommit(false);
            c.close();
            assertThatThrownBy(() -> f.ledger.append(c, LedgerFixture.event(1))).isInstanceOf(LedgerException.class);
            assertThat(f.count("SELECT COUNT(id) FROM ledger_entry")).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void anUnavailableTokenSignsNoCheckpointAndStoresNothing(TestDatabases.Kind kind) {
        try (LedgerFixture f = LedgerFixture.open(kind)) {
            f.appendNow(3);
            f.token.close();
            assertThatThrownBy(f.ledger::signCheckpoint).isInstanceOf(LedgerException.class);
            assertThat(f.ledger.latestCheckpoint()).isEmpty();
            assertThat(f.count("SELECT COUNT(id) FROM ledger_entry WHERE event_type = 'LEDGER_CHECKPOINT_SIGNED'"))
                    .isZero();
            assertThat(f.ledger.treeSize()).as("integration is independent of the token").isEqualTo(3);
        }
    }

    /** Embedded PostgreSQL URLs carry {@code ?user=postgres}, which would override the pool's user. */
    private static String withoutUser(String url) {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q);
    }

    /** The production shape: a non-superuser application role whose INSERT on ledger_entry is revoked. */
    @ParameterizedTest
    @EnumSource(value = TestDatabases.Kind.class, names = "POSTGRESQL")
    void aRevokedInsertPrivilegeFailsTheAppendAndTheCallersTransaction(TestDatabases.Kind kind) {
        assumeTrue(kind == TestDatabases.Kind.POSTGRESQL);
        try (LedgerFixture f = LedgerFixture.open(kind)) {
            createBusinessTable(f);
            String role = "app_" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
            f.sql("CREATE ROLE " + role + " LOGIN NOSUPERUSER");
            f.sql("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " + role);
            f.sql("GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO " + role);
            f.sql("REVOKE INSERT ON ledger_entry FROM " + role);
            try (Database app = Database.open(withoutUser(TestDatabases.jdbcUrl(f.db)), role, null, 4)) {
                JdbcAuditLedger appLedger = new JdbcAuditLedger(app, f.token, f.key,
                        SignatureAlgorithm.ECDSA_SHA256, f.clock);
                assertThatThrownBy(() -> businessWithAudit(app, appLedger, 1)).isInstanceOf(LedgerException.class)
                        .hasRootCauseInstanceOf(java.sql.SQLException.class);
                assertThatThrownBy(() -> appLedger.appendNow(LedgerFixture.event(2)))
                        .isInstanceOf(LedgerException.class);
                assertThat(f.count("SELECT COUNT(id) FROM business_row")).isZero();
                assertThat(f.count("SELECT COUNT(id) FROM ledger_entry")).isZero();
                String user = app.read(c -> c.getMetaData().getUserName());
                assertThat(user).isEqualTo(role);
                assertThat(appLedger.verify().problems()).as("reads still work").isEmpty();
            }
        }
    }
}
