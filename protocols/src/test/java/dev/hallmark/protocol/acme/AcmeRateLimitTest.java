package dev.hallmark.protocol.acme;

import static dev.hallmark.protocol.acme.AcmeJwsSupport.assertProblem;
import static dev.hallmark.protocol.acme.AcmeJwsSupport.dnsOrder;
import static dev.hallmark.protocol.acme.AcmeServerSupport.ecKey;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hallmark.protocol.acme.AcmeJwsSupport.Answer;
import dev.hallmark.protocol.acme.AcmeServerSupport.Counts;
import dev.hallmark.server.Listener;
import dev.hallmark.server.ServerRuntime;
import java.security.KeyPair;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.shredzone.acme4j.Account;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Http01Challenge;

/**
 * RELIABILITY T08: per-account new orders, per-domain new orders and failed validations are limited with 429
 * {@code rateLimited} and {@code Retry-After}; the counters live in the database, so a restarted node (a new runtime
 * over the same database) still refuses; an override set through the store (as {@code hallmark acme rate-limit}
 * does) raises a limit at once. Nothing is stored for a refused request.
 */
class AcmeRateLimitTest {
    private AcmeServerSupport acme;

    @BeforeEach
    void start() {
        acme = AcmeServerSupport.start("  rateLimits: {newOrdersPerAccount: 2, newOrdersPerDomain: 3,"
                + " newAccountsPerIp: 10000, failedValidationsPerAccount: 1}\n");
    }

    @AfterEach
    void stop() {
        acme.close();
    }

    @Test
    void newOrdersPerAccountAreLimitedAcrossARestartUntilOverridden() throws Exception {
        KeyPair key = ecKey();
        String kid = acme.newAccount(key).getLocation().toString();
        assertThat(acme.jws.postKid(key, kid, "/acme/new-order", dnsOrder("a.limit-account.test")).status()).isEqualTo(201);
        assertThat(acme.jws.postKid(key, kid, "/acme/new-order", dnsOrder("b.limit-other.test")).status()).isEqualTo(201);
        Counts before = acme.counts();
        assertRateLimited(acme.jws.postKid(key, kid, "/acme/new-order", dnsOrder("c.limit-third.test")));
        assertThat(acme.counts()).isEqualTo(before);

        // A restart of the node: the same data directory and database, a new runtime on new ports.
        acme.server.runtime.close();
        try (ServerRuntime again = acme.server.startAgain()) {
            AcmeJwsSupport restarted = acme.jws.onPort(again.server().port(Listener.HTTPS));
            String kidAgain = kid.replaceFirst(":\\d+/", ":" + again.server().port(Listener.HTTPS) + "/");
            assertRateLimited(restarted.postKid(key, kidAgain, "/acme/new-order", dnsOrder("c.limit-third.test")));
            assertThat(acme.counts()).isEqualTo(before);

            String account = kid.substring(kid.lastIndexOf('/') + 1);
            acme.store.setRateOverride("account:" + account + ":orders", 3);
            assertThat(restarted.postKid(key, kidAgain, "/acme/new-order", dnsOrder("c.limit-third.test")).status())
                    .as("the override applies at once").isEqualTo(201);
        }
    }

    @Test
    void newOrdersPerRegisteredDomainAreLimitedAcrossAccounts() throws Exception {
        for (int i = 0; i < 3; i++) {
            KeyPair key = ecKey();
            String kid = acme.newAccount(key).getLocation().toString();
            assertThat(acme.jws.postKid(key, kid, "/acme/new-order", dnsOrder("n" + i + ".shared-domain.test")).status())
                    .isEqualTo(201);
        }
        KeyPair key = ecKey();
        String kid = acme.newAccount(key).getLocation().toString();
        Counts before = acme.counts();
        assertRateLimited(acme.jws.postKid(key, kid, "/acme/new-order", dnsOrder("www.n9.shared-domain.test")));
        assertThat(acme.counts()).isEqualTo(before);
    }

    @Test
    void anAccountOverItsFailedValidationLimitCannotStartAnotherValidation() throws Exception {
        KeyPair key = ecKey();
        Account account = acme.newAccount(key);
        // One failed validation: the http-01 answer is wrong.
        Order first = account.newOrder().domain("fail-1.limit-va.test").create();
        Authorization auth = first.getAuthorizations().get(0);
        acme.dns.addA("fail-1.limit-va.test.", "127.0.0.1");
        Http01Challenge c = auth.findChallenge(Http01Challenge.class).orElseThrow();
        acme.http01.put(c.getToken(), c.getToken() + ".wrong");
        c.trigger();
        assertThat(AcmeServerSupport.await(c, c::getStatus)).isEqualTo(Status.INVALID);

        Order second = account.newOrder().domain("fail-2.limit-va.test").create();
        Http01Challenge next = second.getAuthorizations().get(0).findChallenge(Http01Challenge.class).orElseThrow();
        assertRateLimited(acme.jws.postKid(key, account.getLocation().toString(), next.getLocation().toString(), "{}"));
        next.fetch();
        assertThat(next.getStatus()).as("the refused challenge was not started").isEqualTo(Status.PENDING);
    }

    private static void assertRateLimited(Answer a) {
        assertProblem(a, 429, "rateLimited");
        assertThat(a.headers().firstValue("Retry-After")).hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isPositive());
    }
}
