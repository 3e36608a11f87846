package dev.hallmark.authority.policy;

import dev.hallmark.authority.CaException;
import dev.hallmark.authority.Identifier;
import java.util.Objects;

/**
 * One reason the policy engine refuses a request.
 *
 * @param kind       the error kind this reason maps to: {@code REJECTED_IDENTIFIER} (about one identifier),
 *                   {@code BAD_PUBLIC_KEY} (about the key), {@code BAD_CSR} (about what the CSR asks for) or
 *                   {@code POLICY_DENIED} (about the request as a whole: validity, SAN count)
 * @param identifier the identifier concerned, or null
 * @param rule       a stable rule id ({@code name_denied}, {@code rsa_roca}, ...)
 * @param detail     a sentence safe to show to the requester
 */
public record Reason(CaException.Kind kind, Identifier identifier, String rule, String detail) {
    public Reason {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(detail, "detail");
    }

    @Override
    public String toString() {
        return "[" + rule + "] " + (identifier == null ? "" : identifier + ": ") + detail;
    }
}
