package dev.hallmark.protocol.acme;

import dev.hallmark.authority.Identifier;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * An authorization (RFC 8555 §7.1.4): proof that an account controls one identifier.
 *
 * @param id               its id (the authorization URL ends with it)
 * @param accountId        the account it belongs to
 * @param identifier       the identifier, without the {@code *.} of a wildcard
 * @param wildcard         whether it was created for a wildcard name (then only dns-01 is offered)
 * @param status           pending, valid, invalid, deactivated, expired or revoked as stored; {@code expires} in the
 *                         past turns pending and valid into expired when read ({@link #statusAt(Instant)})
 * @param expires          when it expires (pending: order lifetime; valid: the reuse period)
 * @param validatedAt      when it became valid, or null
 * @param validationMethod the challenge type that validated it, or null
 * @param challenges       its challenges
 */
public record AcmeAuthorization(String id, long accountId, Identifier identifier, boolean wildcard, AcmeStatus status,
                                Instant expires, Instant validatedAt, String validationMethod,
                                List<AcmeChallenge> challenges) {
    public AcmeAuthorization {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(identifier, "identifier");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(expires, "expires");
        challenges = List.copyOf(challenges);
    }

    /** The status a client sees at {@code now}: pending or valid past {@code expires} reads as expired. */
    public AcmeStatus statusAt(Instant now) {
        if ((status == AcmeStatus.PENDING || status == AcmeStatus.VALID) && !now.isBefore(expires)) {
            return AcmeStatus.EXPIRED;
        }
        return status;
    }
}
