package dev.hallmark.authority.policy;

import dev.hallmark.authority.CertificationRequest;
import dev.hallmark.authority.Identifier;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * Checked-CSR test data with modifiers: {@code PolicyCsr.of(List.of(dns("a.example")), withKey(EC_P256))}. Builds the
 * {@link CertificationRequest} record directly (what {@code CertificationRequest.parse} returns after its own
 * checks), so synthetic keys without a private half can be used.
 */
public final class PolicyCsr {
    private SubjectPublicKeyInfo spki = TestKeys.spki(TestKeys.Shape.EC_P256);
    private String cn;
    private final List<KeyPurposeId> purposes = new ArrayList<>();
    private int keyUsage;
    private List<Identifier> identifiers = List.of();

    private PolicyCsr() {
    }

    @SafeVarargs
    public static CertificationRequest of(List<Identifier> identifiers, UnaryOperator<PolicyCsr>... modifiers) {
        PolicyCsr t = new PolicyCsr();
        t.identifiers = identifiers;
        t.cn = identifiers.isEmpty() ? null : identifiers.get(0).value();
        for (UnaryOperator<PolicyCsr> m : modifiers) {
            t = m.apply(t);
        }
        return new CertificationRequest(new byte[0], t.spki, null, t.cn, t.identifiers, t.purposes, t.keyUsage);
    }

    public static UnaryOperator<PolicyCsr> withKey(TestKeys.Shape shape) {
        return withKey(TestKeys.spki(shape));
    }

    public static UnaryOperator<PolicyCsr> withKey(SubjectPublicKeyInfo spki) {
        return t -> {
            t.spki = spki;
            return t;
        };
    }

    public static UnaryOperator<PolicyCsr> withEku(KeyPurposeId... purposes) {
        return t -> {
            t.purposes.addAll(List.of(purposes));
            return t;
        };
    }

    public static UnaryOperator<PolicyCsr> withKeyUsage(int bits) {
        return t -> {
            t.keyUsage = bits;
            return t;
        };
    }
}
