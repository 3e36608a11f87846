package dev.hallmark.protocol.acme;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * ACME meters (docs/METRICS.md): {@code hallmark_acme_orders_total{outcome}}, {@code hallmark_acme_accounts_total},
 * {@code hallmark_acme_validations_total{type,result}}, {@code hallmark_acme_validation_seconds{type}},
 * {@code hallmark_acme_nonce_rejections_total}, {@code hallmark_acme_rate_limited_total{limit}}.
 */
final class AcmeMetrics {
    private final MeterRegistry registry;
    private final Counter nonceRejections;
    private final Counter accounts;

    AcmeMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.nonceRejections = Counter.builder("hallmark.acme.nonce.rejections").description(
                "ACME requests refused with badNonce").register(registry);
        this.accounts = Counter.builder("hallmark.acme.accounts").description("ACME accounts created").register(registry);
    }

    void nonceRejected() {
        nonceRejections.increment();
    }

    void accountCreated() {
        accounts.increment();
    }

    /** An order ended: {@code created}, {@code valid} (certificate issued), {@code invalid}. */
    void order(String outcome) {
        Counter.builder("hallmark.acme.orders").description("ACME orders by outcome").tag("outcome", outcome)
                .register(registry).increment();
    }

    void validation(String type, boolean valid, String problemType, Duration took) {
        Counter.builder("hallmark.acme.validations").description("ACME challenge validations by type and result")
                .tag("type", type).tag("result", valid ? "valid" : problemType).register(registry).increment();
        Timer.builder("hallmark.acme.validation").description("ACME challenge validation latency").tag("type", type)
                .register(registry).record(took);
    }

    void rateLimited(String limit) {
        Counter.builder("hallmark.acme.rate.limited").description("ACME requests refused by a rate limit")
                .tag("limit", limit).register(registry).increment();
    }
}
