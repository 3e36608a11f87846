package dev.hallmark.store.acme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hallmark.authority.Identifier;
import dev.hallmark.db.Database;
import dev.hallmark.db.testing.TestDatabases;
import dev.hallmark.protocol.acme.AcmeAccount;
import dev.hallmark.protocol.acme.AcmeAuthorization;
import dev.hallmark.protocol.acme.AcmeChallenge;
import dev.hallmark.protocol.acme.AcmeOrder;
import dev.hallmark.protocol.acme.AcmeStatus;
import dev.hallmark.protocol.acme.AcmeStore.ChallengeResult;
import dev.hallmark.protocol.acme.AcmeStore.DuplicateException;
import dev.hallmark.protocol.acme.EabKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link JdbcAcmeStore} on H2 and PostgreSQL under the same migrations, including the races it must settle once. */
class JdbcAcmeStoreTest {
    private static final Instant T = Instant.parse("2026-03-01T12:00:00Z");
    private static final Duration DAY = Duration.ofDays(1);

    // --- nonces ---

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestDatabases.Kind.class)
    void aNonceIsConsumedOnceAndOnlyBeforeItExpires(TestDatabases.Kind kind) {
        try (Database db = TestDatabases.open(kind)) {
            JdbcAcmeStore store = new JdbcAcmeStore(db);
            store.putNonce("n1", T.plusSeconds(60));
            store.putNonce("n2", T.plusSeconds(60));
            store.putNonce("n3", T.plusSeconds(600));

            assertThat(store.consumeNonce("n1", T)).isTrue();
            assertThat(store.consumeNonce("n1", T)).isFalse();
            assertThat(store.consumeNonce("unknown", T)).isFalse();
            assertThat(store.consumeNonce("n2", T.plusSeconds(60))).isFalse();
            assertThatThrownBy(() -> store.putNonce("n3", T)).isInstanceOf(DuplicateException.class);

            assertThat(store.purgeNonces(T.plusSeconds(300))).isEqualTo(1);
            assertThat(store.consumeNonce("n3", T.plusSeconds(300))).isTrue();
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestDatabases.Kind.class)
    void twoNodesRacingForOneNonceConsumeItOnce(TestDatabases.Kind kind) throws Exception {
        try (Database db = TestDatabases.open(kind)) {
            JdbcAcmeStore store = new JdbcAcmeStore(db);
            for (int i = 0; i < 50; i++) {
                String nonce = "race-" + i;
                store.putNonce(nonce, T.plusSeconds(60));
                assertThat(race(2, () -> store.consumeNonce(nonce, T))).as(nonce).containsExactlyInAnyOrder(true, false);
            }
        }
    }

    // --- accounts ---

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestDatabases.Kind.class)
    void accountsAreStoredFoundAndListedNewestFirst(TestDatabases.Kind kind) {
        try (Database db = TestDatabases.open(kind)) {
            JdbcAcmeStore store = new JdbcAcmeStore(db);
            AcmeAccount a = store.createAccount(account("tp-a", T, null));
            AcmeAccount b = store.createAccount(account("tp-b", T.plusSeconds(1), null));

            assertThat(b.id()).isNotEqualTo(a.id());
            assertThat(store.account(a.id())).contains(a);
            assertThat(store.accountByThumbprint("tp-b")).contains(b);
            assertThat(a.contacts()).containsExactly("mailto:tp-a@example.com", "mailto:ops@example.com");
            assertThat(store.account(-1)).isEmpty();
            assertThat(store.accountByThumbprint("nobody")).isEmpty();
            assertThat(store.accounts(0, 10)).containsExactly(b, a);
            assertThat(store.accounts(1, 10)).containsExactly(a);
            assertThat(store.accounts(0, 1)).containsExactly(b);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestDatabases.Kind.class)
    void accountChangesHappenOnlyToValidAccounts(TestDatabases.Kind kind) {
        try (Database db = TestDatabases.open(kind)) {
            JdbcAcmeStore store = new JdbcAcmeStore(db);
            long id = store.createAccount(account("tp-a", T, null)).id();

            assertThat(store.updateContacts(id, List.of("mailto:new@example.com"))).isTrue();
            assertThat(store.account(id).orElseThrow().contacts()).containsExactly("mailto:new@example.com");
            assertThat(store.deactivateAccount(id, AcmeStatus.DEACTIVATED)).isTrue();
            assertThat(store.deactivateAccount(id, AcmeStatus.REVOKED)).isFalse();
            assertThat(store.updateContacts(id, List.of())).isFalse();
            assertThat(store.changeKey(id, "tp-a", "tp-new", "{}")).isFalse();
            assertThat(store.account(id).orElseThrow())
                    .satisfies(a -> assertThat(a.status()).isEqualTo(AcmeStatus.DEACTIVATED))
                    .satisfies(a -> assertThat(a.contacts()).containsExactly("mailto:new@example.com"))
                    .satisfies(a -> assertThat(a.thumbprint()).isEqualTo("tp-a"));
            assertThatThrownBy(() -> store.deactivateAccount(id, AcmeStatus.VALID)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestDatabases.Kind.class)
    void keyRolloverNeedsTheCurrentKeyAndAnUnusedNewOne(TestDatabases.Kind kind) {
        try (Database db = TestDatabases.open(kind)) {
            JdbcAcmeStore store = new JdbcAcmeStore(db);
            long a = store.createAccount(account("tp-a", T, null)).id();
            store.createAccount(account("tp-b", T, null));

            assertThat(store.changeKey(a, "tp-a", "tp-a2", "{\"kty\":\"EC\"}")).isTrue();
            assertThat(store.changeKey(a, "tp-a", "tp-a3", "{}")).isFalse();
            assertThatThrownBy(() -> store.changeKey(a, "tp-a2", "tp-b", "{}")).isInstanceOf(DuplicateException.class);
            assertThat(store.accountByThumbprint("tp-a2").orElseThrow())
                    .satisfies(x -> assertThat(x.id()).isEqualTo(a))
                    .satisfies(x -> assertThat(x.jwk()).isEqualTo("{\"kty\":\"EC\"}"));
            assertThat(store.accountByThumbprint("tp-a")).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestDatabases.Kind.class)
    void oneKeyHasOneAccountEvenWhenTwoNodesRegisterItTogether(TestDatabases.Kind kind) throws Exception {
        try (Database db = TestDatabases.open(kind)) {
            JdbcAcmeStore store = new JdbcAcmeStore(db);
            store.createAccount(account("tp-seq", T, null));
            assertThatThrownBy(() -> store.createAccount(account("tp-seq", T, null))).isInstanceOf(DuplicateException.class);

            List<Object> outcomes = race(2, () -> store.createAccount(account("tp-race", T, null)));
            assertThat(outcomes).filteredOn(AcmeAccount.class::isInstance).hasSize(1);
            assertThat(outcomes).filteredOn(DuplicateException.class::isInstance).hasSize(1);
            assertThat(store.accounts(0, 10)).hasSize(2);
        }
    }

    // --- external account binding ---

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestDatabases.Kind.class)
    void anEabKeyBindsOneAccountAndARevokedOneNone(TestDatabases.Kind kind) {
        try (Database db = TestDatabases.open(kind)) {
            JdbcAcmeStore store = new JdbcAcmeStore(db);
            store.createEab(eab("kid-1", T));
            store.createEab(eab("kid-2", T.plusSeconds(1)));
            assertThatThrownBy(() -> store.createEab(eab("kid-1", T))).isInstanceOf(DuplicateException.class);
            assertThat(store.eab("kid-1").orElseThrow().sealedKey()).containsExactly(1, 2, 3, 4);

            AcmeAccount bound = store.createAccount(account("tp-a", T, "kid-1"));
            assertThat(bound.eabKid()).isEqualTo("kid-1");
            assertThat(store.eab("kid-1").orElseThrow().accountId()).isEqualTo(bound.id());
            assertThatThrownBy(() -> store.createAccount(account("tp-b", T, "kid-1"))).isInstanceOf(DuplicateException.class);
            assertThatThrownBy(() -> store.createAccount(account("tp-c", T, "kid-unknown")))
                    .isInstanceOf(DuplicateException.class);
            assertThat(store.revokeEab("kid-1")).isFalse();

            assertThat(store.revokeEab("kid-2")).isTrue();
            assertThat(store.revokeEab("kid-2")).isFalse();
            assertThat(store.revokeEab("kid-unknown")).isFalse();
            assertThatThrownBy(() -> store.createAccount(account("tp-d", T, "kid-2"))).isInstanceOf(DuplicateException.class);

            // Every refused account was rolled back with its binding.
            assertThat(store.accounts(0, 10)).containsExactly(bound);
            assertThat(store.eab("kid-2").orElseThrow())
                    .satisfies(k -> assertThat(k.revoked()).isTrue())
                    .satisfies(k -> assertThat(k.accountId()).isNull());
            assertThat(store.eabKeys()).extracting(EabKey::kid).containsExactly("kid-2", "kid-1");
            assertThat(store.eab("kid-unknown")).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestDatabases.Kind.class)
    void twoAccountsRacingForOneEabKeyBindItOnce(TestDatabases.Kind kind) throws Exception {
        try (Database db = TestDatabases.open(kind)) {
            JdbcAcmeStore store = new JdbcAcmeStore(db);
            for (int i = 0; i < 10; i++) {
                String kid = "kid-" + i;
                store.createEab(eab(kid, T));
                int round = i;
                List<String> thumbprints = List.of("tp-" + i + "-x", "tp-" + i + "-y");
                List<Object> outcomes = raceEach(thumbprints.stream()
                        .<Callable<Object>>map(tp -> () -> store.createAccount(account(tp, T, kid))).toList());
                assertThat(outcomes).as("round %d", round).filteredOn(AcmeAccount.class::isInstance).hasSize(1);
                assertThat(outcomes).as("round %d", round).filteredOn(DuplicateException.class::isInstance).hasSize(1);
                long winner = outcomes.stream().filter(AcmeAccount.class::isInstance).map(AcmeAccount.class::cast)
                        .findFirst().orElseThrow().id();
                assertThat(store.eab(kid).orElseThrow().accountId()).isEqualTo(winner);
            }
            assertThat(store.accounts(0, 100)).hasSize(10);
        }
    }

    // --- orders and authorizations ---

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestDatabases.Kind.class)
    void anOrderIsStoredWithItsAuthorizationsAndChallengesInOrder(TestDatabases.Kind kind) {
        try (Database db = TestDatabases.open(kind)) {
            JdbcAcmeStore store = new JdbcAcmeStore(db);
            long acct = store.createAccount(account("tp-a", T, null)).id();
            AcmeAuthorization a1 = authz("az-1", acct, Identifier.dns("b.example"), false);
            AcmeAuthorization a2 = authz("az-2", acct, Identifier.dns("a.example"), true);
            AcmeOrder o1 = order("o-1", acct, T, List.of(Identifier.dns("b.example"), Identifier.dns("*.a.example")),
                    List.of("az-1", "az-2"));
            store.createOrder(o1, List.of(a1, a2));

            assertThat(store.order("o-1")).contains(o1);
            assertThat(store.order("o-none")).isEmpty();
            assertThat(store.authorizationsOf(o1)).containsExactly(a1, a2);
            assertThat(store.authorization("az-2")).contains(a2);
            assertThat(store.authorization("az-none")).isEmpty();
            assertThat(store.challenge("az-1-dns")).contains(a1.challenges().get(1));
            assertThat(store.challenge("none")).isEmpty();

            // A second order reuses az-1 and creates az-3.
            AcmeAuthorization a3 = authz("az-3", acct, Identifier.ip("192.0.2.7"), false);
            AcmeOrder o2 = order("o-2", acct, T.plusSeconds(1), List.of(Identifier.ip("192.0.2.7"), Identifier.dns("b.example")),
                    List.of("az-3", "az-1"));
            store.createOrder(o2, List.of(a3));
            assertThat(store.authorizationsOf(o2)).containsExactly(a3, a1);
            assertThat(store.order("o-2").orElseThrow().authzIds()).containsExactly("az-3", "az-1");
            assertThatThrownBy(() -> store.createOrder(o2, List.of())).isInstanceOf(DuplicateException.class);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestDatabases.Kind.class)
    void anAccountListsItsOrdersInProgressOrUnexpiredNewestFirst(TestDatabases.Kind kind) {
        try (Database db = TestDatabases.open(kind)) {
            JdbcAcmeStore store = new JdbcAcmeStore(db);
            long acct = store.createAccount(account("tp-a", T, null)).id();
            long other = store.createAccount(account("tp-b", T, null)).id();
            // Orders expire a week after they are placed.
            placeOrder(store, "old-pending", acct, T);                     // expired by T+8d
            placeOrder(store, "old-processing", acct, T.plusSeconds(1));   // expired, but still being finalized
            placeOrder(store, "old-valid", acct, T.plusSeconds(2));        // expired
            placeOrder(store, "new-pending", acct, T.plus(DAY.multipliedBy(3)));
            placeOrder(store, "new-valid", acct, T.plus(DAY.multipliedBy(4)));
            placeOrder(store, "new-invalid", acct, T.plus(DAY.multipliedBy(5)));
            placeOrder(store, "theirs", other, T.plus(DAY.multipliedBy(5)));
            store.transitionOrder("old-processing", AcmeStatus.PENDING, AcmeStatus.PROCESSING, null);
            store.transitionOrder("old-valid", AcmeStatus.PENDING, AcmeStatus.PROCESSING, null);
            store.completeOrder("old-valid", "issuing", "0a");
            store.transitionOrder("new-valid", AcmeStatus.PENDING, AcmeStatus.PROCESSING, null);
            store.completeOrder("new-valid", "issuing", "0b");
            store.transitionOrder("new-invalid", AcmeStatus.PENDING, AcmeStatus.INVALID, "{\"type\":\"x\"}");

            Instant now = T.plus(DAY.multipliedBy(8));
            assertThat(store.orderIds(acct, now, 0, 10)).containsExactly("new-valid", "new-pending", "old-processing");
            assertThat(store.orderIds(acct, now, 1, 1)).containsExactly("new-pending");
            assertThat(store.orderIds(acct, T, 0, 10)).containsExactly("new-valid", "new-pending", "old-valid",
                    "old-processing", "old-pending");

            assertThat(store.orders(null, 0, 100)).extracting(AcmeOrder::id).containsExactly("theirs", "new-invalid",
                    "new-valid", "new-pending", "old-valid", "old-processing", "old-pending");
            assertThat(store.orders(other, 0, 10)).extracting(AcmeOrder::id).containsExactly("theirs");
            assertThat(store.orders(acct, 1, 2)).extracting(AcmeOrder::id).containsExactly("new-valid", "new-pending");
            assertThat(store.orders(acct, 0, 1).get(0).authzIds()).containsExactly("new-invalid-az");
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestDatabases.Kind.class)
    void orderStateChangesAreCompareAndSet(TestDatabases.Kind kind) {
        try (Database db = TestDatabases.open(kind)) {
            JdbcAcmeStore store = new JdbcAcmeStore(db);
            long acct = store.createAccount(account("tp-a", T, null)).id();
            placeOrder(store, "o-1", acct, T);
            placeOrder(store, "o-2", acct, T);

            assertThat(store.completeOrder("o-1", "issuing", "1f")).isFalse();
            assertThat(store.transitionOrder("o-1", AcmeStatus.PENDING, AcmeStatus.PROCESSING, null)).isTrue();
            assertThat(store.transitionOrder("o-1", AcmeStatus.PENDING, AcmeStatus.PROCESSING, null)).isFalse();
            assertThat(store.completeOrder("o-1", "issuing", "1f")).isTrue();
            assertThat(store.completeOrder("o-1", "issuing", "20")).isFalse();
            assertThat(store.orderByCertificate("issuing", "1f").orElseThrow())
                    .satisfies(o -> assertThat(o.id()).isEqualTo("o-1"))
                    .satisfies(o -> assertThat(o.status()).isEqualTo(AcmeStatus.VALID))
                    .satisfies(o -> assertThat(o.authzIds()).containsExactly("o-1-az"));
            assertThat(store.orderByCertificate("issuing", "20")).isEmpty();
            assertThat(store.orderByCertificate("other", "1f")).isEmpty();

            String problem = "{\"type\":\"urn:ietf:params:acme:error:badCSR\"}";
            assertThat(store.transitionOrder("o-2", AcmeStatus.PENDING, AcmeStatus.INVALID, problem)).isTrue();
            assertThat(store.order("o-2").orElseThrow())
                    .satisfies(o -> assertThat(o.status()).isEqualTo(AcmeStatus.INVALID))
                    .satisfies(o -> assertThat(o.error()).isEqualTo(problem));
            assertThat(store.transitionOrder("o-none", AcmeStatus.PENDING, AcmeStatus.INVALID, null)).isFalse();
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestDatabases.Kind.class)
    void aReplacementIsInProgressUntilItFailsOrLapses(TestDatabases.Kind kind) {
        try (Database db = TestDatabases.open(kind)) {
            JdbcAcmeStore store = new JdbcAcmeStore(db);
            long acct = store.createAccount(account("tp-a", T, null)).id();
            assertThat(store.replacementInProgress("cert-1", T)).isFalse();
            store.createOrder(replacing("r-1", acct, "cert-1"), List.of(authz("r-1-az", acct, Identifier.dns("r.example"), false)));

            assertThat(store.replacementInProgress("cert-1", T)).isTrue();
            assertThat(store.replacementInProgress("cert-2", T)).isFalse();
            assertThat(store.replacementInProgress("cert-1", T.plus(java.time.Duration.ofDays(400))))
                    .as("a pending order past its expiry is invalid").isFalse();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.createOrder(replacing("r-x", acct, "cert-1"),
                    List.of())).as("a second replacement while one is in progress").isInstanceOf(DuplicateException.class);

            // A pending order whose authorization failed reads as invalid.
            store.transitionAuthorization("r-1-az", AcmeStatus.PENDING, AcmeStatus.INVALID);
            assertThat(store.replacementInProgress("cert-1", T)).isFalse();

            store.createOrder(replacing("r-2", acct, "cert-1"), List.of(authz("r-2-az", acct, Identifier.dns("r.example"), false)));
            store.transitionOrder("r-2", AcmeStatus.PENDING, AcmeStatus.PROCESSING, null);
            assertThat(store.replacementInProgress("cert-1", T)).isTrue();
            store.completeOrder("r-2", "issuing", "2a");
            assertThat(store.replacementInProgress("cert-1", T.plus(java.time.Duration.ofDays(400)))).as("a valid one stays").isTrue();
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestDatabases.Kind.class)
    void aValidChallengeValidatesItsAuthorizationOnce(TestDatabases.Kind kind) {
        try (Database db = TestDatabases.open(kind)) {
            JdbcAcmeStore store = new JdbcAcmeStore(db);
            long acct = store.createAccount(account("tp-a", T, null)).id();
            AcmeAuthorization a = authz("az-1", acct, Identifier.dns("a.example"), false);
            store.createOrder(order("o-1", acct, T, List.of(Identifier.dns("a.example")), List.of("az-1")), List.of(a));

            assertThat(store.finishChallenge(ok("az-1-dns"))).isFalse(); // not processing yet
            assertThat(store.startChallenge("az-1-dns", T)).isTrue();
            assertThat(store.startChallenge("az-1-dns", T)).isFalse();
            assertThat(store.challenge("az-1-dns").orElseThrow().status()).isEqualTo(AcmeStatus.PROCESSING);
            assertThat(store.startChallenge("az-1-http", T)).isTrue(); // a client may answer two challenges

            assertThat(store.finishChallenge(ok("az-1-dns"))).isTrue();
            assertThat(store.finishChallenge(ok("az-1-dns"))).isFalse();
            AcmeAuthorization after = store.authorization("az-1").orElseThrow();
            assertThat(after.status()).isEqualTo(AcmeStatus.VALID);
            assertThat(after.validatedAt()).isEqualTo(T.plusSeconds(5));
            assertThat(after.validationMethod()).isEqualTo("dns-01");
            assertThat(after.expires()).isEqualTo(T.plus(DAY.multipliedBy(30)));
            assertThat(after.challenges()).extracting(AcmeChallenge::status)
                    .containsExactly(AcmeStatus.PROCESSING, AcmeStatus.VALID, AcmeStatus.PENDING);
            assertThat(after.challenges().get(1).validated()).isEqualTo(T.plusSeconds(5));

            // The sibling fails later: its own row records that, the authorization keeps its decision.
            assertThat(store.finishChallenge(failed("az-1-http"))).isTrue();
            assertThat(store.authorization("az-1").orElseThrow().status()).isEqualTo(AcmeStatus.VALID);
            assertThat(store.startChallenge("az-1-alpn", T)).isFalse(); // the authorization is no longer pending
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestDatabases.Kind.class)
    void aFailedChallengeInvalidatesItsAuthorizationButNotAnExpiredOne(TestDatabases.Kind kind) {
        try (Database db = TestDatabases.open(kind)) {
            JdbcAcmeStore store = new JdbcAcmeStore(db);
            long acct = store.createAccount(account("tp-a", T, null)).id();
            store.createOrder(order("o-1", acct, T, List.of(Identifier.dns("a.example"), Identifier.dns("b.example")),
                    List.of("az-1", "az-2")), List.of(authz("az-1", acct, Identifier.dns("a.example"), false),
                    authz("az-2", acct, Identifier.dns("b.example"), false)));

            store.startChallenge("az-1-http", T);
            assertThat(store.finishChallenge(failed("az-1-http"))).isTrue();
            assertThat(store.challenge("az-1-http").orElseThrow())
                    .satisfies(c -> assertThat(c.status()).isEqualTo(AcmeStatus.INVALID))
                    .satisfies(c -> assertThat(c.error()).contains("unauthorized"))
                    .satisfies(c -> assertThat(c.validated()).isNull());
            assertThat(store.authorization("az-1").orElseThrow().status()).isEqualTo(AcmeStatus.INVALID);

            // Validation that ends after the authorization expired leaves it pending, which reads as expired.
            store.startChallenge("az-2-http", T);
            Instant late = T.plus(DAY.multipliedBy(8));
            assertThat(store.finishChallenge(new ChallengeResult("az-2-http", true, null, late, late.plus(DAY)))).isTrue();
            AcmeAuthorization expired = store.authorization("az-2").orElseThrow();
            assertThat(expired.status()).isEqualTo(AcmeStatus.PENDING);
            assertThat(expired.statusAt(late)).isEqualTo(AcmeStatus.EXPIRED);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestDatabases.Kind.class)
    void validAuthorizationsAreReusedAndProveControlUntilTheyExpire(TestDatabases.Kind kind) {
        try (Database db = TestDatabases.open(kind)) {
            JdbcAcmeStore store = new JdbcAcmeStore(db);
            long acct = store.createAccount(account("tp-a", T, null)).id();
            long other = store.createAccount(account("tp-b", T, null)).id();
            store.createOrder(order("o-1", acct, T, List.of(Identifier.dns("a.example"), Identifier.dns("*.w.example"),
                    Identifier.dns("p.example")), List.of("az-a", "az-w", "az-p")),
                    List.of(authz("az-a", acct, Identifier.dns("a.example"), false),
                            authz("az-w", acct, Identifier.dns("w.example"), true),
                            authz("az-p", acct, Identifier.dns("p.example"), false)));
            validate(store, "az-a");
            validate(store, "az-w");
            Instant expires = T.plus(DAY.multipliedBy(30));

            assertThat(store.reusableAuthorization(acct, Identifier.dns("a.example"), false, T.plus(DAY)).orElseThrow())
                    .satisfies(a -> assertThat(a.id()).isEqualTo("az-a"))
                    .satisfies(a -> assertThat(a.challenges()).hasSize(3));
            assertThat(store.reusableAuthorization(acct, Identifier.dns("a.example"), false, expires)).isEmpty();
            assertThat(store.reusableAuthorization(acct, Identifier.dns("a.example"), true, T)).isEmpty();
            assertThat(store.reusableAuthorization(other, Identifier.dns("a.example"), false, T)).isEmpty();
            assertThat(store.reusableAuthorization(acct, Identifier.dns("p.example"), false, T)).isEmpty();

            assertThat(store.authorizedFor(acct, List.of(Identifier.dns("a.example"), Identifier.dns("*.w.example")), T)).isTrue();
            assertThat(store.authorizedFor(acct, List.of(Identifier.dns("w.example")), T)).isFalse();
            assertThat(store.authorizedFor(acct, List.of(Identifier.dns("a.example"), Identifier.dns("p.example")), T)).isFalse();
            assertThat(store.authorizedFor(acct, List.of(Identifier.dns("a.example")), expires)).isFalse();
            assertThat(store.authorizedFor(other, List.of(Identifier.dns("a.example")), T)).isFalse();
            assertThat(store.authorizedFor(acct, List.of(), T)).isFalse();

            assertThat(store.transitionAuthorization("az-a", AcmeStatus.VALID, AcmeStatus.DEACTIVATED)).isTrue();
            assertThat(store.transitionAuthorization("az-a", AcmeStatus.VALID, AcmeStatus.REVOKED)).isFalse();
            assertThat(store.reusableAuthorization(acct, Identifier.dns("a.example"), false, T)).isEmpty();
            assertThat(store.authorizedFor(acct, List.of(Identifier.dns("a.example")), T)).isFalse();
        }
    }

    // --- rate limits ---

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestDatabases.Kind.class)
    void aRateWindowCountsUpToItsLimit(TestDatabases.Kind kind) {
        try (Database db = TestDatabases.open(kind)) {
            JdbcAcmeStore store = new JdbcAcmeStore(db);
            Instant w1 = T;
            Instant w2 = T.plusSeconds(3600);
            assertThat(store.count("new-order:1", w1)).isZero();
            for (int i = 0; i < 3; i++) {
                assertThat(store.tryCount("new-order:1", w1, 3)).isTrue();
            }
            assertThat(store.tryCount("new-order:1", w1, 3)).isFalse();
            assertThat(store.count("new-order:1", w1)).isEqualTo(3);
            assertThat(store.tryCount("new-order:1", w2, 3)).isTrue();
            assertThat(store.tryCount("new-order:2", w1, 3)).isTrue();
            assertThat(store.tryCount("new-order:3", w1, 0)).isFalse();

            assertThat(store.purgeRateWindows(w2)).isEqualTo(3);
            assertThat(store.count("new-order:1", w1)).isZero();
            assertThat(store.count("new-order:1", w2)).isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestDatabases.Kind.class)
    void nodesCountingTogetherNeverOvershootTheLimit(TestDatabases.Kind kind) throws Exception {
        try (Database db = TestDatabases.open(kind)) {
            JdbcAcmeStore store = new JdbcAcmeStore(db);
            List<Object> perThread = race(8, () -> {
                int counted = 0;
                for (int i = 0; i < 10; i++) {
                    counted += store.tryCount("new-account:192.0.2.1", T, 10) ? 1 : 0;
                }
                return counted;
            });
            assertThat(perThread).allMatch(Integer.class::isInstance);
            assertThat(perThread.stream().mapToInt(Integer.class::cast).sum()).isEqualTo(10);
            assertThat(store.count("new-account:192.0.2.1", T)).isEqualTo(10);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestDatabases.Kind.class)
    void operatorsOverrideLimitsPerBucket(TestDatabases.Kind kind) {
        try (Database db = TestDatabases.open(kind)) {
            JdbcAcmeStore store = new JdbcAcmeStore(db);
            assertThat(store.rateOverride("b")).isEmpty();
            store.setRateOverride("b", 5);
            store.setRateOverride("a", 1);
            store.setRateOverride("b", 50);
            assertThat(store.rateOverride("b")).contains(50L);
            assertThat(store.rateOverrides()).isEqualTo(Map.of("a", 1L, "b", 50L));
            assertThat(store.removeRateOverride("b")).isTrue();
            assertThat(store.removeRateOverride("b")).isFalse();
            assertThat(store.rateOverrides()).containsOnlyKeys("a");
        }
    }

    // --- ARI ---

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestDatabases.Kind.class)
    void renewEarlyMarksCoverOneCertificateOrAllIssuedBeforeThem(TestDatabases.Kind kind) {
        try (Database db = TestDatabases.open(kind)) {
            JdbcAcmeStore store = new JdbcAcmeStore(db);
            Instant issued = T.minus(DAY.multipliedBy(10));
            assertThat(store.renewEarlySince("issuing", "0a", issued)).isEmpty();

            store.markRenewEarly("issuing", "0a", T, "key compromise suspected");
            store.markRenewEarly("issuing", null, T.plus(DAY), "CA rollover");
            store.markRenewEarly("other", null, T.plus(DAY.multipliedBy(2)), null);

            assertThat(store.renewEarlySince("issuing", "0a", issued)).contains(T.plus(DAY));
            assertThat(store.renewEarlySince("issuing", "0b", issued)).contains(T.plus(DAY));
            assertThat(store.renewEarlySince("issuing", "0a", T.plus(DAY.multipliedBy(2)))).contains(T);
            assertThat(store.renewEarlySince("issuing", "0b", T.plus(DAY.multipliedBy(2)))).isEmpty();
            assertThat(store.renewEarlySince("third", "0a", issued)).isEmpty();
        }
    }

    // --- test data ---

    static AcmeAccount account(String thumbprint, Instant createdAt, String eabKid) {
        return new AcmeAccount(0, thumbprint, "{\"kty\":\"OKP\",\"x\":\"" + thumbprint + "\"}", AcmeStatus.VALID,
                List.of("mailto:" + thumbprint + "@example.com", "mailto:ops@example.com"), true, eabKid, createdAt);
    }

    static EabKey eab(String kid, Instant createdAt) {
        return new EabKey(kid, new byte[] {1, 2, 3, 4}, createdAt, "admin", null, false);
    }

    /** A pending authorization, expiring a week after {@link #T}, with http-01, dns-01 and tls-alpn-01 challenges. */
    private static AcmeAuthorization authz(String id, long accountId, Identifier identifier, boolean wildcard) {
        List<AcmeChallenge> challenges = List.of(
                new AcmeChallenge(id + "-http", id, "http-01", "tok-" + id + "-1", AcmeStatus.PENDING, null, null),
                new AcmeChallenge(id + "-dns", id, "dns-01", "tok-" + id + "-2", AcmeStatus.PENDING, null, null),
                new AcmeChallenge(id + "-alpn", id, "tls-alpn-01", "tok-" + id + "-3", AcmeStatus.PENDING, null, null));
        return new AcmeAuthorization(id, accountId, identifier, wildcard, AcmeStatus.PENDING, T.plus(DAY.multipliedBy(7)),
                null, null, challenges);
    }

    private static AcmeOrder order(String id, long accountId, Instant createdAt, List<Identifier> identifiers,
                                   List<String> authzIds) {
        return new AcmeOrder(id, accountId, AcmeStatus.PENDING, createdAt.plus(DAY.multipliedBy(7)), identifiers,
                T, T.plus(DAY.multipliedBy(90)), "tls-server", null, authzIds, null, null, null, createdAt);
    }

    private static AcmeOrder replacing(String id, long accountId, String certId) {
        return new AcmeOrder(id, accountId, AcmeStatus.PENDING, T.plus(DAY.multipliedBy(7)),
                List.of(Identifier.dns("r.example")), null, null, "tls-server", certId, List.of(id + "-az"), null, null,
                null, T);
    }

    /** Places a one-identifier order with its own new authorization {@code <id>-az}. */
    private static void placeOrder(JdbcAcmeStore store, String id, long accountId, Instant createdAt) {
        Identifier name = Identifier.dns(id + ".example");
        store.createOrder(order(id, accountId, createdAt, List.of(name), List.of(id + "-az")),
                List.of(authz(id + "-az", accountId, name, false)));
    }

    private static void validate(JdbcAcmeStore store, String authzId) {
        assertThat(store.startChallenge(authzId + "-dns", T)).isTrue();
        assertThat(store.finishChallenge(ok(authzId + "-dns"))).isTrue();
    }

    private static ChallengeResult ok(String challengeId) {
        return new ChallengeResult(challengeId, true, null, T.plusSeconds(5), T.plus(DAY.multipliedBy(30)));
    }

    private static ChallengeResult failed(String challengeId) {
        return new ChallengeResult(challengeId, false, "{\"type\":\"urn:ietf:params:acme:error:unauthorized\"}",
                T.plusSeconds(6), null);
    }

    // --- races ---

    /** Runs {@code task} on {@code threads} threads released together; each result or thrown exception. */
    static List<Object> race(int threads, Callable<?> task) throws Exception {
        List<Callable<Object>> tasks = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            tasks.add(task::call);
        }
        return raceEach(tasks);
    }

    static List<Object> raceEach(List<Callable<Object>> tasks) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
        try {
            CountDownLatch ready = new CountDownLatch(tasks.size());
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Object>> futures = new ArrayList<>();
            for (Callable<Object> task : tasks) {
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    try {
                        return task.call();
                    } catch (RuntimeException e) {
                        return e;
                    }
                }));
            }
            ready.await();
            go.countDown();
            List<Object> out = new ArrayList<>();
            for (Future<Object> f : futures) {
                out.add(f.get(60, TimeUnit.SECONDS));
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }
}
