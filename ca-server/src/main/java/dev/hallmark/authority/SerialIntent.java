package dev.hallmark.authority;

import java.time.Instant;

/**
 * The durable record written before the CA key signs (RELIABILITY I1, step 4 of the issuance cycle).
 *
 * @param issuer         issuing CA name
 * @param serial         the reserved serial
 * @param tbsSha256      hex SHA-256 of the exact to-be-signed bytes that were linted
 * @param spkiSha256     hex SHA-256 of the subject public key info (for blocked-key checks)
 * @param requester      who asked (e.g. {@code cli:root}, {@code acme:account/12})
 * @param profile        profile name
 * @param profileVersion profile version
 * @param notAfter       the certificate's notAfter (so OCSP/CRL know how long the serial matters)
 * @param reservedAt     when the intent was recorded
 */
public record SerialIntent(String issuer, SerialNumber serial, String tbsSha256, String spkiSha256, String requester,
                           String profile, int profileVersion, Instant notAfter, Instant reservedAt) {
}
