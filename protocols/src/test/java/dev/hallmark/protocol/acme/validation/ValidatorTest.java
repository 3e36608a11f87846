package dev.hallmark.protocol.acme.validation;

import static dev.hallmark.protocol.acme.validation.Http01Test.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hallmark.authority.Identifier;
import dev.hallmark.protocol.acme.testing.TestChallenge;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The {@link Validator} contract: refusals before any network use, the outcome record, threads and shutdown. */
class ValidatorTest {
    @RegisterExtension
    final VaHarness va = new VaHarness();
    private final TestChallenge challenge = TestChallenge.random();

    @ParameterizedTest(name = "{0} {1} (wildcard={2}) is {3}")
    @CsvSource({
            "http-01,     dns,   true,  malformed",
            "tls-alpn-01, dns,   true,  malformed",
            "dns-01,      ip,    false, malformed",
            "http-01,     ip,    true,  malformed",
            "http-02,     dns,   false, malformed",
            "http-01,     email, false, rejectedIdentifier",
            "http-01,     uri,   false, rejectedIdentifier"})
    void impossibleCombinationsAreRefusedWithoutAnyLookup(String type, String idType, boolean wildcard,
                                                           String problem) {
        Identifier id = switch (idType) {
            case "dns" -> Identifier.dns("example.test");
            case "ip" -> Identifier.ip("192.0.2.1");
            case "email" -> new Identifier(Identifier.Type.EMAIL, "a@example.test");
            default -> new Identifier(Identifier.Type.URI, "https://example.test/");
        };
        CompletableFuture<Validator.Outcome> f = va.validator().validate(
                new Validator.Attempt(id, wildcard, type, challenge.token(), challenge.keyAuthorization()));

        assertThat(f).isDone();
        assertInvalid(f.join(), problem);
        assertThat(va.dns.queries()).isEmpty();
    }

    @ParameterizedTest(name = "token \"{0}\" / key authorization \"{1}\" is malformed")
    @CsvSource({
            "'../../etc/passwd', '../../etc/passwd.abc'",
            "'tok en',           'tok en.abc'",
            "'abc',              'abc'",
            "'abc',              'xyz.abc'",
            "'abc',              'abc.def ghi'"})
    void badTokensAreMalformed(String token, String keyAuthorization) {
        Validator.Outcome outcome = VaHarness.await(va.validator().validate(new Validator.Attempt(
                Identifier.dns("example.test"), false, "http-01", token, keyAuthorization)));

        assertInvalid(outcome, "malformed");
        assertThat(va.http.requests()).isEmpty();
    }

    @Test
    void invalidDnsNameIsRejectedIdentifier() {
        Validator.Outcome outcome = va.validate("http-01", "a..b.example", challenge);

        assertInvalid(outcome, "rejectedIdentifier");
    }

    @Test
    void workRunsOnNamedDaemonThreads() throws Exception {
        va.dns.addTxt("_acme-challenge.example.test", challenge.dnsTxt());
        AtomicReference<Thread> thread = new AtomicReference<>();
        // The pool's threads are looked up by name: a callback attached to a future that already completed runs on
        // the caller's thread, so it cannot tell which thread did the work (that raced in CI).
        java.util.concurrent.CompletableFuture<Validator.Outcome> f = va.validator().validate(new Validator.Attempt(
                Identifier.dns("example.test"), false, "dns-01", challenge.token(), challenge.keyAuthorization()));
        f.get(20, TimeUnit.SECONDS);
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().matches("hallmark-acme-va-\\d+")) {
                thread.set(t);
            }
        }
        assertThat(thread.get()).as("a validator pool thread").isNotNull();
        assertThat(thread.get().isDaemon()).isTrue();
    }

    @Test
    void closeFailsOutstandingAttemptsAndRefusesNewOnes() {
        va.dns.addA("stall.example.test", "127.0.0.1");
        va.http.stall(challenge.token());
        CompletableFuture<Validator.Outcome> running = va.validator().validate(new Validator.Attempt(
                Identifier.dns("stall.example.test"), false, "http-01", challenge.token(),
                challenge.keyAuthorization()));

        va.validator().close();

        assertThatThrownBy(() -> running.get(20, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(RejectedExecutionException.class);
        CompletableFuture<Validator.Outcome> late = va.validator().validate(new Validator.Attempt(
                Identifier.dns("stall.example.test"), false, "http-01", challenge.token(),
                challenge.keyAuthorization()));
        assertThatThrownBy(() -> late.get(20, TimeUnit.SECONDS)).hasCauseInstanceOf(RejectedExecutionException.class);
    }

    @Test
    void fullQueueRejectsAtOnceInsteadOfQueueingWithoutBound() {
        va.reconfigure(va.settings().withThreads(1));
        va.dns.addA("stall.example.test", "127.0.0.1");
        va.http.stall(challenge.token());
        Validator.Attempt stalling = new Validator.Attempt(Identifier.dns("stall.example.test"), false, "http-01",
                challenge.token(), challenge.keyAuthorization());
        List<CompletableFuture<Validator.Outcome>> accepted = new java.util.ArrayList<>();
        for (int i = 0; i < 1 + Validator.queueCapacity(1); i++) {
            accepted.add(va.validator().validate(stalling));
        }

        CompletableFuture<Validator.Outcome> overflow = va.validator().validate(stalling);

        assertThat(overflow).isCompletedExceptionally();
        assertThatThrownBy(overflow::join).hasCauseInstanceOf(RejectedExecutionException.class);
        // The accepted ones all end by their deadline: the running one invalid, the queued ones invalid or, if
        // they never got the thread, rejected as VA overload. None is ever valid.
        for (CompletableFuture<Validator.Outcome> f : accepted) {
            CompletableFuture<Validator.Outcome> settled = f.handle((outcome, error) -> {
                if (error != null) {
                    assertThat(error).isInstanceOf(RejectedExecutionException.class);
                    return null;
                }
                assertThat(outcome.valid()).isFalse();
                return outcome;
            });
            VaHarness.await(settled);
        }
        assertInvalid(accepted.get(0).join(), "connection");
    }

    @Test
    void defaultSettingsStartWithTheSystemResolver() {
        try (Validator validator = new Validator(ValidationSettings.defaults())) {
            CompletableFuture<Validator.Outcome> f = validator.checkCaa(Identifier.dns("example.test"), false);
            assertThat(f.join().valid()).isTrue(); // CAA is off by default: no lookup at all
        }
    }

    @Test
    void ipv6IdentifierIsParsedAndCheckedAgainstTheDenyList() {
        va.reconfigure(va.settings().withDenyNetworks(List.of(Network.parse("2001:db8::/32"))));

        Validator.Outcome outcome = va.validate("http-01", Identifier.ip("2001:db8::1"), false, challenge);

        assertInvalid(outcome, "connection");
        assertThat(outcome.detail()).contains("2001:db8::1 is in a denied network");
    }

    @Test
    void outcomeKeepsItsInvariants() {
        assertThat(Validator.Outcome.ok(List.of("192.0.2.1:80")).problemUrn()).isNull();
        assertThat(Validator.Outcome.fail("dns", "x").problemUrn()).isEqualTo("urn:ietf:params:acme:error:dns");
        assertThat(Validator.Outcome.fail("tls", "line one\r\nline two").detail()).isEqualTo("line one line two");
        assertThat(Validator.Outcome.fail("tls", "y".repeat(5000)).detail()).hasSizeLessThan(600);
        assertThatThrownBy(() -> Validator.Outcome.fail("serverInternal", "x"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Validator.Outcome(true, "dns", "x", List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void quotedRemoteTextCannotBreakALine() {
        assertThat(ValidationFailure.quoted("ok\n\"evil\"\u0000\u00e9\u4e2d", 64))
                .isEqualTo("\"ok\\x0a\\x22evil\\x22\\x00\\xe9\\u4e2d\"");
        assertThat(ValidationFailure.quoted("x".repeat(100), 10)).isEqualTo("\"xxxxxxxxxx...\"");
    }
}
