package dev.hallmark.authority.lint;

import static dev.hallmark.authority.Identifier.dns;
import static dev.hallmark.authority.Identifier.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.hallmark.authority.CaException;
import dev.hallmark.authority.CertificateShaper;
import dev.hallmark.authority.Identifier;
import dev.hallmark.authority.policy.TestKeys;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.bouncycastle.asn1.ASN1GeneralizedTime;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERPrintableString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.TBSCertificate;
import org.bouncycastle.asn1.x509.Time;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class LinterTest {
    private static final LintFixture PKI = LintFixture.get();
    private static final Linter LINTER = new Linter();
    private static final X500Name EMPTY = new X500Name(new org.bouncycastle.asn1.x500.RDN[0]);
    /** Rule ids exercised by {@link #eachRuleHasAFailingCase}; checked against {@link Linter#ruleIds()}. */
    private static final Set<String> COVERED = new HashSet<>();

    /** Clean starting points, all produced by the real {@link CertificateShaper}. */
    enum Base {
        TLS_SERVER_EC, TLS_SERVER_RSA, TLS_CLIENT_EMAIL_ONLY, DEVICE_URI, OCSP_SIGNER, SUB_CA, ROOT;

        TBSCertificate tbs() {
            return switch (this) {
                case TLS_SERVER_EC -> PKI.leafTbs("tls-server", TestKeys.Shape.EC_P256, null,
                        dns("a.example.com"), dns("*.b.example.com"), ip("192.0.2.1"));
                case TLS_SERVER_RSA -> PKI.leafTbs("tls-server", TestKeys.Shape.RSA_2048, null, dns("rsa.example.com"));
                case TLS_CLIENT_EMAIL_ONLY -> PKI.leafTbs("tls-client", TestKeys.Shape.EC_P384, null,
                        new Identifier(Identifier.Type.EMAIL, "ops@example.com"));
                case DEVICE_URI -> PKI.leafTbs("device", TestKeys.Shape.EC_P256, "dev-1",
                        new Identifier(Identifier.Type.URI, "spiffe://fleet.example.com/dev-1"), dns("dev-1.example.com"));
                case OCSP_SIGNER -> PKI.leafTbs("ocsp-signer", TestKeys.Shape.EC_P256, "Hallmark OCSP responder");
                case SUB_CA -> PKI.subCaTbs();
                case ROOT -> PKI.rootTbs(Duration.ofDays(30 * 365));
            };
        }

        LintContext context() {
            return switch (this) {
                case TLS_SERVER_EC, TLS_SERVER_RSA -> PKI.leafContext("tls-server");
                case TLS_CLIENT_EMAIL_ONLY -> PKI.leafContext("tls-client");
                case DEVICE_URI -> PKI.leafContext("device");
                case OCSP_SIGNER -> PKI.leafContext("ocsp-signer");
                case SUB_CA -> PKI.subCaContext();
                case ROOT -> PKI.rootContext();
            };
        }
    }

    @ParameterizedTest(name = "{0} is clean")
    @EnumSource(Base.class)
    void shapedCertificatesAreClean(Base base) {
        assertThat(LINTER.lint(base.tbs(), base.context())).isEmpty();
        assertThatCode(() -> LINTER.check(base.tbs(), base.context())).doesNotThrowAnyException();
    }

    @Test
    void rootValidityPast2049IsGeneralizedTime() {
        TBSCertificate root = Base.ROOT.tbs();
        assertThat(root.getEndDate().toASN1Primitive()).isInstanceOf(ASN1GeneralizedTime.class);
        assertThat(LINTER.lint(root, Base.ROOT.context())).isEmpty();
    }

    @Test
    void randomSerialsAlwaysPass() {
        for (int i = 0; i < 200; i++) {
            TBSCertificate tbs = TestTbs.of(Base.TLS_SERVER_EC.tbs()).serial(PKI.serial().value()).build();
            assertThat(LINTER.lint(tbs, Base.TLS_SERVER_EC.context())).isEmpty();
        }
    }

    @Test
    void serialOfExactly2To63Passes() {
        TBSCertificate tbs = TestTbs.of(Base.TLS_SERVER_EC.tbs()).serial(LintFixture.SERIAL_FLOOR).build();
        assertThat(LINTER.lint(tbs, Base.TLS_SERVER_EC.context())).isEmpty();
    }

    static Stream<Arguments> brokenCertificates() {
        Instant now = LintFixture.NOW;
        return Stream.of(
                broken("version 1", Base.TLS_SERVER_EC, t -> t.version(1), "e_version_not_v3"),
                broken("serial zero", Base.TLS_SERVER_EC, t -> t.serial(BigInteger.ZERO), "e_serial_not_positive"),
                broken("serial negative", Base.TLS_SERVER_EC, t -> t.serial(BigInteger.valueOf(-77)), "e_serial_not_positive"),
                broken("serial 21 octets", Base.TLS_SERVER_EC, t -> t.serial(BigInteger.ONE.shiftLeft(160)), "e_serial_too_long"),
                broken("serial below 2^63", Base.TLS_SERVER_EC, t -> t.serial(LintFixture.SERIAL_FLOOR.subtract(BigInteger.ONE)),
                        "e_serial_low_entropy"),
                broken("sha1WithRSA", Base.TLS_SERVER_EC, t -> t.signature(new AlgorithmIdentifier(
                        PKCSObjectIdentifiers.sha1WithRSAEncryption, DERNull.INSTANCE)), "e_signature_algorithm_not_allowed"),
                broken("ECDSA with NULL parameters", Base.TLS_SERVER_EC, t -> t.signature(new AlgorithmIdentifier(
                        X9ObjectIdentifiers.ecdsa_with_SHA256, DERNull.INSTANCE)), "e_signature_algorithm_parameters"),
                broken("RSA algorithm for an EC issuer", Base.TLS_SERVER_EC, t -> t.signature(new AlgorithmIdentifier(
                        PKCSObjectIdentifiers.sha256WithRSAEncryption, DERNull.INSTANCE)), "e_signature_algorithm_key_mismatch"),
                broken("issuer is another name", Base.TLS_SERVER_EC, t -> t.issuer(new X500Name("CN=Other")), "e_issuer_dn_mismatch"),
                broken("issuer same text, PrintableString", Base.TLS_SERVER_EC, t -> t.issuer(printable(LintFixture.ISSUING_NAME)),
                        "e_issuer_dn_mismatch"),
                broken("root issuer differs from subject", Base.ROOT, t -> t.issuer(new X500Name("CN=Someone Else")),
                        "e_issuer_dn_mismatch"),
                broken("notBefore after notAfter", Base.TLS_SERVER_EC, t -> {
                    Time nb = t.notBefore;
                    t.notBefore = t.notAfter;
                    t.notAfter = nb;
                    return t;
                }, "e_validity_not_before_after_not_after"),
                broken("ends after the issuing CA", Base.SUB_CA, t -> t.notAfter(PKI.issuing.getNotAfter().toInstant()
                        .plusSeconds(1)), "e_validity_outside_issuer"),
                broken("starts before the issuing CA", Base.TLS_SERVER_EC, t -> t.notBefore(PKI.issuing.getNotBefore()
                        .toInstant().minusSeconds(1)), "e_validity_outside_issuer"),
                broken("GeneralizedTime before 2050", Base.TLS_SERVER_EC, t -> t.notBefore(new Time(
                        new ASN1GeneralizedTime(java.util.Date.from(t.notBeforeInstant())))), "e_validity_time_encoding"),
                broken("lifetime one second over", Base.TLS_SERVER_EC, t -> t.notAfter(t.notAfterInstant().plusSeconds(1)),
                        "e_validity_too_long"),
                broken("already expired", Base.TLS_SERVER_EC, t -> t.notBefore(now.minusSeconds(7200))
                        .notAfter(now.minusSeconds(1)), "e_validity_expired"),
                broken("unknown critical extension", Base.TLS_SERVER_EC, t -> t.ext(new ASN1ObjectIdentifier("1.3.6.1.4.1.99999.1"),
                        true, DERNull.INSTANCE), "e_ext_unknown_critical"),
                broken("keyUsage not a BIT STRING", Base.TLS_SERVER_EC, t -> t.ext(Extension.keyUsage, true, DERNull.INSTANCE),
                        "e_ext_malformed"),
                broken("no AKI", Base.TLS_SERVER_EC, t -> t.remove(Extension.authorityKeyIdentifier), "e_aki_missing"),
                broken("AKI of another key", Base.TLS_SERVER_EC, t -> t.ext(Extension.authorityKeyIdentifier, false,
                        new AuthorityKeyIdentifier(new byte[20])), "e_aki_mismatch"),
                broken("root AKI not its own SKI", Base.ROOT, t -> t.ext(Extension.authorityKeyIdentifier, false,
                        new AuthorityKeyIdentifier(new byte[20])), "e_aki_mismatch"),
                broken("AKI critical", Base.TLS_SERVER_EC, t -> t.critical(Extension.authorityKeyIdentifier, true), "e_aki_critical"),
                broken("no SKI on a leaf", Base.TLS_SERVER_EC, t -> t.remove(Extension.subjectKeyIdentifier), "e_ski_missing"),
                broken("no SKI on a CA", Base.SUB_CA, t -> t.remove(Extension.subjectKeyIdentifier), "e_ski_missing"),
                broken("SKI critical", Base.TLS_SERVER_EC, t -> t.critical(Extension.subjectKeyIdentifier, true), "e_ski_critical"),
                broken("leaf with cA=true", Base.TLS_SERVER_EC, t -> t.ext(Extension.basicConstraints, true,
                        new BasicConstraints(true)), "e_bc_ca_true_on_leaf"),
                broken("CA without basicConstraints", Base.SUB_CA, t -> t.remove(Extension.basicConstraints), "e_bc_missing_on_ca"),
                broken("CA basicConstraints non-critical", Base.SUB_CA, t -> t.critical(Extension.basicConstraints, false),
                        "e_bc_not_critical_on_ca"),
                broken("CA with cA=false", Base.ROOT, t -> t.ext(Extension.basicConstraints, true, new BasicConstraints(false)),
                        "e_bc_ca_false_on_ca"),
                broken("no keyUsage", Base.TLS_SERVER_EC, t -> t.remove(Extension.keyUsage), "e_ku_missing"),
                broken("keyUsage non-critical", Base.TLS_SERVER_EC, t -> t.critical(Extension.keyUsage, false), "e_ku_not_critical"),
                broken("keyUsage empty", Base.TLS_SERVER_EC, t -> t.ext(Extension.keyUsage, true, new KeyUsage(0)), "e_ku_empty"),
                broken("leaf with keyCertSign", Base.TLS_SERVER_EC, t -> t.ext(Extension.keyUsage, true,
                        new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyCertSign)), "e_ku_cert_sign_on_leaf"),
                broken("leaf with cRLSign", Base.TLS_SERVER_RSA, t -> t.ext(Extension.keyUsage, true,
                        new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment | KeyUsage.cRLSign)),
                        "e_ku_cert_sign_on_leaf"),
                broken("CA without keyCertSign", Base.SUB_CA, t -> t.ext(Extension.keyUsage, true,
                        new KeyUsage(KeyUsage.cRLSign | KeyUsage.digitalSignature)), "e_ku_ca_without_cert_sign"),
                broken("keyEncipherment on an EC key", Base.TLS_SERVER_EC, t -> t.ext(Extension.keyUsage, true,
                        new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment)), "e_ku_key_encipherment_non_rsa"),
                broken("keyUsage beyond the profile", Base.TLS_SERVER_EC, t -> t.ext(Extension.keyUsage, true,
                        new KeyUsage(KeyUsage.digitalSignature | KeyUsage.nonRepudiation)), "e_ku_profile_mismatch"),
                broken("anyExtendedKeyUsage", Base.TLS_SERVER_EC, t -> t.ext(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                        new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.anyExtendedKeyUsage})), "e_eku_any"),
                broken("EKU other than the profile's", Base.TLS_SERVER_EC, t -> t.ext(Extension.extendedKeyUsage, false,
                        new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth)), "e_eku_profile_mismatch"),
                broken("EKU missing", Base.TLS_SERVER_EC, t -> t.remove(Extension.extendedKeyUsage), "e_eku_profile_mismatch"),
                broken("EKU critical", Base.TLS_SERVER_EC, t -> t.critical(Extension.extendedKeyUsage, true), "e_eku_critical"),
                broken("serverAuth with keyAgreement only", Base.TLS_SERVER_EC, t -> t.ext(Extension.keyUsage, true,
                        new KeyUsage(KeyUsage.keyAgreement)), "e_eku_key_usage_inconsistent"),
                broken("SAN missing", Base.TLS_SERVER_EC, t -> t.remove(Extension.subjectAlternativeName), "e_san_missing"),
                broken("SAN empty", Base.TLS_SERVER_EC, t -> t.ext(Extension.subjectAlternativeName, false, new DERSequence()),
                        "e_san_empty"),
                broken("empty subject, SAN non-critical", Base.TLS_CLIENT_EMAIL_ONLY, t -> t.critical(Extension.subjectAlternativeName,
                        false), "e_san_not_critical_with_empty_subject"),
                broken("subject present, SAN critical", Base.TLS_SERVER_EC, t -> t.critical(Extension.subjectAlternativeName, true),
                        "e_san_critical_with_subject"),
                broken("empty subject without SAN", Base.TLS_CLIENT_EMAIL_ONLY, t -> t.remove(Extension.subjectAlternativeName),
                        "e_subject_empty_without_san"),
                broken("CA with empty subject", Base.SUB_CA, t -> t.subject(EMPTY), "e_subject_empty_on_ca"),
                broken("email SAN on tls-server", Base.TLS_SERVER_EC, t -> san(t, false, new GeneralName(GeneralName.dNSName,
                        "a.example.com"), new GeneralName(GeneralName.rfc822Name, "ops@example.com")), "e_san_type_not_in_profile"),
                broken("directoryName SAN", Base.TLS_SERVER_EC, t -> san(t, false, new GeneralName(GeneralName.dNSName, "a.example.com"),
                        new GeneralName(GeneralName.directoryName, new X500Name("CN=x"))), "e_san_type_not_in_profile"),
                broken("101 SANs on tls-server", Base.TLS_SERVER_EC, t -> san(t, false, manyNames(101)), "e_san_too_many"),
                broken("duplicate SAN", Base.TLS_SERVER_EC, t -> san(t, false, new GeneralName(GeneralName.dNSName, "a.example.com"),
                        new GeneralName(GeneralName.dNSName, "a.example.com")), "e_san_duplicate"),
                broken("DNS empty label", Base.TLS_SERVER_EC, t -> san(t, false, new GeneralName(GeneralName.dNSName, "a.example.com"),
                        new GeneralName(GeneralName.dNSName, "b..example.com")), "e_san_dns_malformed"),
                broken("DNS double wildcard", Base.TLS_SERVER_EC, t -> san(t, false, new GeneralName(GeneralName.dNSName, "a.example.com"),
                        new GeneralName(GeneralName.dNSName, "*.*.example.com")), "e_san_dns_malformed"),
                broken("DNS upper case", Base.TLS_SERVER_EC, t -> san(t, false, new GeneralName(GeneralName.dNSName, "a.example.com"),
                        new GeneralName(GeneralName.dNSName, "B.example.com")), "e_san_dns_not_lower_case"),
                broken("IP with netmask octets", Base.TLS_SERVER_EC, t -> san(t, false, new GeneralName(GeneralName.dNSName,
                        "a.example.com"), new GeneralName(GeneralName.iPAddress, new DEROctetString(new byte[] {10, 0, 0, 1, 8}))),
                        "e_san_ip_malformed"),
                broken("email without domain", Base.TLS_CLIENT_EMAIL_ONLY, t -> san(t, true,
                        new GeneralName(GeneralName.rfc822Name, "ops@")), "e_san_email_malformed"),
                broken("URI without host", Base.DEVICE_URI, t -> san(t, false, new GeneralName(GeneralName.uniformResourceIdentifier,
                        "urn:example:dev-1"), new GeneralName(GeneralName.dNSName, "dev-1.example.com")), "e_san_uri_malformed"),
                broken("CN not among SANs", Base.TLS_SERVER_EC, t -> t.subject(new X500NameBuilder(BCStyle.INSTANCE)
                        .addRDN(BCStyle.CN, "other.example.com").build()), "e_cn_not_in_san"),
                broken("P-521 subject key", Base.TLS_SERVER_EC, t -> t.key(TestKeys.spki(TestKeys.Shape.EC_P521)),
                        "e_subject_key_invalid"),
                broken("Ed25519 key on ocsp-signer", Base.OCSP_SIGNER, t -> t.key(TestKeys.spki(TestKeys.Shape.ED25519)),
                        "e_subject_key_not_in_profile"),
                broken("ocsp-nocheck on tls-server", Base.TLS_SERVER_EC, t -> t.ext(CertificateShaper.OCSP_NOCHECK, false,
                        DERNull.INSTANCE), "e_ocsp_nocheck_not_allowed"),
                broken("ocsp-nocheck missing on ocsp-signer", Base.OCSP_SIGNER, t -> t.remove(CertificateShaper.OCSP_NOCHECK),
                        "e_ocsp_nocheck_missing"),
                broken("ocsp-nocheck without OCSPSigning", Base.OCSP_SIGNER, t -> t.ext(Extension.extendedKeyUsage, false,
                        new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth)), "e_ocsp_nocheck_without_ocsp_signing"));
    }

    @ParameterizedTest(name = "{0} -> {3}")
    @MethodSource("brokenCertificates")
    void eachRuleHasAFailingCase(String name, Base base, UnaryOperator<TestTbs> breakIt, String rule) {
        COVERED.add(rule);
        TBSCertificate tbs = breakIt.apply(TestTbs.of(base.tbs())).build();
        List<Finding> findings = LINTER.lint(tbs, base.context());
        assertThat(findings).extracting(Finding::rule).contains(rule);
        assertThatThrownBy(() -> LINTER.check(tbs, base.context()))
                .isInstanceOfSatisfying(CaException.class, e -> {
                    assertThat(e.kind()).isEqualTo(CaException.Kind.LINT_FAILED);
                    assertThat(e.subproblems()).hasSize(findings.size())
                            .allSatisfy(s -> assertThat(s.kind()).isEqualTo(CaException.Kind.LINT_FAILED));
                });
    }

    @Test
    void leafLintedWithoutProfileFailsClosed() {
        LintContext noProfile = new LintContext(PKI.issuing, null, LintContext.Expectation.LEAF, LintFixture.NOW);
        assertThat(LINTER.lint(Base.TLS_SERVER_EC.tbs(), noProfile)).extracting(Finding::rule).contains("e_lint_context_invalid");
        LintContext leafAsRoot = new LintContext(null, PKI.profile("tls-server"), LintContext.Expectation.LEAF, LintFixture.NOW);
        assertThat(LINTER.lint(Base.TLS_SERVER_EC.tbs(), leafAsRoot)).extracting(Finding::rule).contains("e_lint_context_invalid");
    }

    @Test
    void subordinateMustFitUnderTheIssuersPathLength() {
        // An issuing CA with pathLenConstraint 0 may not certify another CA.
        dev.hallmark.authority.IssuerKey byRoot = new dev.hallmark.authority.IssuerKey("root",
                new dev.hallmark.hsm.KeyRef("soft", "root", dev.hallmark.hsm.KeyType.EC_P256),
                dev.hallmark.hsm.SignatureAlgorithm.ECDSA_SHA256, PKI.root, List.of());
        org.bouncycastle.cert.X509CertificateHolder leafOnlyCa = LintFixture.sign(CertificateShaper.ca(byRoot,
                LintFixture.ISSUING_NAME, LintFixture.spki(PKI.issuingKey), 0, PKI.serial(), LintFixture.CA_CREATED,
                Duration.ofDays(3650)), PKI.rootKey);
        LintContext ctx = new LintContext(leafOnlyCa, null, LintContext.Expectation.CA, LintFixture.NOW);
        assertThat(LINTER.lint(Base.SUB_CA.tbs(), ctx)).extracting(Finding::rule).containsExactly("e_bc_path_length_exceeded");
        assertThat(LINTER.lint(Base.TLS_SERVER_EC.tbs(), new LintContext(leafOnlyCa, PKI.profile("tls-server"),
                LintContext.Expectation.LEAF, LintFixture.NOW))).isEmpty();
    }

    @Test
    void caCertificateLintedAsLeafFails() {
        assertThat(LINTER.lint(Base.SUB_CA.tbs(), PKI.leafContext("tls-server"))).extracting(Finding::rule)
                .contains("e_bc_ca_true_on_leaf", "e_ku_cert_sign_on_leaf");
    }

    @Test
    void everyFindingIsReported() {
        TBSCertificate tbs = TestTbs.of(Base.TLS_SERVER_EC.tbs()).serial(BigInteger.ONE).remove(Extension.keyUsage)
                .remove(Extension.authorityKeyIdentifier).build();
        assertThat(LINTER.lint(tbs, Base.TLS_SERVER_EC.context())).extracting(Finding::rule)
                .contains("e_serial_low_entropy", "e_ku_missing", "e_aki_missing");
    }

    @Test
    void duplicateExtensionsAreFoundInTheEncoding() {
        // BouncyCastle's Extensions refuses duplicates, so a TBSCertificate object cannot hold them; the rule works
        // on the raw OID sequence, which is tested here.
        ASN1ObjectIdentifier ku = Extension.keyUsage;
        DERSequence raw = new DERSequence(new org.bouncycastle.asn1.ASN1Encodable[] {
                new DERSequence(new org.bouncycastle.asn1.ASN1Encodable[] {ku, new DEROctetString(new byte[] {3, 2, 7, (byte) 0x80})}),
                new DERSequence(new org.bouncycastle.asn1.ASN1Encodable[] {Extension.subjectKeyIdentifier, new DEROctetString(new byte[] {4, 0})}),
                new DERSequence(new org.bouncycastle.asn1.ASN1Encodable[] {ku, new DEROctetString(new byte[] {3, 2, 7, (byte) 0x80})})});
        assertThat(ExtensionRules.duplicates(LintTarget.extensionOids(raw))).containsExactly(ku);
        assertThat(ExtensionRules.duplicates(List.of(ku, Extension.subjectKeyIdentifier))).isEmpty();
    }

    @Test
    void ruleIdsAreUniqueAndCovered() {
        List<String> ids = LINTER.ruleIds();
        assertThat(ids).doesNotHaveDuplicates();
        // Run the cases here too so the check does not depend on test order.
        brokenCertificates().forEach(a -> COVERED.add((String) a.get()[3]));
        assertThat(ids).allSatisfy(id -> assertThat(COVERED.contains(id)
                || Set.of("e_ext_duplicate", "e_lint_rule_error", "e_lint_context_invalid", "e_bc_path_length_exceeded").contains(id))
                .as("rule %s has a failing case", id).isTrue());
    }

    private static Arguments broken(String name, Base base, UnaryOperator<TestTbs> modifier, String rule) {
        return Arguments.of(name, base, modifier, rule);
    }

    private static TestTbs san(TestTbs t, boolean critical, GeneralName... names) {
        return t.ext(Extension.subjectAlternativeName, critical, new GeneralNames(names));
    }

    private static GeneralName[] manyNames(int n) {
        GeneralName[] names = new GeneralName[n];
        names[0] = new GeneralName(GeneralName.dNSName, "a.example.com");
        for (int i = 1; i < n; i++) {
            names[i] = new GeneralName(GeneralName.dNSName, "n" + i + ".example.com");
        }
        return names;
    }

    /** The same name with every value re-encoded as PrintableString. */
    private static X500Name printable(X500Name name) {
        X500NameBuilder b = new X500NameBuilder(BCStyle.INSTANCE);
        for (org.bouncycastle.asn1.x500.RDN rdn : name.getRDNs()) {
            b.addRDN(rdn.getFirst().getType(), new DERPrintableString(rdn.getFirst().getValue().toString()));
        }
        return b.build();
    }
}
