package dev.hallmark.authority.lint;

import java.util.Arrays;
import java.util.List;
import org.bouncycastle.asn1.x509.Extension;

/**
 * Authority and subject key identifiers (RFC 5280 4.2.1.1, 4.2.1.2): both non-critical; the AKI is present with
 * a keyIdentifier equal to the issuer's SKI, except that a self-signed root may omit it; the SKI is present on
 * every certificate (mandatory on CAs, and Hallmark always adds it to leaves).
 */
final class KeyIdentifierRules implements LintRule {
    static final String AKI_MISSING = "e_aki_missing";
    static final String AKI_MISMATCH = "e_aki_mismatch";
    static final String AKI_CRITICAL = "e_aki_critical";
    static final String SKI_MISSING = "e_ski_missing";
    static final String SKI_CRITICAL = "e_ski_critical";

    @Override
    public List<String> ids() {
        return List.of(AKI_MISSING, AKI_MISMATCH, AKI_CRITICAL, SKI_MISSING, SKI_CRITICAL);
    }

    @Override
    public void check(LintTarget c, List<Finding> out) {
        Extension aki = c.extension(Extension.authorityKeyIdentifier);
        if (aki == null) {
            if (!c.ctx.selfSigned()) {
                out.add(new Finding(AKI_MISSING, "authorityKeyIdentifier is required (RFC 5280 4.2.1.1)"));
            }
        } else {
            if (aki.isCritical()) {
                out.add(new Finding(AKI_CRITICAL, "authorityKeyIdentifier must not be critical"));
            }
            if (c.authorityKeyIdentifier != null) {
                byte[] id = c.authorityKeyIdentifier.getKeyIdentifierObject() == null ? null
                        : c.authorityKeyIdentifier.getKeyIdentifierObject().getOctets();
                if (id == null) {
                    out.add(new Finding(AKI_MISSING, "authorityKeyIdentifier has no keyIdentifier"));
                } else if (!Arrays.equals(id, c.issuerKeyIdentifier())) {
                    out.add(new Finding(AKI_MISMATCH, "authorityKeyIdentifier differs from the issuer's subjectKeyIdentifier"));
                }
            }
        }
        Extension ski = c.extension(Extension.subjectKeyIdentifier);
        if (ski == null) {
            out.add(new Finding(SKI_MISSING, "subjectKeyIdentifier is required (RFC 5280 4.2.1.2)"));
        } else if (ski.isCritical()) {
            out.add(new Finding(SKI_CRITICAL, "subjectKeyIdentifier must not be critical"));
        }
    }
}
