package dev.hallmark.authority;

import java.time.Instant;

/**
 * The authoritative status of one assigned serial, whether or not a certificate was stored (RELIABILITY I9):
 * what OCSP and CRLs answer from.
 *
 * @param intent           the intent recorded before signing
 * @param state            where the cycle stands
 * @param revokedAt        revocation time, or null
 * @param revocationReason revocation reason, or null
 */
public record SerialRecord(SerialIntent intent, SerialState state, Instant revokedAt, RevocationReason revocationReason) {
    public boolean isRevoked() {
        return revokedAt != null;
    }
}
