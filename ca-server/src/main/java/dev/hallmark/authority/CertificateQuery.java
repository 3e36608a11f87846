package dev.hallmark.authority;

import java.time.Instant;

/**
 * Filters for listing certificates; null fields do not filter.
 *
 * @param issuer         CA name
 * @param status         VALID, REVOKED or EXPIRED (UNKNOWN lists serials whose outcome is unknown)
 * @param expiringBefore notAfter before this instant (and not yet expired when status is VALID)
 * @param identifier     a SAN value (exact match, e.g. {@code www.example.com} or {@code 10.0.0.1})
 * @param profile        profile name
 * @param limit          page size (1..1000)
 * @param offset         rows to skip
 */
public record CertificateQuery(String issuer, CertificateStatus status, Instant expiringBefore, String identifier,
                               String profile, int limit, int offset) {
    public CertificateQuery {
        if (limit < 1 || limit > 1000) {
            throw new CaException(CaException.Kind.MALFORMED, "limit must be between 1 and 1000");
        }
        if (offset < 0) {
            throw new CaException(CaException.Kind.MALFORMED, "offset must not be negative");
        }
    }

    /** Everything, first page of 100. */
    public static CertificateQuery all() {
        return new CertificateQuery(null, null, null, null, null, 100, 0);
    }
}
