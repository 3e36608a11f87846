package dev.hallmark.protocol.acme;

import dev.hallmark.protocol.acme.validation.Validator;
import java.time.Clock;

/**
 * What the ACME handlers share, built once by {@link AcmeEndpoint}.
 *
 * @param settings  the {@code acme:} settings
 * @param store     ACME state in the shared database
 * @param authority the authority verbs ACME uses
 * @param validator the validation authority
 * @param eab       external account binding keys
 * @param limiter   rate limits
 * @param metrics   ACME meters
 * @param clock     the clock
 */
record AcmeServices(AcmeSettings settings, AcmeStore store, AcmeAuthority authority, Validator validator, EabKeys eab,
                    RateLimiter limiter, AcmeMetrics metrics, Clock clock) {
}
