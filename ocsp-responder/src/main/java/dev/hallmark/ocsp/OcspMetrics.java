package dev.hallmark.ocsp;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The responder's meters (docs/METRICS.md): responses by status and source, cache hits and misses, cache size,
 * pre-signing lag and signatures made on demand. Counters are created once and reused, never per request.
 */
final class OcspMetrics {
    private final MeterRegistry registry;
    private final Map<String, Counter> responses = new ConcurrentHashMap<>();
    private final Counter hits;
    private final Counter[] cached = new Counter[CertStatus.Kind.values().length];
    private final Counter misses;
    private final Counter presigned;
    private final Counter onDemand;
    private final AtomicLong presignLagSeconds = new AtomicLong();
    private final AtomicLong lastSweepMillis = new AtomicLong();

    OcspMetrics(MeterRegistry registry, Supplier<Number> cacheEntries) {
        this.registry = registry;
        String cacheHelp = "OCSP requests for one certificate without a nonce, by whether a pre-signed response was ready";
        this.hits = Counter.builder("hallmark.ocsp.cache.requests").tag("result", "hit").description(cacheHelp).register(registry);
        this.misses = Counter.builder("hallmark.ocsp.cache.requests").tag("result", "miss").description(cacheHelp)
                .register(registry);
        String signHelp = "OCSP responses signed, ahead of time or on demand (cache miss, nonce, several CertIDs)";
        this.presigned = Counter.builder("hallmark.ocsp.signatures").tag("kind", "presigned").description(signHelp)
                .register(registry);
        this.onDemand = Counter.builder("hallmark.ocsp.signatures").tag("kind", "on_demand").description(signHelp)
                .register(registry);
        Gauge.builder("hallmark.ocsp.cache.entries", cacheEntries).description("Pre-signed OCSP responses held in memory")
                .register(registry);
        Gauge.builder("hallmark.ocsp.presign.lag", presignLagSeconds, AtomicLong::get).baseUnit("seconds")
                .description("How far the oldest cached response is past its refresh point (0 when pre-signing keeps up)")
                .register(registry);
        Gauge.builder("hallmark.ocsp.presign.sweep.duration", lastSweepMillis, v -> v.get() / 1000.0).baseUnit("seconds")
                .description("How long the last pre-signing sweep took").register(registry);
    }

    /** Counts one response: {@code status} is good/revoked/unknown or the error status, {@code source} cache/signed/error. */
    void response(String status, String source) {
        responseCounter(status, source).increment();
    }

    private Counter responseCounter(String status, String source) {
        return responses.computeIfAbsent(status + '/' + source, k -> Counter.builder("hallmark.ocsp.responses")
                .tag("status", status).tag("source", source)
                .description("OCSP responses sent, by certificate status (or error status) and where they came from")
                .register(registry));
    }

    /** A cached answer sent: a hit, and a response of that status from the cache (no lookup by name: the hot path). */
    void cachedResponse(CertStatus.Kind kind) {
        hits.increment();
        Counter c = cached[kind.ordinal()];
        if (c == null) {
            c = responseCounter(kind.label(), "cache");
            cached[kind.ordinal()] = c;
        }
        c.increment();
    }

    void miss() {
        misses.increment();
    }

    void presigned(int n) {
        presigned.increment(n);
    }

    void signedOnDemand() {
        onDemand.increment();
    }

    void sweep(long lagSeconds, long millis) {
        presignLagSeconds.set(lagSeconds);
        lastSweepMillis.set(millis);
    }
}
