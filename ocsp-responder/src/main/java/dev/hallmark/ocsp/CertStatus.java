package dev.hallmark.ocsp;

import dev.hallmark.authority.RevocationReason;
import dev.hallmark.authority.SerialRecord;
import dev.hallmark.authority.SerialState;
import java.time.Instant;
import java.util.Date;
import java.util.Locale;
import org.bouncycastle.asn1.ASN1GeneralizedTime;
import org.bouncycastle.asn1.ocsp.RevokedInfo;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.UnknownStatus;

/**
 * The authoritative status of one serial as OCSP states it (RELIABILITY I9): {@code unknown} for a serial the CA
 * never assigned or whose issuance aborted (never {@code good}); {@code revoked} with time and reason (no reason for
 * unspecified, as on CRLs); {@code good} otherwise, including serials whose issuance outcome is still unknown
 * (crash points 4–5): such a certificate may exist, so it is answered for like any other and never flaps from
 * unknown to good.
 *
 * @param kind      good, revoked or unknown
 * @param revokedAt revocation time, or null
 * @param reason    revocation reason, or null
 */
record CertStatus(Kind kind, Instant revokedAt, RevocationReason reason) {
    /** The three answers. */
    enum Kind {
        GOOD, REVOKED, UNKNOWN;

        private final String label = name().toLowerCase(Locale.ROOT);

        /** The metric label. */
        String label() {
            return label;
        }
    }

    static final CertStatus UNKNOWN = new CertStatus(Kind.UNKNOWN, null, null);
    static final CertStatus GOOD = new CertStatus(Kind.GOOD, null, null);

    /** The status of a serial's record; null for a serial never assigned. */
    static CertStatus of(SerialRecord record) {
        if (record == null || record.state() == SerialState.ABORTED) {
            return UNKNOWN;
        }
        if (record.isRevoked()) {
            return new CertStatus(Kind.REVOKED, record.revokedAt(), record.revocationReason());
        }
        return GOOD;
    }

    /** As BouncyCastle's response builder takes it. */
    CertificateStatus asn1() {
        return switch (kind) {
            case GOOD -> CertificateStatus.GOOD;
            case UNKNOWN -> new UnknownStatus();
            case REVOKED -> new RevokedStatus(reason == null || reason == RevocationReason.UNSPECIFIED
                    ? new RevokedInfo(new ASN1GeneralizedTime(Date.from(revokedAt)), null)
                    : new RevokedInfo(new ASN1GeneralizedTime(Date.from(revokedAt)), CRLReason.lookup(reason.code())));
        };
    }
}
