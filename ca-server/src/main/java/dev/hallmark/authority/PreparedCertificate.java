package dev.hallmark.authority;

import dev.hallmark.authority.profile.Profile;
import java.util.List;
import org.bouncycastle.asn1.x509.TBSCertificate;

/**
 * A to-be-signed certificate shaped by a profile (step 2 of the issuance cycle) and everything needed to record
 * it. Its DER encoding is what the linter checks and exactly what the CA key signs (RELIABILITY I4).
 *
 * @param issuer         who signs
 * @param serial         its serial
 * @param tbs            the structure
 * @param profile        the leaf profile, or null for a CA certificate
 * @param profileName    profile name as recorded ({@code root-ca}/{@code sub-ca} for CA certificates)
 * @param profileVersion profile version as recorded
 * @param identifiers    the SAN entries
 * @param spkiSha256     subject key hash
 * @param requester      who asked
 * @param provenance     how it was validated
 */
public record PreparedCertificate(IssuerKey issuer, SerialNumber serial, TBSCertificate tbs, Profile profile,
                                  String profileName, int profileVersion, List<Identifier> identifiers,
                                  String spkiSha256, String requester, Provenance provenance) {
    public PreparedCertificate {
        identifiers = List.copyOf(identifiers);
    }

    /** True for a CA certificate (linted with CA expectations). */
    public boolean isCa() {
        return profile == null;
    }
}
