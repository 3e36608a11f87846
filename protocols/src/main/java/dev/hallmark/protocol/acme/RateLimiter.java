package dev.hallmark.protocol.acme;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * ACME rate limits (RFC 8555 §6.6): fixed windows of {@code acme.rateLimits.window} counted in the shared database,
 * so they hold across nodes and restarts (T08). A limit of 0 turns a limit off. Operators override single buckets
 * with {@code hallmark acme rate-limit set BUCKET LIMIT}. Buckets: {@code account:<id>:orders},
 * {@code domain:<registered domain>:orders}, {@code ip:<address>:accounts}, {@code account:<id>:failed-validations}.
 */
final class RateLimiter {
    private final AcmeStore store;
    private final Clock clock;
    private final Duration window;
    private final AcmeMetrics metrics;

    RateLimiter(AcmeStore store, Clock clock, Duration window, AcmeMetrics metrics) {
        this.store = store;
        this.clock = clock;
        this.window = window;
        this.metrics = metrics;
    }

    /**
     * Counts one event.
     *
     * @throws AcmeProblem {@code rateLimited} with {@code Retry-After} when the window is full
     */
    void count(String name, String bucket, long configured) {
        long limit = limit(bucket, configured);
        if (limit <= 0) {
            return;
        }
        Instant start = windowStart();
        if (!store.tryCount(bucket, start, limit)) {
            throw refused(name, bucket, limit, start);
        }
    }

    /** Refuses when the window is already full, without counting (checked before work whose failure counts). */
    void check(String name, String bucket, long configured) {
        long limit = limit(bucket, configured);
        if (limit <= 0) {
            return;
        }
        Instant start = windowStart();
        if (store.count(bucket, start) >= limit) {
            throw refused(name, bucket, limit, start);
        }
    }

    /** Counts one event, allowed or not (failures happen whatever the limit says). */
    void record(String bucket) {
        store.tryCount(bucket, windowStart(), Long.MAX_VALUE);
    }

    private long limit(String bucket, long configured) {
        return store.rateOverride(bucket).orElse(configured);
    }

    private AcmeProblem refused(String name, String bucket, long limit, Instant start) {
        metrics.rateLimited(name);
        Duration retry = Duration.between(clock.instant(), start.plus(window));
        return AcmeProblem.rateLimited("rate limit '" + name + "' reached: at most " + limit + " per "
                + window.toSeconds() + " s for " + bucket + "; retry after " + Math.max(1, retry.toSeconds()) + " s",
                retry.isNegative() ? Duration.ofSeconds(1) : retry);
    }

    Instant windowStart() {
        long w = window.toSeconds();
        long now = clock.instant().getEpochSecond();
        return Instant.ofEpochSecond(now - Math.floorMod(now, w));
    }

    /** The registered domain for rate limiting: the last two labels (no public-suffix list here; documented). */
    static String registeredDomain(String name) {
        String n = name.startsWith("*.") ? name.substring(2) : name;
        int last = n.lastIndexOf('.');
        if (last <= 0) {
            return n;
        }
        int prev = n.lastIndexOf('.', last - 1);
        return prev < 0 ? n : n.substring(prev + 1);
    }
}
