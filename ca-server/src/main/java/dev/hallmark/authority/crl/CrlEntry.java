package dev.hallmark.authority.crl;

import java.math.BigInteger;
import java.time.Instant;
import java.util.Objects;

/**
 * One revoked certificate of a CRL (RFC 5280 section 5.1.2.6): the {@code revokedCertificates} element
 * {@code SEQUENCE { userCertificate, revocationDate, crlEntryExtensions OPTIONAL }}.
 *
 * <p>An entry is valid by construction, so {@link CrlWriter} never meets a bad one half-way through a CRL.
 * Duplicate serials are not detected anywhere: the caller's source must not produce them.
 *
 * @param serial     the certificate serial number; positive and at most 20 octets in DER (RFC 5280 section 4.1.2.2)
 * @param revokedAt  the revocation time; it is written with seconds precision (sub-second parts are dropped)
 * @param reasonCode the RFC 5280 section 5.3.1 CRLReason code, or {@code null}; {@code null} and 0 (unspecified)
 *                   mean no reasonCode extension (CA/Browser Forum BR 7.2.2)
 */
public record CrlEntry(BigInteger serial, Instant revokedAt, Integer reasonCode) {

    /** Largest serial number length in octets (RFC 5280 section 4.1.2.2). */
    public static final int MAX_SERIAL_OCTETS = 20;

    /**
     * Validates the entry.
     *
     * @throws IllegalArgumentException for a non-positive or over-long serial, reason codes 6 (certificateHold),
     *                                  7 (unused), 8 (removeFromCRL) and anything outside 0..10
     * @throws NullPointerException     when {@code serial} or {@code revokedAt} is {@code null}
     */
    public CrlEntry {
        Objects.requireNonNull(serial, "serial");
        Objects.requireNonNull(revokedAt, "revokedAt");
        if (serial.signum() <= 0) {
            throw new IllegalArgumentException("serial must be positive: " + serial);
        }
        if (serial.bitLength() / 8 + 1 > MAX_SERIAL_OCTETS) { // the DER content length of a positive INTEGER
            throw new IllegalArgumentException("serial " + serial.toString(16) + " is longer than "
                    + MAX_SERIAL_OCTETS + " octets");
        }
        if (reasonCode != null && !allowedReason(reasonCode)) {
            throw new IllegalArgumentException("reason code " + reasonCode + " is not allowed on a CRL"
                    + " (certificateHold, removeFromCRL and unknown codes are refused)");
        }
    }

    /**
     * An entry without a reason (unspecified).
     *
     * @param serial    the certificate serial number
     * @param revokedAt the revocation time
     */
    public CrlEntry(BigInteger serial, Instant revokedAt) {
        this(serial, revokedAt, null);
    }

    /**
     * Whether this entry carries a reasonCode extension.
     *
     * @return true unless the reason is unspecified ({@code null} or 0)
     */
    public boolean hasReason() {
        return reasonCode != null && reasonCode != 0;
    }

    private static boolean allowedReason(int code) {
        return code >= 0 && code <= 10 && code != 6 && code != 7 && code != 8;
    }
}
