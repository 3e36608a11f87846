package dev.hallmark.protocol.acme;

import static dev.hallmark.protocol.acme.AcmeJwsSupport.assertProblem;
import static dev.hallmark.protocol.acme.AcmeJwsSupport.b64;
import static dev.hallmark.protocol.acme.AcmeJwsSupport.csr;
import static dev.hallmark.protocol.acme.AcmeServerSupport.ecKey;
import static dev.hallmark.protocol.acme.AcmeServerSupport.id;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hallmark.authority.CertificateRecord;
import dev.hallmark.protocol.acme.AcmeJwsSupport.Answer;
import dev.hallmark.db.testing.TestDatabases;
import dev.hallmark.protocol.acme.AcmeServerSupport.Counts;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.shredzone.acme4j.Account;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.TlsAlpn01Challenge;

/**
 * RELIABILITY "operations are idempotent and race-free": the same state change fired {@link #PARALLEL} times at once
 * (each request correctly signed with its own nonce, all released together) happens exactly once — one certificate
 * per order (T11), one validation per challenge, one revocation per certificate (T41), one replacement per
 * certificate (RFC 9773 §5) — and every other request gets the protocol's answer for "already done".
 */
class AcmeConcurrencyTest {
    static final int PARALLEL = 8;
    /** One server per database engine, started when first used: locking differs between H2 and PostgreSQL. */
    static final Map<TestDatabases.Kind, AcmeServerSupport> SERVERS = new EnumMap<>(TestDatabases.Kind.class);

    @AfterAll
    static void stop() {
        SERVERS.values().forEach(AcmeServerSupport::close);
        SERVERS.clear();
    }

    static AcmeServerSupport server(TestDatabases.Kind kind) {
        return SERVERS.computeIfAbsent(kind, k -> AcmeServerSupport.start("", k));
    }

    /** Signs {@link #PARALLEL} requests to {@code url} (payload by index), then sends them all at the same instant. */
    static List<Answer> fire(AcmeJwsSupport jws, KeyPair key, String kid, String url, Function<Integer, String> payload)
            throws Exception {
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < PARALLEL; i++) {
            bodies.add(jws.body(key, kid, jws.nonce(), url, payload.apply(i)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(PARALLEL);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Answer>> sent = new ArrayList<>();
            for (String body : bodies) {
                sent.add(pool.submit(() -> {
                    go.await();
                    return jws.post(url, body);
                }));
            }
            go.countDown();
            List<Answer> answers = new ArrayList<>();
            for (Future<Answer> f : sent) {
                answers.add(f.get(30, TimeUnit.SECONDS));
            }
            return answers;
        } finally {
            pool.shutdownNow();
        }
    }

    static List<Answer> withStatus(List<Answer> answers, int status) {
        return answers.stream().filter(a -> a.status() == status).toList();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestDatabases.Kind.class)
    void parallelFinalizesOfOneOrderIssueOneCertificate(TestDatabases.Kind kind) throws Exception {
        AcmeServerSupport acme = server(kind);
        KeyPair key = ecKey();
        Account account = acme.newAccount(key);
        Order order = acme.readyOrder(account, "finalize.race.test");
        Counts before = acme.counts();

        List<Answer> answers = fire(acme.jws, key, account.getLocation().toString(), order.getFinalizeLocation().toString(),
                i -> "{\"csr\":\"" + b64(csr(ecKey(), List.of("finalize.race.test"))) + "\"}");

        assertThat(withStatus(answers, 200)).as("finalizes that issued").hasSize(1);
        answers.stream().filter(a -> a.status() != 200).forEach(a -> assertProblem(a, 403, "orderNotReady"));
        List<CertificateRecord> issued = acme.certificatesFor("finalize.race.test");
        assertThat(issued).hasSize(1);
        AcmeOrder stored = acme.store.order(id(order.getLocation())).orElseThrow();
        assertThat(stored.status()).isEqualTo(AcmeStatus.VALID);
        assertThat(stored.certSerial()).isEqualTo(issued.get(0).serial().hex());
        Counts after = acme.counts();
        assertThat(after.serials()).as("no serial reserved by a loser").isEqualTo(before.serials() + 1);
        assertThat(after.certificates()).isEqualTo(before.certificates() + 1);
        assertThat(after.orders()).isEqualTo(before.orders());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestDatabases.Kind.class)
    void parallelChallengePostsValidateOnce(TestDatabases.Kind kind) throws Exception {
        AcmeServerSupport acme = server(kind);
        KeyPair key = ecKey();
        Account account = acme.newAccount(key);
        acme.dns.addA("challenge.race.test.", "127.0.0.1");
        Order order = account.newOrder().domain("challenge.race.test").create();
        Authorization auth = order.getAuthorizations().get(0);
        TlsAlpn01Challenge c = acme.presentTlsAlpn01(auth);
        acme.tlsAlpn.delay(Duration.ofMillis(300)); // the validation is still running when every POST arrives
        try {
            List<Answer> answers = fire(acme.jws, key, account.getLocation().toString(), c.getLocation().toString(), i -> "{}");

            assertThat(answers).allSatisfy(a -> {
                assertThat(a.status()).as(a.body()).isEqualTo(200);
                assertThat(a.json().path("status").asText()).isIn("processing", "valid");
            });
            assertThat(AcmeServerSupport.await(auth, auth::getStatus)).isEqualTo(Status.VALID);
        } finally {
            acme.tlsAlpn.delay(Duration.ZERO);
        }
        assertThat(acme.tlsAlpn.handshakes()).filteredOn("challenge.race.test"::equals).as("handshakes the validator made")
                .hasSize(1);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestDatabases.Kind.class)
    void parallelRevocationsOfOneCertificateSucceedOnce(TestDatabases.Kind kind) throws Exception {
        AcmeServerSupport acme = server(kind);
        KeyPair key = ecKey();
        Account account = acme.newAccount(key);
        byte[] der = acme.issue(account, "revoke.race.test").getCertificate().getEncoded();
        Counts before = acme.counts();

        List<Answer> answers = fire(acme.jws, key, account.getLocation().toString(), acme.jws.url("/acme/revoke-cert"),
                i -> "{\"certificate\":\"" + b64(der) + "\",\"reason\":4}");

        assertThat(withStatus(answers, 200)).as("revocations acknowledged").hasSize(1);
        answers.stream().filter(a -> a.status() != 200).forEach(a -> assertProblem(a, 400, "alreadyRevoked"));
        assertThat(acme.counts().revoked()).isEqualTo(before.revoked() + 1);
        assertThat(acme.certificatesFor("revoke.race.test").get(0).revokedAt()).isNotNull();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestDatabases.Kind.class)
    void parallelReplacementsOfOneCertificateAreAcceptedOnce(TestDatabases.Kind kind) throws Exception {
        AcmeServerSupport acme = server(kind);
        KeyPair key = ecKey();
        Account account = acme.newAccount(key);
        acme.issue(account, "replace.race.test");
        String certId = Ari.certId(acme.certificatesFor("replace.race.test").get(0));
        Counts before = acme.counts();

        List<Answer> answers = fire(acme.jws, key, account.getLocation().toString(), acme.jws.url("/acme/new-order"),
                i -> "{\"identifiers\":[{\"type\":\"dns\",\"value\":\"replace.race.test\"}],\"replaces\":\"" + certId + "\"}");

        assertThat(withStatus(answers, 201)).as("replacing orders created").hasSize(1);
        answers.stream().filter(a -> a.status() != 201).forEach(a -> assertProblem(a, 409, "alreadyReplaced"));
        assertThat(acme.counts().orders()).isEqualTo(before.orders() + 1);
    }
}
