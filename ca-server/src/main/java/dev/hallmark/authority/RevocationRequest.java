package dev.hallmark.authority;

import java.util.Objects;

/**
 * What a caller asks to revoke.
 *
 * @param ca        the issuing CA's name (the serial namespace)
 * @param serial    the serial to revoke; it may be in the "outcome unknown" state (RELIABILITY crash points 4–5)
 * @param reason    the RFC 5280 reason
 * @param requester who asks, e.g. {@code cli:root@host}
 */
public record RevocationRequest(String ca, SerialNumber serial, RevocationReason reason, String requester) {
    public RevocationRequest {
        Objects.requireNonNull(ca, "ca");
        Objects.requireNonNull(serial, "serial");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(requester, "requester");
    }
}
