package dev.hallmark.authority;

import java.time.Instant;
import java.util.List;

/**
 * A stored certificate with its status.
 *
 * @param issuer           issuing CA name
 * @param serial           serial
 * @param der              the certificate exactly as returned to the requester
 * @param sha256Fingerprint hex SHA-256 of {@code der}
 * @param subject          RFC 4514 subject
 * @param spkiSha256       hex SHA-256 of the subject public key info
 * @param notBefore        validity start
 * @param notAfter         validity end
 * @param profile          profile name
 * @param profileVersion   profile version
 * @param requester        who asked
 * @param provenance       JSON: channel, order or enrolment, validation method and time, build, approver (N7)
 * @param issuedAt         when it was stored
 * @param identifiers      the subjectAltName entries
 * @param revokedAt        revocation time, or null
 * @param revocationReason revocation reason, or null
 */
public record CertificateRecord(String issuer, SerialNumber serial, byte[] der, String sha256Fingerprint, String subject,
                                String spkiSha256, Instant notBefore, Instant notAfter, String profile,
                                int profileVersion, String requester, String provenance, Instant issuedAt,
                                List<Identifier> identifiers, Instant revokedAt, RevocationReason revocationReason) {
    public CertificateRecord {
        der = der.clone();
        identifiers = List.copyOf(identifiers);
    }

    @Override
    public byte[] der() {
        return der.clone();
    }

    /** The status at {@code now}. */
    public CertificateStatus status(Instant now) {
        if (revokedAt != null) {
            return CertificateStatus.REVOKED;
        }
        return now.isBefore(notAfter) ? CertificateStatus.VALID : CertificateStatus.EXPIRED;
    }
}
