package dev.hallmark.server;

import dev.hallmark.hsm.CryptoToken;
import dev.hallmark.hsm.ForwardingToken;
import dev.hallmark.hsm.KeyRef;
import dev.hallmark.hsm.SignatureAlgorithm;
import dev.hallmark.hsm.TokenException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;

/**
 * Times every signature ({@code hallmark_token_sign_seconds} by algorithm) and counts failures
 * ({@code hallmark_token_sign_errors_total} by reason). Wraps the verifying token, so the time is what the authority
 * waits for: HSM signing plus the verification of the result.
 */
public final class MeteredToken extends ForwardingToken {
    private final MeterRegistry registry;

    public MeteredToken(CryptoToken delegate, MeterRegistry registry) {
        super(delegate);
        this.registry = registry;
    }

    @Override
    public byte[] sign(KeyRef key, SignatureAlgorithm algorithm, byte[] data) {
        long start = System.nanoTime();
        try {
            byte[] signature = super.sign(key, algorithm, data);
            Timer.builder(ServerMetrics.PREFIX + "token.sign").description("signatures made by the key token")
                    .tag("algorithm", algorithm.name().toLowerCase(Locale.ROOT))
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofNanos(50_000)).maximumExpectedValue(Duration.ofSeconds(5))
                    .register(registry).record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
            return signature;
        } catch (TokenException e) {
            error(e.reason().name());
            throw e;
        } catch (RuntimeException e) {
            error("OTHER");
            throw e;
        }
    }

    private void error(String reason) {
        Counter.builder(ServerMetrics.PREFIX + "token.sign.errors").description("signatures the token failed to make")
                .tag("reason", reason.toLowerCase(Locale.ROOT)).register(registry).increment();
    }
}
