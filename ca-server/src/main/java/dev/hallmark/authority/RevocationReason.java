package dev.hallmark.authority;

import java.util.Arrays;
import java.util.stream.Collectors;
import org.bouncycastle.asn1.x509.CRLReason;

/**
 * Revocation reasons of RFC 5280 section 5.3.1 that Hallmark accepts. {@code certificateHold} (6) and
 * {@code removeFromCRL} (8) are absent on purpose: a revocation is never undone (RELIABILITY I8, BR 7.2.2).
 */
public enum RevocationReason {
    UNSPECIFIED("unspecified", CRLReason.unspecified),
    KEY_COMPROMISE("keyCompromise", CRLReason.keyCompromise),
    CA_COMPROMISE("cACompromise", CRLReason.cACompromise),
    AFFILIATION_CHANGED("affiliationChanged", CRLReason.affiliationChanged),
    SUPERSEDED("superseded", CRLReason.superseded),
    CESSATION_OF_OPERATION("cessationOfOperation", CRLReason.cessationOfOperation),
    PRIVILEGE_WITHDRAWN("privilegeWithdrawn", CRLReason.privilegeWithdrawn),
    AA_COMPROMISE("aACompromise", CRLReason.aACompromise);

    private final String rfcName;
    private final int code;

    RevocationReason(String rfcName, int code) {
        this.rfcName = rfcName;
        this.code = code;
    }

    /** The RFC 5280 ASN.1 name, e.g. {@code keyCompromise}. */
    public String rfcName() {
        return rfcName;
    }

    /** The CRLReason code. */
    public int code() {
        return code;
    }

    /**
     * Parses an RFC name (case-insensitive, {@code key-compromise} and {@code KEY_COMPROMISE} accepted) or a code.
     *
     * @throws CaException {@code BAD_REVOCATION_REASON} for hold, removeFromCRL, 7 or anything unknown
     */
    public static RevocationReason parse(String text) {
        String t = text.trim().replace("-", "").replace("_", "");
        for (RevocationReason r : values()) {
            if (r.rfcName.equalsIgnoreCase(t) || String.valueOf(r.code).equals(t)) {
                return r;
            }
        }
        throw new CaException(CaException.Kind.BAD_REVOCATION_REASON, "revocation reason '" + text
                + "' is not accepted; use one of " + Arrays.stream(values()).map(RevocationReason::rfcName)
                .collect(Collectors.joining(", ")) + " (certificateHold is never used)");
    }

    /** Looks a reason up by its CRLReason code. */
    public static RevocationReason fromCode(int code) {
        for (RevocationReason r : values()) {
            if (r.code == code) {
                return r;
            }
        }
        throw new CaException(CaException.Kind.BAD_REVOCATION_REASON, "revocation reason code " + code + " is not accepted");
    }
}
