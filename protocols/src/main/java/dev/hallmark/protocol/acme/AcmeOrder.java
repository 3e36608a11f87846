package dev.hallmark.protocol.acme;

import dev.hallmark.authority.Identifier;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * An order (RFC 8555 §7.1.3). Only {@code pending}, {@code processing}, {@code valid} and {@code invalid} are
 * stored; {@code ready} and the invalid/expired states that follow from its authorizations are derived when the
 * order is read ({@link AcmeOrders#statusOf}), so a challenge result updates one authorization row, not every
 * order that shares it.
 *
 * @param id          its id (the order URL ends with it)
 * @param accountId   the account that placed it
 * @param status      the stored status
 * @param expires     when it expires if not finalized
 * @param identifiers the requested identifiers, normalised, in request order
 * @param notBefore   requested notBefore, or null
 * @param notAfter    requested notAfter, or null
 * @param profile     the Hallmark profile that will shape the certificate
 * @param replaces    the ARI certificate id this order replaces (RFC 9773 §5), or null
 * @param authzIds    its authorizations, one per identifier, in identifier order
 * @param error       the problem document (JSON) when invalid, or null
 * @param certIssuer  the issuing CA once valid, or null
 * @param certSerial  the certificate serial (hex) once valid, or null
 * @param createdAt   when it was placed
 */
public record AcmeOrder(String id, long accountId, AcmeStatus status, Instant expires, List<Identifier> identifiers,
                        Instant notBefore, Instant notAfter, String profile, String replaces, List<String> authzIds,
                        String error, String certIssuer, String certSerial, Instant createdAt) {
    public AcmeOrder {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(expires, "expires");
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(createdAt, "createdAt");
        identifiers = List.copyOf(identifiers);
        authzIds = List.copyOf(authzIds);
    }
}
