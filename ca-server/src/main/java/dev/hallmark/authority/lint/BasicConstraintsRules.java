package dev.hallmark.authority.lint;

import java.math.BigInteger;
import java.util.List;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;

/**
 * basicConstraints (RFC 5280 4.2.1.9, BR 7.1.2.11.5): a CA certificate has it critical with cA=true; a leaf has
 * it absent or with cA=false. A subordinate CA must fit under its issuer's pathLenConstraint (RFC 5280 6.1.4 (l),
 * (m)): the issuer's constraint must be above zero, and the new CA's own constraint, if the issuer has one, must
 * be present and smaller.
 */
final class BasicConstraintsRules implements LintRule {
    static final String CA_MISSING = "e_bc_missing_on_ca";
    static final String CA_NOT_CRITICAL = "e_bc_not_critical_on_ca";
    static final String CA_FALSE = "e_bc_ca_false_on_ca";
    static final String LEAF_CA = "e_bc_ca_true_on_leaf";
    static final String PATH_LENGTH = "e_bc_path_length_exceeded";

    @Override
    public List<String> ids() {
        return List.of(CA_MISSING, CA_NOT_CRITICAL, CA_FALSE, LEAF_CA, PATH_LENGTH);
    }

    @Override
    public void check(LintTarget c, List<Finding> out) {
        Extension ext = c.extension(Extension.basicConstraints);
        if (c.ctx.leaf()) {
            if (c.basicConstraints != null && c.basicConstraints.isCA()) {
                out.add(new Finding(LEAF_CA, "an end-entity certificate must not have cA=true"));
            }
            return;
        }
        if (ext == null) {
            out.add(new Finding(CA_MISSING, "a CA certificate needs basicConstraints"));
            return;
        }
        if (!ext.isCritical()) {
            out.add(new Finding(CA_NOT_CRITICAL, "a CA certificate's basicConstraints must be critical"));
        }
        if (c.basicConstraints != null && !c.basicConstraints.isCA()) {
            out.add(new Finding(CA_FALSE, "a CA certificate's basicConstraints must have cA=true"));
        }
        if (!c.ctx.selfSigned()) {
            pathLength(c, out);
        }
    }

    private static void pathLength(LintTarget c, List<Finding> out) {
        if (c.ctx.issuerCertificate().getExtensions() == null) {
            return;
        }
        BasicConstraints issuer = BasicConstraints.fromExtensions(c.ctx.issuerCertificate().getExtensions());
        BigInteger limit = issuer == null ? null : issuer.getPathLenConstraint();
        if (limit == null) {
            return;
        }
        BigInteger own = c.basicConstraints == null ? null : c.basicConstraints.getPathLenConstraint();
        if (limit.signum() <= 0 || own == null || own.compareTo(limit) >= 0) {
            out.add(new Finding(PATH_LENGTH, "the issuing CA's pathLenConstraint " + limit
                    + " does not allow this subordinate CA" + (own == null ? " without a smaller pathLenConstraint" : "")));
        }
    }
}
