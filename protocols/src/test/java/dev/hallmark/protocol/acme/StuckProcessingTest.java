package dev.hallmark.protocol.acme;

import static dev.hallmark.protocol.acme.AcmeJwsSupport.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hallmark.authority.CertificateRecord;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.security.KeyPair;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.shredzone.acme4j.Account;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Http01Challenge;

/**
 * Orders and challenges a stopped node left in {@code processing}: settled only after
 * {@link StuckProcessing#GRACE}, once (an order from its stored certificate, or invalid; a challenge invalid); and a
 * validation the validator refuses to start leaves its challenge pending with a 503. A node's crash is simulated by
 * writing the state it leaves behind.
 */
class StuckProcessingTest {
    private AcmeServerSupport acme;
    private StuckProcessing stuck;

    @BeforeEach
    void start() {
        acme = AcmeServerSupport.start("");
        // Only the store, the authority, the metrics and the clock are used to settle.
        stuck = new StuckProcessing(new AcmeServices(null, acme.store, AcmeAuthority.of(acme.server.pki.authority), null,
                null, null, new AcmeMetrics(new SimpleMeterRegistry()), acme.server.pki.clock));
    }

    @AfterEach
    void stop() {
        acme.close();
    }

    @Test
    void anOrderLeftProcessingAfterItsCertificateWasStoredBecomesValidWithIt() throws Exception {
        Account account = acme.newAccount();
        Order order = acme.readyOrder(account, "stuck-issued.example");
        acme.finalizeOrder(order, AcmeServerSupport.ecKey());
        String id = AcmeServerSupport.id(order.getLocation());
        CertificateRecord cert = acme.certificatesFor("stuck-issued.example").get(0);
        // The node stored the certificate, then stopped before the order was completed.
        acme.server.pki.database.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE acme_order SET status = 'processing',"
                    + " cert_issuer = NULL, cert_serial = NULL, processing_since = ? WHERE id = ?")) {
                ps.setObject(1, OffsetDateTime.ofInstant(acme.server.pki.clock.instant(), ZoneOffset.UTC));
                ps.setString(2, id);
                return ps.executeUpdate();
            }
        });
        assertThat(stuck.settle()).as("within the grace period").isZero();

        acme.server.pki.clock.advance(StuckProcessing.GRACE.plusMinutes(1));
        assertThat(stuck.settle()).isEqualTo(1);
        assertThat(stuck.settle()).as("settled once").isZero();

        AcmeOrder settled = acme.store.order(id).orElseThrow();
        assertThat(settled.status()).isEqualTo(AcmeStatus.VALID);
        assertThat(settled.certIssuer()).isEqualTo(cert.issuer());
        assertThat(settled.certSerial()).isEqualTo(cert.serial().hex());
        order.fetch();
        assertThat(order.getStatus()).isEqualTo(Status.VALID);
        assertThat(order.getCertificate().getCertificate().getSerialNumber()).isEqualTo(cert.serial().value());
    }

    @Test
    void anOrderLeftProcessingWithNoCertificateBecomesInvalidAndANewOrderReusesItsAuthorizations() throws Exception {
        Account account = acme.newAccount();
        Order order = acme.readyOrder(account, "stuck-lost.example");
        String id = AcmeServerSupport.id(order.getLocation());
        // The node began finalizing, then stopped before anything was stored.
        assertThat(acme.store.startProcessing(id, acme.server.pki.clock.instant())).isTrue();
        acme.server.pki.clock.advance(StuckProcessing.GRACE.minusSeconds(1));
        assertThat(stuck.settle()).as("within the grace period").isZero();
        AcmeServerSupport.Counts before = acme.counts();

        acme.server.pki.clock.advance(Duration.ofSeconds(2));
        assertThat(stuck.settle()).isEqualTo(1);

        order.fetch();
        assertThat(order.getStatus()).isEqualTo(Status.INVALID);
        assertThat(order.getError()).hasValueSatisfying(p ->
                assertThat(p.getType().toString()).isEqualTo("urn:ietf:params:acme:error:serverInternal"));
        assertThat(acme.counts()).as("nothing issued, nothing else changed").isEqualTo(before);

        Order again = account.newOrder().domain("stuck-lost.example").create();
        assertThat(again.getStatus()).as("the valid authorization is reused").isEqualTo(Status.READY);
        acme.finalizeOrder(again, AcmeServerSupport.ecKey());
        assertThat(acme.certificatesFor("stuck-lost.example")).hasSize(1);
    }

    @Test
    void aChallengeLeftProcessingBecomesInvalidWithItsAuthorization() throws Exception {
        Account account = acme.newAccount();
        Order order = account.newOrder().domain("stuck-va.example").create();
        Authorization auth = order.getAuthorizations().get(0);
        Http01Challenge challenge = auth.findChallenge(Http01Challenge.class).orElseThrow();
        String challengeId = AcmeServerSupport.id(challenge.getLocation());
        // The node began validating, then stopped.
        assertThat(acme.store.startChallenge(challengeId, acme.server.pki.clock.instant())).isTrue();
        assertThat(stuck.settle()).isZero();

        acme.server.pki.clock.advance(StuckProcessing.GRACE.plusSeconds(1));
        assertThat(stuck.settle()).isEqualTo(1);
        assertThat(stuck.settle()).isZero();

        challenge.fetch();
        assertThat(challenge.getStatus()).isEqualTo(Status.INVALID);
        assertThat(challenge.getError()).hasValueSatisfying(p ->
                assertThat(p.getType().toString()).isEqualTo("urn:ietf:params:acme:error:serverInternal"));
        auth.fetch();
        assertThat(auth.getStatus()).isEqualTo(Status.INVALID);
    }

    @Test
    void aValidationTheValidatorRefusesLeavesTheChallengePendingAndAnswers503() throws Exception {
        KeyPair key = AcmeServerSupport.ecKey();
        Account account = acme.newAccount(key);
        Order order = account.newOrder().domain("refused-va.example").create();
        Authorization auth = order.getAuthorizations().get(0);
        Http01Challenge challenge = auth.findChallenge(Http01Challenge.class).orElseThrow();
        acme.endpoint.close(); // the validator now refuses every attempt, as when its queue is full
        AcmeServerSupport.Counts before = acme.counts();

        AcmeJwsSupport.Answer a = assertProblem(acme.jws.postKid(key, account.getLocation().toString(),
                challenge.getLocation().toString(), "{}"), 503, "serverInternal");
        assertThat(a.headers().firstValue("Retry-After")).isPresent();
        assertThat(a.headers().firstValue("Replay-Nonce")).isPresent();
        assertThat(acme.store.challenge(AcmeServerSupport.id(challenge.getLocation())).orElseThrow().status())
                .isEqualTo(AcmeStatus.PENDING);
        assertThat(acme.counts()).isEqualTo(before);
        auth.fetch();
        assertThat(auth.getStatus()).isEqualTo(Status.PENDING);
    }
}
