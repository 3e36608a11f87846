package dev.hallmark.protocol.acme.validation;

import dev.hallmark.authority.Identifier;
import dev.hallmark.protocol.acme.testing.Http01Server;
import dev.hallmark.protocol.acme.testing.TestChallenge;
import dev.hallmark.protocol.acme.testing.TestDnsServer;
import dev.hallmark.protocol.acme.testing.TlsAlpn01Server;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The three test servers plus a {@link Validator} pointed at them: challenge ports are the servers' ports, DNS
 * is the test server, the deadline is {@link #DEADLINE} so hostile targets end quickly, the deny list is empty
 * (the servers live on loopback) unless a test sets one.
 *
 * <p>A test class holds one per test in an instance field, {@code @RegisterExtension final VaHarness va = new
 * VaHarness();}: JUnit makes a new test instance, so a new harness, for every test and closes it after each.
 */
final class VaHarness implements AutoCloseable, AfterEachCallback {
    /** Short, so the T21 cases finish quickly; long enough for a loaded CI machine to do a real handshake. */
    static final Duration DEADLINE = Duration.ofSeconds(2);
    /** How long a test waits for a future: only a guard against hanging, never a timing assertion. */
    private static final long GUARD_SECONDS = 20;

    final TestDnsServer dns = TestDnsServer.start();
    final Http01Server http = Http01Server.start();
    final TlsAlpn01Server tls = TlsAlpn01Server.start();
    private Validator validator;

    VaHarness() {
        this(s -> s);
    }

    VaHarness(UnaryOperator<ValidationSettings> customise) {
        validator = new Validator(customise.apply(settings()));
    }

    /** Has the test DNS server answer {@code name} with 127.0.0.1, where the challenge servers listen. */
    VaHarness withLoopbackName(String name) {
        dns.addA(name, "127.0.0.1");
        return this;
    }

    /** The settings the default validator uses. */
    ValidationSettings settings() {
        return new ValidationSettings(http.port(), tls.port(), dns.address(), DEADLINE, List.of(), false, Set.of(),
                4);
    }

    Validator validator() {
        return validator;
    }

    /** Replaces the validator (the old one is closed). */
    void reconfigure(ValidationSettings settings) {
        validator.close();
        validator = new Validator(settings);
    }

    Validator.Outcome validate(String type, String name, TestChallenge challenge) {
        return validate(type, Identifier.dns(name), false, challenge);
    }

    Validator.Outcome validate(String type, Identifier identifier, boolean wildcard, TestChallenge challenge) {
        return await(validator.validate(new Validator.Attempt(identifier, wildcard, type, challenge.token(),
                challenge.keyAuthorization())));
    }

    static Validator.Outcome await(CompletableFuture<Validator.Outcome> future) {
        try {
            return future.get(GUARD_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the validation future did not complete normally", e);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }

    @Override
    public void close() {
        validator.close();
        tls.close();
        http.close();
        dns.close();
    }
}
