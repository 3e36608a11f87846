package dev.hallmark.protocol.acme.validation;

import static dev.hallmark.protocol.acme.validation.Http01Test.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hallmark.authority.Identifier;
import dev.hallmark.protocol.acme.testing.TestChallenge;
import dev.hallmark.protocol.acme.testing.TlsAlpn01Server.Defect;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * T21 (RELIABILITY.md §C): validation targets that misbehave. Each attempt must end with {@code valid == false}
 * by itself (the deadline or a read cap), never hang a thread, and never stop other validations. The assertions
 * are about completion and problem types, never about how long anything took.
 */
class HostileTargetsTest {
    private static final String NAME = "hostile.example.test";

    @RegisterExtension
    final VaHarness va = new VaHarness().withLoopbackName(NAME);
    private final TestChallenge challenge = TestChallenge.random();

    @Test
    void slowlorisBodyEndsAtTheDeadlineWithConnection() {
        va.http.drip(challenge.token(), challenge.keyAuthorization(), Duration.ofMillis(200));

        Validator.Outcome outcome = va.validate("http-01", NAME, challenge);

        assertInvalid(outcome, "connection");
        assertThat(outcome.detail()).contains("timed out");
    }

    @Test
    void responseHeadersThatNeverComeEndAtTheDeadline() {
        va.http.stall(challenge.token());

        assertInvalid(va.validate("http-01", NAME, challenge), "connection");
    }

    @Test
    void endlessBodyIsCutAtTheReadCap() {
        va.http.endless(challenge.token());

        Validator.Outcome outcome = va.validate("http-01", NAME, challenge);

        assertInvalid(outcome, "unauthorized");
        assertThat(outcome.detail()).contains(String.valueOf(HttpExchange.MAX_BODY));
    }

    @Test
    void tlsHandshakeStallEndsAtTheDeadline() {
        va.tls.put(Identifier.dns(NAME), challenge.keyAuthorization(), Defect.STALL_HANDSHAKE);

        assertInvalid(va.validate("tls-alpn-01", NAME, challenge), "connection");
    }

    @Test
    void tenThousandRecordAnswerIsDns() {
        va.dns.setBig("big.example.test", 10_000);

        assertInvalid(va.validate("http-01", "big.example.test", challenge), "dns");
    }

    @Test
    void cnameLoopIsDns() {
        va.dns.addCname("_acme-challenge.loop.example.test", "a.loop.example.test")
                .addCname("a.loop.example.test", "_acme-challenge.loop.example.test");

        assertInvalid(va.validate("dns-01", "loop.example.test", challenge), "dns");
    }

    @Test
    void redirectLoopIsConnection() {
        va.http.redirect(challenge.token(), "/a");
        va.http.redirectPath("/a", "/b");
        va.http.redirectPath("/b", "/a");

        Validator.Outcome outcome = va.validate("http-01", NAME, challenge);

        assertInvalid(outcome, "connection");
        assertThat(outcome.detail()).contains("loop");
    }

    @Test
    void deniedNetworkIsRefusedBeforeConnecting() {
        va.reconfigure(va.settings().withDenyNetworks(List.of(Network.parse("169.254.0.0/16"),
                Network.parse("fe80::/10"))));
        va.dns.addA("metadata.example.test", "169.254.169.254");
        va.dns.addAAAA("linklocal.example.test", "fe80::1");

        for (String name : List.of("metadata.example.test", "linklocal.example.test")) {
            Validator.Outcome outcome = va.validate("http-01", name, challenge);
            assertInvalid(outcome, "connection");
            assertThat(outcome.detail()).contains("is in a denied network");
            assertThat(outcome.addresses()).isEmpty();
        }
    }

    @Test
    void deniedIpIdentifierIsRefused() {
        va.reconfigure(va.settings().withDenyNetworks(Network.SPECIAL_PURPOSE));
        va.http.put(challenge.token(), challenge.keyAuthorization());

        Validator.Outcome outcome = va.validate("http-01", Identifier.ip("127.0.0.1"), false, challenge);

        assertInvalid(outcome, "connection");
        assertThat(va.http.requests()).isEmpty();
    }

    @Test
    void otherValidationsProceedWhileOneStalls() {
        va.reconfigure(va.settings().withThreads(3).withTimeout(Duration.ofSeconds(5)));
        TestChallenge stalled = TestChallenge.random();
        va.http.stall(stalled.token());
        CompletableFuture<Validator.Outcome> stalling = va.validator().validate(new Validator.Attempt(
                Identifier.dns(NAME), false, "http-01", stalled.token(), stalled.keyAuthorization()));

        List<CompletableFuture<Validator.Outcome>> others = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            TestChallenge c = TestChallenge.random();
            String type = i % 2 == 0 ? "http-01" : "dns-01";
            if (type.equals("http-01")) {
                va.http.put(c.token(), c.keyAuthorization());
            } else {
                va.dns.addTxt("_acme-challenge.n" + i + ".example.test", c.dnsTxt());
            }
            String name = type.equals("http-01") ? NAME : "n" + i + ".example.test";
            others.add(va.validator().validate(new Validator.Attempt(Identifier.dns(name), false, type, c.token(),
                    c.keyAuthorization())));
        }

        // All the others complete valid while the stalled one is still outstanding.
        for (CompletableFuture<Validator.Outcome> f : others) {
            Validator.Outcome o = VaHarness.await(f);
            assertThat(o.valid()).as(o.detail()).isTrue();
        }
        assertThat(stalling).isNotDone();
        assertInvalid(VaHarness.await(stalling), "connection");
    }
}
