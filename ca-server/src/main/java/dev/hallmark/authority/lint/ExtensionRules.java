package dev.hallmark.authority.lint;

import dev.hallmark.authority.CertificateShaper;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x509.Extension;

/**
 * Extension structure (RFC 5280 4.2): each extension at most once, every value decodes, no critical extension
 * Hallmark does not understand.
 */
final class ExtensionRules implements LintRule {
    static final String DUPLICATE = "e_ext_duplicate";
    static final String MALFORMED = LintTarget.EXT_MALFORMED;
    static final String UNKNOWN_CRITICAL = "e_ext_unknown_critical";

    /** Extensions whose semantics Hallmark (and any RFC 5280 relying party) processes. */
    static final Set<ASN1ObjectIdentifier> KNOWN = Set.of(
            Extension.basicConstraints, Extension.keyUsage, Extension.extendedKeyUsage, Extension.subjectAlternativeName,
            Extension.subjectKeyIdentifier, Extension.authorityKeyIdentifier, Extension.authorityInfoAccess,
            Extension.cRLDistributionPoints, Extension.certificatePolicies, Extension.nameConstraints,
            Extension.policyConstraints, Extension.inhibitAnyPolicy, CertificateShaper.OCSP_NOCHECK);

    @Override
    public List<String> ids() {
        return List.of(DUPLICATE, MALFORMED, UNKNOWN_CRITICAL);
    }

    @Override
    public void check(LintTarget c, List<Finding> out) {
        out.addAll(c.parseFindings);
        for (ASN1ObjectIdentifier oid : duplicates(c.rawExtensionOrder)) {
            out.add(new Finding(DUPLICATE, "extension " + oid + " appears more than once (RFC 5280 4.2)"));
        }
        for (Extension e : c.extensions.values()) {
            if (e.isCritical() && !KNOWN.contains(e.getExtnId())) {
                out.add(new Finding(UNKNOWN_CRITICAL, "unknown critical extension " + e.getExtnId()));
            }
        }
    }

    /** The OIDs that occur more than once in {@code oids}, each reported once. */
    static Set<ASN1ObjectIdentifier> duplicates(List<ASN1ObjectIdentifier> oids) {
        Set<ASN1ObjectIdentifier> seen = new HashSet<>();
        Set<ASN1ObjectIdentifier> repeated = new java.util.LinkedHashSet<>();
        for (ASN1ObjectIdentifier oid : oids) {
            if (!seen.add(oid)) {
                repeated.add(oid);
            }
        }
        return repeated;
    }
}
