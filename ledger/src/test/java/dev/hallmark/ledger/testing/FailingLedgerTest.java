package dev.hallmark.ledger.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hallmark.db.Database;
import dev.hallmark.db.testing.TestDatabases;
import dev.hallmark.hsm.KeyRef;
import dev.hallmark.hsm.KeyType;
import dev.hallmark.hsm.SignatureAlgorithm;
import dev.hallmark.hsm.SoftToken;
import dev.hallmark.ledger.AuditEvent;
import dev.hallmark.ledger.AuditEventType;
import dev.hallmark.ledger.JdbcAuditLedger;
import dev.hallmark.ledger.LedgerException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The {@link FailingLedger} switches and counters. */
class FailingLedgerTest {

    private static final AuditEvent EVENT = new AuditEvent(AuditEventType.CRL_SIGNING, "system:test", "ca1/crl");

    @Test
    void switchesFailAppendsAndCheckpointsWithoutTouchingTheDelegate() {
        try (Database db = TestDatabases.open(TestDatabases.Kind.H2); SoftToken token = SoftToken.inMemory()) {
            KeyRef key = token.generateKey("ledger", KeyType.EC_P256);
            JdbcAuditLedger real = new JdbcAuditLedger(db, token, key, SignatureAlgorithm.ECDSA_SHA256,
                    Clock.fixed(Instant.parse("2026-03-01T00:00:00Z"), ZoneOffset.UTC));
            FailingLedger ledger = new FailingLedger(real).failAppendsAfter(2);

            ledger.appendNow(EVENT);
            db.inTransaction(c -> ledger.append(c, EVENT));
            assertThatThrownBy(() -> ledger.appendNow(EVENT)).isInstanceOf(LedgerException.class);
            assertThatThrownBy(() -> db.inTransaction(c -> ledger.append(c, EVENT)))
                    .isInstanceOf(LedgerException.class);
            assertThat(ledger.appendAttempts()).isEqualTo(4);
            assertThat(ledger.appendsSucceeded()).isEqualTo(2);
            assertThat(ledger.appendsFailed()).isEqualTo(2);
            assertThat(ledger.integrate().treeSize()).isEqualTo(2);

            ledger.failCheckpoints();
            assertThatThrownBy(ledger::signCheckpoint).isInstanceOf(LedgerException.class);
            assertThat(ledger.checkpointsFailed()).isEqualTo(1);
            assertThat(real.latestCheckpoint()).isEmpty();

            ledger.heal();
            ledger.appendNow(EVENT);
            assertThat(ledger.signCheckpoint().treeSize()).isEqualTo(3);
            ledger.failAppends();
            assertThatThrownBy(() -> ledger.appendNow(EVENT)).isInstanceOf(LedgerException.class);
            assertThat(ledger.verify().problems()).isEmpty();
            assertThat(ledger.delegate()).isSameAs(real);
            assertThatThrownBy(() -> ledger.failAppendsAfter(-1)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
