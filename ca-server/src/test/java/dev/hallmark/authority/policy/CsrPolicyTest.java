package dev.hallmark.authority.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hallmark.authority.CaException;
import dev.hallmark.authority.CertificationRequest;
import dev.hallmark.authority.profile.ProfileCatalog;
import java.security.KeyPair;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Test;

/** End to end through the real CSR parser: what a CSR asks for is refused, never copied (RELIABILITY I5). */
class CsrPolicyTest {

    @Test
    void parsedCsrAskingForCodeSigningIsBadCsr() throws Exception {
        KeyPair key = TestKeys.pair(TestKeys.Shape.EC_P256);
        ExtensionsGenerator ext = new ExtensionsGenerator();
        ext.addExtension(Extension.subjectAlternativeName, false,
                new GeneralNames(new GeneralName(GeneralName.dNSName, "a.example.com")));
        ext.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_codeSigning));
        byte[] der = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=a.example.com"), key.getPublic())
                .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())).getEncoded();
        CertificationRequest csr = CertificationRequest.parse(der);
        PolicyDecision d = new PolicyEngine(PolicyRules.defaults()).evaluate(new PolicyRequest(
                ProfileCatalog.defaults().get("tls-server"), csr, csr.identifiers(), null));
        assertThat(d.reasons()).extracting(Reason::rule).containsExactly("csr_eku_not_in_profile");
        assertThatThrownBy(d::enforce).isInstanceOfSatisfying(CaException.class,
                e -> assertThat(e.kind()).isEqualTo(CaException.Kind.BAD_CSR));
    }
}
