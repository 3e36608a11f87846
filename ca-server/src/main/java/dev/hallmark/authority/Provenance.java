package dev.hallmark.authority;

import java.time.Instant;
import java.util.Objects;

/**
 * How a certificate request came to be trusted (RELIABILITY N7). Stored as JSON with the certificate together
 * with the software build.
 *
 * @param channel          {@code cli}, {@code api}, {@code acme}, {@code est}, {@code scep}, {@code init}
 * @param reference        the order, enrolment or request id, or null
 * @param validationMethod e.g. {@code http-01}, {@code est-basic}, {@code admin}, or null
 * @param validatedAt      when validation completed, or null
 * @param approvedBy       the approving admin, or null
 */
public record Provenance(String channel, String reference, String validationMethod, Instant validatedAt, String approvedBy) {
    public Provenance {
        Objects.requireNonNull(channel, "channel");
    }

    /** An operator acting directly (CLI or admin API). */
    public static Provenance admin(String channel, String operator, Instant at) {
        return new Provenance(channel, null, "admin", at, operator);
    }
}
