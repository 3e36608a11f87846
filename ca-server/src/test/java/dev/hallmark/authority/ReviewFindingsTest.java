package dev.hallmark.authority;

import static dev.hallmark.authority.testing.Refusals.kindOf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hallmark.authority.policy.PolicyEngine;
import dev.hallmark.authority.policy.PolicyRules;
import dev.hallmark.authority.profile.ProfileCatalog;
import dev.hallmark.authority.testing.StoredState;
import dev.hallmark.authority.testing.TestCsr;
import dev.hallmark.authority.testing.TestPki;
import dev.hallmark.db.testing.TestDatabases;
import dev.hallmark.hsm.KeyType;
import dev.hallmark.hsm.SoftToken;
import dev.hallmark.hsm.VerifyingToken;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Defects a PKI review found in the authority core, each pinned by a test. */
class ReviewFindingsTest {

    @Test
    void aCaWhoseCertificateIsRevokedIssuesNothingMore() {
        try (TestPki pki = TestPki.create()) {
            pki.issue("tls-server", TestCsr.of("before.example"));
            pki.authority.revoke(new RevocationRequest("root", pki.issuing.record().serial(),
                    RevocationReason.CA_COMPROMISE, "test:operator"));
            StoredState before = StoredState.of(pki.database);
            assertThat(kindOf(() -> pki.issue("tls-server", TestCsr.of("after.example"))))
                    .isEqualTo(CaException.Kind.POLICY_DENIED);
            assertThat(StoredState.of(pki.database)).isEqualTo(before);
            assertThat(pki.reconciler().run().problems()).isEmpty();
        }
    }

    @Test
    void aRootDoesNotSignEndEntityCertificates() {
        try (TestPki pki = TestPki.create()) {
            StoredState before = StoredState.of(pki.database);
            assertThat(kindOf(() -> pki.authority.issue(new IssuanceRequest("root", "tls-server", TestCsr.of("r.example"),
                    List.of(), "t", Provenance.admin("cli", "t", pki.clock.instant()))))).isEqualTo(CaException.Kind.POLICY_DENIED);
            assertThat(StoredState.of(pki.database)).isEqualTo(before);
        }
    }

    @Test
    void aTokenKeyThatIsNotTheCaCertificateKeyNeverSigns() {
        try (TestPki pki = TestPki.create(); SoftToken impostor = SoftToken.inMemory()) {
            impostor.generateKey("ca-issuing", KeyType.EC_P256);
            VerifyingToken token = new VerifyingToken(impostor);
            Issuer issuer = new Issuer(pki.store, token, pki.linter, pki.clock, new java.security.SecureRandom(), "t");
            Authority swapped = new Authority(pki.store, token, issuer, new PolicyEngine(PolicyRules.defaults()),
                    ProfileCatalog.defaults());
            StoredState before = StoredState.of(pki.database);
            assertThat(kindOf(() -> swapped.issue(pki.request("tls-server", TestCsr.of("swap.example")))))
                    .isEqualTo(CaException.Kind.TOKEN_UNAVAILABLE);
            assertThat(StoredState.of(pki.database)).isEqualTo(before);
        }
    }

    @ParameterizedTest(name = "CN {0}")
    @ValueSource(strings = {"ab\u0001cd", "evil\u202Egnp.exe", "<script>x</script>", " leading", "zero\u200Bwidth"})
    void aRequestedCommonNameIsUntrustedText(String cn) {
        try (TestPki pki = TestPki.create()) {
            StoredState before = StoredState.of(pki.database);
            assertThat(kindOf(() -> pki.issue("ocsp-signer", TestCsr.of(null, TestCsr.withCn(cn)))))
                    .isEqualTo(CaException.Kind.BAD_CSR);
            assertThat(StoredState.of(pki.database)).isEqualTo(before);
        }
    }

    @Test
    void aDelegatedResponderCertificateIsNotForAcmeOrEstClients() {
        try (TestPki pki = TestPki.create()) {
            for (String channel : List.of("acme", "est", "scep")) {
                IssuanceRequest r = new IssuanceRequest("issuing", "ocsp-signer", TestCsr.of(null, TestCsr.withCn("Responder")),
                        List.of(), channel + ":client", new Provenance(channel, "order/1", "http-01", pki.clock.instant(), null));
                assertThat(kindOf(() -> pki.authority.issue(r))).as(channel).isEqualTo(CaException.Kind.UNAUTHORIZED);
            }
            assertThat(pki.issue("ocsp-signer", TestCsr.of(null, TestCsr.withCn("Responder"))).record()).isNotNull();
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestDatabases.Kind.class)
    void concurrentKeyCompromiseOfTwoCertificatesSharingAKeyBothSucceed(TestDatabases.Kind db) throws Exception {
        try (TestPki pki = TestPki.builder().database(db).build()) {
            var pair = TestCsr.generate(KeyType.EC_P256);
            SerialNumber a = pki.issue("tls-server", TestCsr.of("a.example", TestCsr.withKeyPair(pair))).record().serial();
            SerialNumber b = pki.issue("tls-client", TestCsr.of("b.example", TestCsr.withKeyPair(pair))).record().serial();
            // Each revocation also sweeps the key's other certificate, so the slower one may find its serial already
            // revoked for keyCompromise: that is the one acceptable refusal.
            Runnable ra = () -> revokeTolerant(pki, a);
            Runnable rb = () -> revokeTolerant(pki, b);
            CompletableFuture.allOf(CompletableFuture.runAsync(ra), CompletableFuture.runAsync(rb)).get();
            assertThat(pki.store.serial("issuing", a).orElseThrow().isRevoked()).isTrue();
            assertThat(pki.store.serial("issuing", b).orElseThrow().isRevoked()).isTrue();
            assertThat(pki.reconciler().run().problems()).isEmpty();
        }
    }

    private static void revokeTolerant(TestPki pki, SerialNumber serial) {
        try {
            pki.authority.revoke(new RevocationRequest("issuing", serial, RevocationReason.KEY_COMPROMISE, "t"));
        } catch (CaException e) {
            assertThat(e.kind()).isEqualTo(CaException.Kind.ALREADY_REVOKED);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestDatabases.Kind.class)
    void keyCompromiseRevokesEveryOtherUnexpiredCertificateOfThatKey(TestDatabases.Kind db) {
        try (TestPki pki = TestPki.builder().database(db).build()) {
            var pair = TestCsr.generate(KeyType.EC_P256);
            SerialNumber reported = pki.issue("tls-server", TestCsr.of("a.example", TestCsr.withKeyPair(pair))).record().serial();
            SerialNumber sibling = pki.issue("tls-client", TestCsr.of("b.example", TestCsr.withKeyPair(pair))).record().serial();
            SerialNumber other = pki.issue("tls-server", TestCsr.of("c.example", TestCsr.withFreshKey())).record().serial();
            SerialRecord r = pki.authority.revoke(new RevocationRequest("issuing", reported, RevocationReason.KEY_COMPROMISE, "t"));
            SerialRecord s = pki.store.serial("issuing", sibling).orElseThrow();
            assertThat(s.isRevoked()).isTrue();
            assertThat(s.revokedAt()).isEqualTo(r.revokedAt());
            assertThat(s.revocationReason()).isEqualTo(RevocationReason.KEY_COMPROMISE);
            assertThat(pki.store.serial("issuing", other).orElseThrow().isRevoked()).isFalse();
            assertThat(pki.reconciler().run().problems()).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"undo", "redate", "lower", "delete"})
    void theReconcilerHoldsTheDatabaseToWhatTheLedgerAcknowledged(String attack) {
        try (TestPki pki = TestPki.create()) {
            SerialNumber s = pki.issue("tls-server", TestCsr.of("ack.example")).record().serial();
            pki.authority.revoke(new RevocationRequest("issuing", s, RevocationReason.KEY_COMPROMISE, "t"));
            assertThat(pki.reconciler().run().problems()).isEmpty();
            String where = " WHERE issuer = 'issuing' AND serial = '" + s.hex() + "'";
            pki.database.inTransaction(c -> {
                try (var st = c.createStatement()) {
                    switch (attack) {
                        case "undo" -> st.executeUpdate("UPDATE serial_number SET revoked_at = NULL, revocation_reason = NULL" + where);
                        case "redate" -> st.executeUpdate("UPDATE serial_number SET revoked_at = revoked_at + INTERVAL '1' DAY" + where);
                        case "lower" -> st.executeUpdate("UPDATE serial_number SET revocation_reason = 'SUPERSEDED'" + where);
                        default -> {
                            st.executeUpdate("DELETE FROM certificate_san" + where);
                            st.executeUpdate("DELETE FROM certificate" + where);
                            st.executeUpdate("DELETE FROM serial_number" + where);
                        }
                    }
                }
                return null;
            });
            pki.clock.advance(Duration.ofMinutes(1));
            assertThat(pki.reconciler().run().problems()).as(attack).isNotEmpty();
        }
    }

    @Test
    void aLeafIssuedInTheSameSecondBeforeItsCaWasRevokedIsNoViolation() {
        try (TestPki pki = TestPki.create()) {
            pki.clock.set(TestPki.NOW.plusMillis(400));
            pki.issue("tls-server", TestCsr.of("same-second.example"));
            pki.clock.set(TestPki.NOW.plusMillis(700));
            pki.authority.revoke(new RevocationRequest("root", pki.issuing.record().serial(),
                    RevocationReason.CA_COMPROMISE, "t"));
            assertThat(pki.reconciler().run().problems()).isEmpty();
        }
    }

    @Test
    void anOutcomeUnknownSerialThatWasRevokedNeedsNoMoreAttention() {
        var store = new java.util.concurrent.atomic.AtomicReference<dev.hallmark.authority.testing.FaultyStore>();
        try (TestPki pki = TestPki.builder().wrapStore(s -> {
            store.set(new dev.hallmark.authority.testing.FaultyStore(s));
            return store.get();
        }).build()) {
            store.get().failComplete(true);
            assertThat(kindOf(() -> pki.issue("tls-server", TestCsr.of("lost.example")))).isEqualTo(CaException.Kind.INTERNAL);
            store.get().failComplete(false);
            SerialNumber[] lost = new SerialNumber[1];
            pki.store.forEachSerial(r -> {
                if (r.state() == SerialState.SIGNING) {
                    lost[0] = r.intent().serial();
                }
            });
            pki.clock.advance(Duration.ofMinutes(5));
            assertThat(pki.reconciler().run().outcomeUnknown()).hasSize(1);
            pki.authority.revoke(new RevocationRequest("issuing", lost[0], RevocationReason.KEY_COMPROMISE, "t"));
            pki.jdbcLedger.signCheckpoint();
            Reconciler.Report report = pki.reconciler().run();
            assertThat(report.outcomeUnknown()).isEmpty();
            assertThat(report.problems()).isEmpty();
        }
    }
}
