package dev.hallmark.authority;

import java.math.BigInteger;
import java.time.Instant;

/**
 * A revoked serial as a CRL lists it: the few facts {@link CertificateStore#forEachRevoked} streams.
 *
 * @param serial    the serial
 * @param revokedAt the revocation time
 * @param reason    the (possibly raised) reason
 */
public record RevokedSerial(BigInteger serial, Instant revokedAt, RevocationReason reason) {
}
