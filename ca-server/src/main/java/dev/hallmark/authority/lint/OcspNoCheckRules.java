package dev.hallmark.authority.lint;

import dev.hallmark.authority.CertificateShaper;
import java.util.List;
import org.bouncycastle.asn1.x509.KeyPurposeId;

/**
 * id-pkix-ocsp-nocheck (RFC 6960 4.2.2.2.1, BR 7.1.2.8.6): only when the profile says so, then always, and only
 * together with id-kp-OCSPSigning.
 */
final class OcspNoCheckRules implements LintRule {
    static final String NOT_ALLOWED = "e_ocsp_nocheck_not_allowed";
    static final String MISSING = "e_ocsp_nocheck_missing";
    static final String WITHOUT_OCSP_SIGNING = "e_ocsp_nocheck_without_ocsp_signing";

    @Override
    public List<String> ids() {
        return List.of(NOT_ALLOWED, MISSING, WITHOUT_OCSP_SIGNING);
    }

    @Override
    public void check(LintTarget c, List<Finding> out) {
        boolean present = c.has(CertificateShaper.OCSP_NOCHECK);
        boolean wanted = c.ctx.leaf() && c.ctx.profile() != null && c.ctx.profile().ocspNoCheck();
        if (present && !wanted) {
            out.add(new Finding(NOT_ALLOWED, "ocsp-nocheck is only for profiles that ask for it"));
        }
        if (!present && wanted) {
            out.add(new Finding(MISSING, "profile '" + c.ctx.profile().name() + "' requires ocsp-nocheck"));
        }
        if (present && (c.extendedKeyUsage == null || !c.extendedKeyUsage.contains(KeyPurposeId.id_kp_OCSPSigning))) {
            out.add(new Finding(WITHOUT_OCSP_SIGNING, "ocsp-nocheck requires extendedKeyUsage id-kp-OCSPSigning"));
        }
    }
}
