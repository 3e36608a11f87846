package dev.hallmark.authority.lint;

import dev.hallmark.authority.profile.Profile;
import java.util.List;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;

/**
 * keyUsage (RFC 5280 4.2.1.3, BR 7.1.2.7.11): present, critical and non-empty on every certificate; a CA has
 * keyCertSign; a leaf has neither keyCertSign nor cRLSign and exactly its profile's bits (keyEncipherment only
 * for RSA subject keys, RFC 8813).
 */
final class KeyUsageRules implements LintRule {
    static final String MISSING = "e_ku_missing";
    static final String NOT_CRITICAL = "e_ku_not_critical";
    static final String EMPTY = "e_ku_empty";
    static final String CERT_SIGN_ON_LEAF = "e_ku_cert_sign_on_leaf";
    static final String CA_WITHOUT_CERT_SIGN = "e_ku_ca_without_cert_sign";
    static final String KEY_ENCIPHERMENT_NON_RSA = "e_ku_key_encipherment_non_rsa";
    static final String PROFILE_MISMATCH = "e_ku_profile_mismatch";

    @Override
    public List<String> ids() {
        return List.of(MISSING, NOT_CRITICAL, EMPTY, CERT_SIGN_ON_LEAF, CA_WITHOUT_CERT_SIGN, KEY_ENCIPHERMENT_NON_RSA,
                PROFILE_MISMATCH);
    }

    @Override
    public void check(LintTarget c, List<Finding> out) {
        Extension ext = c.extension(Extension.keyUsage);
        if (ext == null) {
            out.add(new Finding(MISSING, "keyUsage is required"));
            return;
        }
        if (!ext.isCritical()) {
            out.add(new Finding(NOT_CRITICAL, "keyUsage must be critical"));
        }
        if (c.keyUsage == null) {
            return; // malformed, already reported
        }
        int bits = c.keyUsage;
        if (bits == 0) {
            out.add(new Finding(EMPTY, "keyUsage has no bit set (RFC 5280 4.2.1.3)"));
        }
        if ((bits & KeyUsage.keyEncipherment) != 0 && c.subjectKey != null && !c.subjectIsRsa()) {
            out.add(new Finding(KEY_ENCIPHERMENT_NON_RSA, "keyEncipherment is only for RSA subject keys"));
        }
        if (!c.ctx.leaf()) {
            if ((bits & KeyUsage.keyCertSign) == 0) {
                out.add(new Finding(CA_WITHOUT_CERT_SIGN, "a CA certificate needs keyCertSign"));
            }
            return;
        }
        if ((bits & (KeyUsage.keyCertSign | KeyUsage.cRLSign)) != 0) {
            out.add(new Finding(CERT_SIGN_ON_LEAF, "an end-entity certificate must not have keyCertSign or cRLSign"));
        }
        Profile profile = c.ctx.profile();
        if (profile != null && bits != expected(profile, c.subjectIsRsa())) {
            out.add(new Finding(PROFILE_MISMATCH, "keyUsage differs from profile '" + profile.name() + "'"));
        }
    }

    /** The bits the profile grants a key (keyEncipherment dropped for non-RSA keys, as the shaper does). */
    static int expected(Profile profile, boolean rsa) {
        int bits = 0;
        for (Profile.KeyUsageBit bit : profile.keyUsage()) {
            if (bit != Profile.KeyUsageBit.KEY_ENCIPHERMENT || rsa) {
                bits |= bit.mask();
            }
        }
        return bits;
    }
}
