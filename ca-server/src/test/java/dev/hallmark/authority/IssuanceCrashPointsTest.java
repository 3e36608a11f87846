package dev.hallmark.authority;

import static dev.hallmark.authority.testing.Refusals.kindOf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hallmark.authority.testing.FaultyStore;
import dev.hallmark.authority.testing.StoredState;
import dev.hallmark.authority.testing.TestCsr;
import dev.hallmark.authority.testing.TestPki;
import dev.hallmark.db.testing.TestDatabases;
import dev.hallmark.hsm.testing.CountingToken;
import dev.hallmark.hsm.testing.FaultyToken;
import dev.hallmark.ledger.AuditEventType;
import dev.hallmark.ledger.LedgerEntry;
import dev.hallmark.ledger.testing.FailingLedger;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * RELIABILITY "Issuance crash points" with fault-injecting token, ledger and store doubles: no certificate is
 * returned unrecorded, no serial is ever reused, an "outcome unknown" serial stays revocable, and the signatures
 * the CA key made equal what the ledger recorded (N1).
 */
class IssuanceCrashPointsTest {

    private static List<SerialRecord> serials(TestPki pki) {
        List<SerialRecord> out = new ArrayList<>();
        pki.store.forEachSerial(s -> {
            if (s.intent().issuer().equals("issuing") && !s.intent().profile().equals(Hierarchy.SUBORDINATE_PROFILE)) {
                out.add(s);
            }
        });
        return out;
    }

    private static List<AuditEventType> eventsFor(TestPki pki, SerialRecord s) {
        pki.jdbcLedger.integrate();
        String subject = s.intent().issuer() + "/" + s.intent().serial().hex();
        List<AuditEventType> out = new ArrayList<>();
        for (LedgerEntry e : pki.jdbcLedger.entries(0, 10_000)) {
            if (e.subject().equals(subject)) {
                out.add(e.type());
            }
        }
        return out;
    }

    @Test
    void crashPoint4LedgerUnwritableMeansNothingIsSigned() {
        AtomicReference<FailingLedger> ledger = new AtomicReference<>();
        AtomicReference<CountingToken> counter = new AtomicReference<>();
        try (TestPki pki = TestPki.builder().wrapLedger(l -> {
            ledger.set(new FailingLedger(l));
            return ledger.get();
        }).wrapToken(t -> {
            counter.set(new CountingToken(t));
            return counter.get();
        }).build()) {
            long signsBefore = counter.get().signs("ca-issuing");
            ledger.get().failAppends();
            StoredState before = StoredState.of(pki.database);
            assertThat(kindOf(() -> pki.issue("tls-server", TestCsr.of("a.example"))))
                    .isEqualTo(CaException.Kind.LEDGER_UNAVAILABLE);
            assertThat(counter.get().signs("ca-issuing")).as("no signature without a ledger entry").isEqualTo(signsBefore);
            assertThat(StoredState.of(pki.database)).isEqualTo(before);
            ledger.get().heal();
            assertThat(pki.issue("tls-server", TestCsr.of("a.example")).record()).isNotNull();
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestDatabases.Kind.class)
    void crashPoint5TokenLostAbortsTheSerialForever(TestDatabases.Kind db) {
        AtomicReference<FaultyToken> token = new AtomicReference<>();
        try (TestPki pki = TestPki.builder().database(db).wrapToken(t -> {
            token.set(new FaultyToken(t));
            return token.get();
        }).build()) {
            token.get().failAfterSigns(0);
            assertThat(kindOf(() -> pki.issue("tls-server", TestCsr.of("lost.example"))))
                    .isEqualTo(CaException.Kind.TOKEN_UNAVAILABLE);
            List<SerialRecord> after = serials(pki);
            assertThat(after).hasSize(1);
            SerialRecord aborted = after.get(0);
            assertThat(aborted.state()).isEqualTo(SerialState.ABORTED);
            assertThat(pki.store.certificate("issuing", aborted.intent().serial())).isEmpty();
            assertThat(eventsFor(pki, aborted)).containsExactly(AuditEventType.CERTIFICATE_SIGNING,
                    AuditEventType.CERTIFICATE_ABORTED);
            assertThat(kindOf(() -> pki.authority.revoke(new RevocationRequest("issuing", aborted.intent().serial(),
                    RevocationReason.UNSPECIFIED, "t")))).isEqualTo(CaException.Kind.NOT_FOUND);

            token.get().comeBack();
            IssuedCertificate issued = pki.issue("tls-server", TestCsr.of("lost.example"));
            assertThat(issued.record().serial()).isNotEqualTo(aborted.intent().serial());
            var report = pki.reconciler().run();
            assertThat(report.problems()).isEmpty();
            assertThat(report.outcomeUnknown()).isEmpty();
        }
    }

    @Test
    void crashPoint5CorruptSignatureIsNeverReleased() {
        AtomicReference<FaultyToken> token = new AtomicReference<>();
        try (TestPki pki = TestPki.builder().wrapToken(t -> {
            token.set(new FaultyToken(t));
            return token.get();
        }).build()) {
            token.get().corruptNextSignature();
            assertThat(kindOf(() -> pki.issue("tls-server", TestCsr.of("flip.example")))).isEqualTo(CaException.Kind.INTERNAL);
            SerialRecord s = serials(pki).get(0);
            assertThat(s.state()).isEqualTo(SerialState.ABORTED);
            assertThat(eventsFor(pki, s)).containsExactly(AuditEventType.CERTIFICATE_SIGNING, AuditEventType.SIGNATURE_FAULT);
            assertThat(pki.store.certificate("issuing", s.intent().serial())).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestDatabases.Kind.class)
    void crashPoint6StoreLostAfterSigningLeavesARevocableOutcomeUnknownSerial(TestDatabases.Kind db) {
        AtomicReference<FaultyStore> store = new AtomicReference<>();
        try (TestPki pki = TestPki.builder().database(db).wrapStore(s -> {
            store.set(new FaultyStore(s));
            return store.get();
        }).build()) {
            store.get().failComplete(true);
            assertThat(kindOf(() -> pki.issue("tls-server", TestCsr.of("unknown.example")))).isEqualTo(CaException.Kind.INTERNAL);
            SerialRecord s = serials(pki).get(0);
            assertThat(s.state()).isEqualTo(SerialState.SIGNING);
            assertThat(pki.store.certificate("issuing", s.intent().serial())).isEmpty();

            store.get().failComplete(false);
            pki.clock.advance(Duration.ofMinutes(5));
            Reconciler.Report report = pki.reconciler().run();
            assertThat(report.outcomeUnknown()).containsExactly("issuing/" + s.intent().serial().hex());
            assertThat(report.ok()).isFalse();

            SerialRecord revoked = pki.authority.revoke(new RevocationRequest("issuing", s.intent().serial(),
                    RevocationReason.KEY_COMPROMISE, "test:operator"));
            assertThat(revoked.isRevoked()).isTrue();
            assertThat(revoked.state()).isEqualTo(SerialState.SIGNING);
            assertThat(pki.store.isBlocked(s.intent().spkiSha256())).isTrue();
        }
    }

    @Test
    void crashPoint6LedgerLostAfterSigningLeavesOutcomeUnknown() {
        AtomicReference<FailingLedger> ledger = new AtomicReference<>();
        try (TestPki pki = TestPki.builder().wrapLedger(l -> {
            ledger.set(new FailingLedger(l));
            return ledger.get();
        }).build()) {
            ledger.get().failAppendsAfter(1); // "signing" is written, "issued" is not
            assertThat(kindOf(() -> pki.issue("tls-server", TestCsr.of("half.example"))))
                    .isEqualTo(CaException.Kind.LEDGER_UNAVAILABLE);
            SerialRecord s = serials(pki).get(0);
            assertThat(s.state()).isEqualTo(SerialState.SIGNING);
            assertThat(pki.store.certificate("issuing", s.intent().serial())).isEmpty();
        }
    }

    @Test
    void aSerialCollisionDrawsANewSerialAndNeverReusesOne() {
        try (TestPki pki = TestPki.builder().random(new RepeatingRandom()).build()) {
            // The fixture's two CA certificates consumed draws 1-2; from here every draw repeats once.
            SerialNumber first = pki.issue("tls-server", TestCsr.of("one.example")).record().serial();
            SerialNumber second = pki.issue("tls-server", TestCsr.of("two.example")).record().serial();
            assertThat(second).isNotEqualTo(first);
            assertThat(pki.store.duplicateSerials()).isEmpty();
            assertThat(pki.reconciler().run().problems()).isEmpty();
        }
    }

    @Test
    void everyCaSignatureMatchesExactlyOneLedgerRecord() {
        AtomicReference<CountingToken> counter = new AtomicReference<>();
        AtomicReference<FaultyToken> faulty = new AtomicReference<>();
        try (TestPki pki = TestPki.builder().wrapToken(t -> {
            faulty.set(new FaultyToken(t));
            counter.set(new CountingToken(faulty.get()));
            return counter.get();
        }).build()) {
            for (int i = 0; i < 12; i++) {
                if (i % 4 == 3) {
                    faulty.get().corruptNextSignature();
                }
                try {
                    pki.issue("tls-server", TestCsr.of("n" + i + ".example"));
                } catch (CaException e) {
                    assertThat(e.kind()).isEqualTo(CaException.Kind.INTERNAL);
                }
            }
            pki.jdbcLedger.integrate();
            long signing = pki.jdbcLedger.entries(0, 10_000).stream()
                    .filter(e -> e.type() == AuditEventType.CERTIFICATE_SIGNING && e.subject().startsWith("issuing/"))
                    .count();
            long calls = counter.get().signs("ca-issuing") + counter.get().signs("ca-root");
            // Every CA-key signature (leafs, the issuing CA certificate, faulty ones included) has one intent entry.
            long intents = pki.jdbcLedger.entries(0, 10_000).stream()
                    .filter(e -> e.type() == AuditEventType.CERTIFICATE_SIGNING).count();
            assertThat(calls).isEqualTo(intents);
            assertThat(signing).isEqualTo(12);
            assertThat(pki.reconciler().run().problems()).isEmpty();
        }
    }

    /** A CSPRNG stand-in whose every draw is returned twice, forcing one serial collision per issuance. */
    private static final class RepeatingRandom extends SecureRandom {
        private static final long serialVersionUID = 1L;
        private final SecureRandom real = new SecureRandom();
        private byte[] last;
        private boolean repeat;

        @Override
        public synchronized void nextBytes(byte[] bytes) {
            if (repeat && last != null && last.length == bytes.length) {
                System.arraycopy(last, 0, bytes, 0, bytes.length);
                repeat = false;
                return;
            }
            real.nextBytes(bytes);
            last = bytes.clone();
            repeat = true;
        }
    }
}
