package dev.hallmark.protocol.acme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.shredzone.acme4j.Account;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Http01Challenge;
import org.shredzone.acme4j.exception.AcmeServerException;

/**
 * CAA (RFC 8659) with the RFC 8657 parameters, end to end with acme4j: {@code accounturi} names the ordering account's
 * URL and {@code validationmethods} the challenge used, both at validation and at finalize's recheck of CAA results
 * older than 8 hours (which uses the method the authorization was validated with).
 */
class AcmeCaaFlowTest {
    private static final String CA = "ca.hallmark.test";
    static AcmeServerSupport acme;

    @BeforeAll
    static void start() {
        acme = AcmeServerSupport.startWithCaa(CA);
    }

    @AfterAll
    static void stop() {
        if (acme != null) {
            acme.close();
        }
    }

    @Test
    void accountUriAdmitsTheNamedAccountOnly() throws Exception {
        Account owner = acme.newAccount();
        Account other = acme.newAccount();
        acme.dns.addCaa("pinned.caa.test.", 0, "issue", CA + "; accounturi=" + owner.getLocation());

        assertThat(acme.issue(owner, "pinned.caa.test")).isNotNull();

        Order order = other.newOrder().domain("pinned.caa.test").create();
        assertThat(failedValidation(order)).contains("urn:ietf:params:acme:error:caa");
    }

    @Test
    void validationMethodsAdmitTheListedChallengesOnly() throws Exception {
        Account account = acme.newAccount();
        acme.dns.addCaa("dns-only.caa.test.", 0, "issue", CA + "; validationmethods=dns-01");
        Order order = account.newOrder().domain("dns-only.caa.test").create();
        assertThat(failedValidation(order)).contains("urn:ietf:params:acme:error:caa");

        acme.dns.addCaa("http-ok.caa.test.", 0, "issue", CA + "; validationmethods=dns-01,http-01");
        assertThat(acme.issue(account, "http-ok.caa.test")).isNotNull();
    }

    @Test
    void finalizeRechecksStaleCaaWithTheMethodTheAuthorizationUsed() throws Exception {
        Account account = acme.newAccount();
        acme.dns.addCaa("recheck.caa.test.", 0, "issue", CA + "; validationmethods=http-01");
        Order order = acme.readyOrder(account, "recheck.caa.test");
        // The domain owner restricts issuance to dns-01 after the http-01 validation; 9 hours later the recheck sees it.
        acme.dns.remove("recheck.caa.test.");
        acme.dns.addA("recheck.caa.test.", "127.0.0.1");
        acme.dns.addCaa("recheck.caa.test.", 0, "issue", CA + "; validationmethods=dns-01");
        acme.server.pki.clock.advance(Duration.ofHours(9));
        AcmeServerSupport.Counts before = acme.counts();
        assertThatThrownBy(() -> order.execute(AcmeServerSupport.ecKey()))
                .isInstanceOfSatisfying(AcmeServerException.class,
                        e -> assertThat(e.getType().toString()).isEqualTo("urn:ietf:params:acme:error:caa"));
        assertThat(acme.counts()).isEqualTo(before);
        order.fetch();
        assertThat(order.getStatus()).as("nothing was signed; the order stays ready").isEqualTo(Status.READY);
    }

    /** Answers http-01 for the order's one authorization and returns the challenge's error type. */
    private static String failedValidation(Order order) throws Exception {
        Authorization auth = order.getAuthorizations().get(0);
        acme.dns.addA(auth.getIdentifier().getValue() + ".", "127.0.0.1");
        Http01Challenge c = auth.findChallenge(Http01Challenge.class).orElseThrow();
        acme.http01.put(c.getToken(), c.getAuthorization());
        c.trigger();
        assertThat(AcmeServerSupport.await(c, c::getStatus)).isEqualTo(Status.INVALID);
        return c.getError().map(p -> p.getType().toString()).orElse("");
    }
}
