package dev.hallmark.authority.lint;

import dev.hallmark.authority.profile.Profile;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;

/**
 * extendedKeyUsage (RFC 5280 4.2.1.12, BR 7.1.2.7.10): never anyExtendedKeyUsage; on a leaf exactly the profile's
 * purposes in the profile's order, non-critical; and each purpose consistent with keyUsage (RFC 5280 4.2.1.12's
 * table narrowed by BR 7.1.2.7.11: serverAuth needs digitalSignature, or keyEncipherment for an RSA key).
 */
final class ExtendedKeyUsageRules implements LintRule {
    static final String ANY = "e_eku_any";
    static final String PROFILE_MISMATCH = "e_eku_profile_mismatch";
    static final String CRITICAL = "e_eku_critical";
    static final String KEY_USAGE_INCONSISTENT = "e_eku_key_usage_inconsistent";

    /** For each purpose, the keyUsage bits of which at least one must be set (RSA-only bits handled below). */
    private static final Map<KeyPurposeId, Integer> NEEDS = Map.of(
            KeyPurposeId.id_kp_serverAuth, KeyUsage.digitalSignature | KeyUsage.keyEncipherment,
            KeyPurposeId.id_kp_clientAuth, KeyUsage.digitalSignature | KeyUsage.keyAgreement,
            KeyPurposeId.id_kp_codeSigning, KeyUsage.digitalSignature,
            KeyPurposeId.id_kp_emailProtection, KeyUsage.digitalSignature | KeyUsage.nonRepudiation
                    | KeyUsage.keyEncipherment | KeyUsage.keyAgreement,
            KeyPurposeId.id_kp_timeStamping, KeyUsage.digitalSignature | KeyUsage.nonRepudiation,
            KeyPurposeId.id_kp_OCSPSigning, KeyUsage.digitalSignature | KeyUsage.nonRepudiation);

    @Override
    public List<String> ids() {
        return List.of(ANY, PROFILE_MISMATCH, CRITICAL, KEY_USAGE_INCONSISTENT);
    }

    @Override
    public void check(LintTarget c, List<Finding> out) {
        Extension ext = c.extension(Extension.extendedKeyUsage);
        List<KeyPurposeId> purposes = c.extendedKeyUsage;
        if (purposes != null && purposes.contains(KeyPurposeId.anyExtendedKeyUsage)) {
            out.add(new Finding(ANY, "anyExtendedKeyUsage is never issued"));
        }
        if (ext != null && ext.isCritical() && c.ctx.leaf()) {
            out.add(new Finding(CRITICAL, "extendedKeyUsage must not be critical on an end-entity certificate"));
        }
        Profile profile = c.ctx.profile();
        if (c.ctx.leaf() && profile != null && !c.isMalformed(Extension.extendedKeyUsage)) {
            List<KeyPurposeId> wanted = profile.extendedKeyUsage().stream().map(Profile.ExtendedKeyUsage::purpose).toList();
            List<KeyPurposeId> actual = purposes == null ? List.of() : purposes;
            if (!actual.equals(wanted) || (ext != null && actual.isEmpty())) {
                out.add(new Finding(PROFILE_MISMATCH, "extendedKeyUsage differs from profile '" + profile.name() + "'"));
            }
        }
        if (purposes != null && c.keyUsage != null) {
            int ku = c.keyUsage;
            if (!c.subjectIsRsa()) {
                ku &= ~KeyUsage.keyEncipherment; // key transport is RSA-only; reported by the keyUsage rules
            }
            for (KeyPurposeId purpose : purposes) {
                Integer needs = NEEDS.get(purpose);
                if (needs != null && (ku & needs) == 0) {
                    out.add(new Finding(KEY_USAGE_INCONSISTENT, "extendedKeyUsage " + purpose.toOID()
                            + " is not backed by a matching keyUsage bit"));
                }
            }
        }
    }
}
