package dev.hallmark.authority;

import static dev.hallmark.authority.testing.Refusals.kindOf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hallmark.authority.testing.StoredState;
import dev.hallmark.authority.testing.TestCsr;
import dev.hallmark.authority.testing.TestPki;
import dev.hallmark.db.testing.TestDatabases;
import dev.hallmark.hsm.KeyType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RevocationTest {

    private static SerialNumber issue(TestPki pki, String name) {
        return pki.issue("tls-server", TestCsr.of(name, TestCsr.withFreshKey())).record().serial();
    }

    private static SerialRecord revoke(TestPki pki, SerialNumber serial, RevocationReason reason) {
        return pki.authority.revoke(new RevocationRequest("issuing", serial, reason, "test:operator"));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestDatabases.Kind.class)
    void revocationIsDurableAndItsDateNeverChanges(TestDatabases.Kind db) {
        try (TestPki pki = TestPki.builder().database(db).build()) {
            SerialNumber serial = issue(pki, "r.example");
            Instant at = pki.clock.instant();
            SerialRecord r = revoke(pki, serial, RevocationReason.SUPERSEDED);
            assertThat(r.revokedAt()).isEqualTo(at);
            CertificateRecord stored = pki.authority.certificate("issuing", serial).orElseThrow();
            assertThat(stored.status(pki.clock.instant())).isEqualTo(CertificateStatus.REVOKED);
            assertThat(stored.revocationReason()).isEqualTo(RevocationReason.SUPERSEDED);

            pki.clock.advance(Duration.ofHours(5));
            StoredState before = StoredState.of(pki.database);
            assertThat(kindOf(() -> revoke(pki, serial, RevocationReason.CESSATION_OF_OPERATION)))
                    .isEqualTo(CaException.Kind.ALREADY_REVOKED);
            assertThat(kindOf(() -> revoke(pki, serial, RevocationReason.SUPERSEDED)))
                    .isEqualTo(CaException.Kind.ALREADY_REVOKED);
            assertThat(StoredState.of(pki.database)).isEqualTo(before);

            // Raising to keyCompromise keeps the date and blocks the key.
            SerialRecord raised = revoke(pki, serial, RevocationReason.KEY_COMPROMISE);
            assertThat(raised.revokedAt()).isEqualTo(at);
            assertThat(raised.revocationReason()).isEqualTo(RevocationReason.KEY_COMPROMISE);
            assertThat(kindOf(() -> revoke(pki, serial, RevocationReason.KEY_COMPROMISE)))
                    .isEqualTo(CaException.Kind.ALREADY_REVOKED);
            assertThat(pki.reconciler().run().problems()).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestDatabases.Kind.class)
    void keyCompromiseBlocksTheKeyForEveryFutureIssuance(TestDatabases.Kind db) {
        try (TestPki pki = TestPki.builder().database(db).build()) {
            var pair = TestCsr.generate(KeyType.EC_P256);
            SerialNumber serial = pki.issue("tls-server", TestCsr.of("k.example", TestCsr.withKeyPair(pair))).record().serial();
            revoke(pki, serial, RevocationReason.KEY_COMPROMISE);
            StoredState before = StoredState.of(pki.database);
            assertThat(kindOf(() -> pki.issue("tls-client", TestCsr.of("other.example", TestCsr.withKeyPair(pair)))))
                    .isEqualTo(CaException.Kind.BAD_PUBLIC_KEY);
            assertThat(StoredState.of(pki.database)).isEqualTo(before);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestDatabases.Kind.class)
    void unknownSerialsAndBadReasonsChangeNothing(TestDatabases.Kind db) {
        try (TestPki pki = TestPki.builder().database(db).build()) {
            issue(pki, "n.example");
            StoredState before = StoredState.of(pki.database);
            assertThat(kindOf(() -> revoke(pki, SerialNumber.parse("1234567890abcdef1234"), RevocationReason.UNSPECIFIED)))
                    .isEqualTo(CaException.Kind.NOT_FOUND);
            assertThat(kindOf(() -> pki.authority.revoke(new RevocationRequest("no-such-ca", SerialNumber.parse("01"),
                    RevocationReason.UNSPECIFIED, "t")))).isEqualTo(CaException.Kind.NOT_FOUND);
            assertThat(kindOf(() -> RevocationReason.parse("certificateHold"))).isEqualTo(CaException.Kind.BAD_REVOCATION_REASON);
            assertThat(kindOf(() -> RevocationReason.parse("removeFromCRL"))).isEqualTo(CaException.Kind.BAD_REVOCATION_REASON);
            assertThat(kindOf(() -> RevocationReason.fromCode(6))).isEqualTo(CaException.Kind.BAD_REVOCATION_REASON);
            assertThat(StoredState.of(pki.database)).isEqualTo(before);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestDatabases.Kind.class)
    void concurrentRevocationsOfOneSerialGiveExactlyOneRevocation(TestDatabases.Kind db) throws Exception {
        try (TestPki pki = TestPki.builder().database(db).build()) {
            SerialNumber serial = issue(pki, "race.example");
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<Boolean>> results = new ArrayList<>();
                for (int i = 0; i < 16; i++) {
                    results.add(pool.submit(() -> {
                        try {
                            revoke(pki, serial, RevocationReason.CESSATION_OF_OPERATION);
                            return true;
                        } catch (CaException e) {
                            assertThat(e.kind()).isEqualTo(CaException.Kind.ALREADY_REVOKED);
                            return false;
                        }
                    }));
                }
                int wins = 0;
                for (Future<Boolean> f : results) {
                    wins += f.get() ? 1 : 0;
                }
                assertThat(wins).isEqualTo(1);
            } finally {
                pool.shutdownNow();
            }
            var report = pki.reconciler().run();
            assertThat(report.problems()).isEmpty();
            assertThat(report.revoked()).isEqualTo(1);
        }
    }
}
