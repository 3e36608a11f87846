package dev.hallmark.authority;

import static dev.hallmark.authority.testing.TestCsr.askingForCa;
import static dev.hallmark.authority.testing.TestCsr.askingForEku;
import static dev.hallmark.authority.testing.TestCsr.signedWith;
import static dev.hallmark.authority.testing.TestCsr.withBadSignature;
import static dev.hallmark.authority.testing.TestCsr.withCn;
import static dev.hallmark.authority.testing.TestCsr.withDns;
import static dev.hallmark.authority.testing.TestCsr.withEmail;
import static dev.hallmark.authority.testing.TestCsr.withExtension;
import static dev.hallmark.authority.testing.TestCsr.withIp;
import static dev.hallmark.authority.testing.TestCsr.withKey;
import static dev.hallmark.authority.testing.TestCsr.withUri;
import static dev.hallmark.authority.testing.TestCsr.withoutSans;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hallmark.authority.policy.NameRules;
import dev.hallmark.authority.policy.PolicyRules;
import dev.hallmark.authority.testing.StoredState;
import dev.hallmark.authority.testing.TestCsr;
import dev.hallmark.authority.testing.TestPki;
import dev.hallmark.hsm.KeyType;
import java.io.ByteArrayInputStream;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509CertificateHolder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class AuthorityIssueTest {
    private TestPki pki;

    @BeforeEach
    void setUp() {
        pki = TestPki.create();
    }

    @AfterEach
    void tearDown() {
        pki.close();
    }

    @ParameterizedTest(name = "subject key {0}")
    @EnumSource(value = KeyType.class, names = {"EC_P256", "EC_P384", "RSA_2048", "ED25519"})
    void issuesATlsServerCertificateThatChainsToTheRoot(KeyType type) throws Exception {
        IssuedCertificate issued = pki.issue("tls-server", TestCsr.of("www.example.com", withKey(type), withDns("example.com")));

        X509Certificate cert = parse(issued.record().der());
        X509Certificate issuing = parse(issued.chain().get(0));
        X509Certificate root = parse(issued.chain().get(1));
        cert.verify(issuing.getPublicKey());
        issuing.verify(root.getPublicKey());
        root.verify(root.getPublicKey());
        assertThat(cert.getBasicConstraints()).isEqualTo(-1);
        assertThat(cert.getExtendedKeyUsage()).containsExactly(KeyPurposeId.id_kp_serverAuth.getId());
        assertThat(cert.getSubjectAlternativeNames().stream().map(l -> (Object) l.get(1)).toList())
                .containsExactly("www.example.com", "example.com");
        assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=www.example.com");
        assertThat(cert.getSerialNumber().bitLength()).isGreaterThanOrEqualTo(64);
        assertThat(Duration.between(cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant()))
                .isEqualTo(Duration.ofDays(90).plusHours(1));
        assertThat(issued.record().status(pki.clock.instant())).isEqualTo(CertificateStatus.VALID);
        assertThat(pki.store.certificate("issuing", issued.record().serial()).orElseThrow().der())
                .isEqualTo(issued.record().der());
        assertThat(pki.store.serial("issuing", issued.record().serial()).orElseThrow().state()).isEqualTo(SerialState.ISSUED);
    }

    @Test
    void keyEnciphermentOnlyForRsaSubjectKeys() throws Exception {
        X509Certificate ec = parse(pki.issue("tls-server", TestCsr.of("ec.example", withKey(KeyType.EC_P256))).record().der());
        X509Certificate rsa = parse(pki.issue("tls-server", TestCsr.of("rsa.example", withKey(KeyType.RSA_2048))).record().der());
        assertThat(ec.getKeyUsage()[2]).isFalse();
        assertThat(rsa.getKeyUsage()[2]).isTrue();
    }

    @Test
    void ipAndEmailAndUriIdentifiersAreCertifiedUnderProfilesThatAllowThem() throws Exception {
        IssuedCertificate server = pki.issue("tls-server", TestCsr.of("host.example", withIp("192.0.2.7", "2001:db8::1")));
        assertThat(server.record().identifiers()).extracting(Identifier::value)
                .containsExactly("host.example", "192.0.2.7", "2001:db8::1");
        IssuedCertificate client = pki.issue("tls-client", TestCsr.of(null, withCn("alice@example.com"),
                withEmail("alice@example.com"), withUri("spiffe://example.com/alice")));
        assertThat(parse(client.record().der()).getExtendedKeyUsage()).containsExactly(KeyPurposeId.id_kp_clientAuth.getId());
    }

    @Test
    void csrExtensionsAreNeverCopied() throws Exception {
        // A harmless non-critical extension the CSR asks for (ocsp-nocheck) must not appear in a tls-server cert.
        IssuedCertificate issued = pki.issue("tls-server", TestCsr.of("copy.example",
                withExtension(new ASN1ObjectIdentifier("1.3.6.1.5.5.7.48.1.5"), false, DERNull.INSTANCE)));
        X509CertificateHolder holder = new X509CertificateHolder(issued.record().der());
        assertThat(holder.getExtension(new ASN1ObjectIdentifier("1.3.6.1.5.5.7.48.1.5"))).isNull();
        assertThat(Arrays.stream(holder.getExtensions().getExtensionOIDs()).map(ASN1ObjectIdentifier::getId))
                .containsExactlyInAnyOrder(Extension.basicConstraints.getId(), Extension.keyUsage.getId(),
                        Extension.extendedKeyUsage.getId(), Extension.subjectKeyIdentifier.getId(),
                        Extension.authorityKeyIdentifier.getId(), Extension.subjectAlternativeName.getId());
    }

    @Test
    void validatedIdentifiersMustEqualTheCsrNames() {
        byte[] csr = TestCsr.of("a.example", withDns("b.example"));
        IssuanceRequest mismatch = new IssuanceRequest("issuing", "tls-server", csr,
                List.of(Identifier.dns("a.example")), "acme:account/1", Provenance.admin("acme", null, pki.clock.instant()));
        StoredState before = StoredState.of(pki.database);
        assertThatThrownBy(() -> pki.authority.issue(mismatch))
                .isInstanceOfSatisfying(CaException.class, e -> assertThat(e.kind()).isEqualTo(CaException.Kind.BAD_CSR));
        assertThat(StoredState.of(pki.database)).isEqualTo(before);

        IssuanceRequest exact = new IssuanceRequest("issuing", "tls-server", csr,
                List.of(Identifier.dns("b.example"), Identifier.dns("a.example")), "acme:account/1",
                Provenance.admin("acme", null, pki.clock.instant()));
        assertThat(pki.authority.issue(exact).record().identifiers()).hasSize(2);
    }

    /** A refusal: its kind, and that nothing stored changed. */
    private void assertRefused(String profile, byte[] csr, CaException.Kind kind) {
        StoredState before = StoredState.of(pki.database);
        assertThatThrownBy(() -> pki.issue(profile, csr))
                .isInstanceOfSatisfying(CaException.class, e -> assertThat(e.kind()).isEqualTo(kind));
        assertThat(StoredState.of(pki.database)).isEqualTo(before);
    }

    @Test
    void badCsrSignatureIsRefused() {
        assertRefused("tls-server", TestCsr.of("pop.example", withBadSignature()), CaException.Kind.BAD_CSR);
    }

    @Test
    void sha1SignedCsrIsRefused() {
        assertRefused("tls-server", TestCsr.of("sha1.example", withKey(KeyType.RSA_2048), signedWith("SHA1withRSA")),
                CaException.Kind.BAD_SIGNATURE_ALGORITHM);
    }

    @Test
    void csrAskingForCaRightsIsRefused() {
        StoredState before = StoredState.of(pki.database);
        assertThatThrownBy(() -> pki.issue("tls-server", TestCsr.of("ca.example", askingForCa())))
                .isInstanceOf(CaException.class)
                .satisfies(e -> assertThat(((CaException) e).kind()).isIn(CaException.Kind.POLICY_DENIED, CaException.Kind.BAD_CSR));
        assertThat(StoredState.of(pki.database)).isEqualTo(before);
    }

    @Test
    void csrAskingForAnEkuTheProfileDoesNotGrantIsRefused() {
        assertRefused("tls-server", TestCsr.of("eku.example", askingForEku(KeyPurposeId.id_kp_codeSigning)), CaException.Kind.BAD_CSR);
    }

    @Test
    void unknownCriticalCsrExtensionIsRefused() {
        assertRefused("tls-server", TestCsr.of("crit.example",
                withExtension(new ASN1ObjectIdentifier("1.2.3.4.5"), true, DERNull.INSTANCE)), CaException.Kind.BAD_CSR);
    }

    @Test
    void garbageAndOversizedAndDeeplyNestedInputIsMalformed() {
        assertRefused("tls-server", "not a csr".getBytes(), CaException.Kind.MALFORMED);
        assertRefused("tls-server", new byte[CertificationRequest.MAX_BYTES + 1], CaException.Kind.MALFORMED);
        byte[] nested = new byte[4000];
        for (int i = 0; i < nested.length / 2; i++) {
            nested[2 * i] = 0x30;
            nested[2 * i + 1] = (byte) 0x80; // indefinite-length SEQUENCE, 2000 levels deep
        }
        assertRefused("tls-server", nested, CaException.Kind.MALFORMED);
        byte[] truncated = Arrays.copyOf(TestCsr.of("t.example"), 60);
        assertRefused("tls-server", truncated, CaException.Kind.MALFORMED);
    }

    @Test
    void rsaPssNamingSha1OrNothingIsABadSignatureAlgorithm() {
        // RSASSA-PSS without parameters means SHA-1 (RFC 4055): the weak-hash ban must look inside the parameters.
        assertRefused("tls-server", TestCsr.of("pss-sha1.example", withKey(KeyType.RSA_2048),
                signedWith("SHA1withRSAandMGF1")), CaException.Kind.BAD_SIGNATURE_ALGORITHM);
        byte[] csr = TestCsr.of("pss-sha256.example", withKey(KeyType.RSA_2048), signedWith("SHA256withRSAandMGF1"));
        assertThat(pki.issue("tls-server", csr).record().identifiers()).containsExactly(Identifier.dns("pss-sha256.example"));
    }

    @Test
    void lengthsLongerThanNeededAreMalformed() {
        byte[] csr = TestCsr.of("ber.example");
        assertThat(csr[1]).isEqualTo((byte) 0x81); // a P-256 CSR is 128-255 bytes: one length octet
        byte[] ber = new byte[csr.length + 1];
        ber[0] = 0x30;
        ber[1] = (byte) 0x82;
        ber[2] = 0x00; // the same length in two octets, the first zero: valid BER, not DER
        System.arraycopy(csr, 2, ber, 3, csr.length - 2);
        assertRefused("tls-server", ber, CaException.Kind.MALFORMED);
    }

    @Test
    void keyTypeNotInProfileIsRefused() {
        assertRefused("device", TestCsr.of("dev.example", withKey(KeyType.ED25519)), CaException.Kind.BAD_PUBLIC_KEY);
    }

    @Test
    void csrWithTheIssuingCaOwnKeyIsRefused() throws Exception {
        // The soft token lets the test sign a CSR with the CA's key, as an insider with key access could.
        var key = pki.issuing.key();
        var signer = new dev.hallmark.hsm.TokenContentSigner(pki.token, key, key.type().defaultSignatureAlgorithm());
        var spki = org.bouncycastle.asn1.x509.SubjectPublicKeyInfo.getInstance(pki.token.publicKey(key).getEncoded());
        byte[] csr = new org.bouncycastle.pkcs.PKCS10CertificationRequestBuilder(
                new org.bouncycastle.asn1.x500.X500Name("CN=own.example"), spki).build(signer).getEncoded();
        assertRefused("tls-client", csr, CaException.Kind.BAD_PUBLIC_KEY);
    }

    @Test
    void aCnOnlyCsrGetsItsCnAsTheOneSan() throws Exception {
        IssuedCertificate issued = pki.issue("tls-server", TestCsr.of("cn-only.example", withoutSans()));
        assertThat(issued.record().identifiers()).containsExactly(Identifier.dns("cn-only.example"));
        assertThat(parse(issued.record().der()).getSubjectAlternativeNames()).hasSize(1);
        IssuedCertificate ip = pki.issue("tls-server", TestCsr.of("192.0.2.10", withoutSans(), TestCsr.withFreshKey()));
        assertThat(ip.record().identifiers()).containsExactly(Identifier.ip("192.0.2.10"));
    }

    @Test
    void aCnOnlyCsrWhoseCnIsNoHostNameIsRefused() {
        StoredState before = StoredState.of(pki.database);
        assertThatThrownBy(() -> pki.issue("tls-server", TestCsr.of(null, withCn("Not a host name"))))
                .isInstanceOf(CaException.class);
        assertThat(StoredState.of(pki.database)).isEqualTo(before);
    }

    @Test
    void tlsServerWithoutSansIsRefused() {
        StoredState before = StoredState.of(pki.database);
        assertThatThrownBy(() -> pki.issue("tls-server", TestCsr.of(null, withoutSans())))
                .isInstanceOf(CaException.class);
        assertThat(StoredState.of(pki.database)).isEqualTo(before);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"bad..example", "-lead.example", "exa mple.com", "*.*.example.com", "under_score.example"})
    void syntacticallyBadNamesAreRejected(String name) {
        StoredState before = StoredState.of(pki.database);
        assertThatThrownBy(() -> pki.issue("tls-server", TestCsr.of("ok.example", withDns(name))))
                .isInstanceOf(CaException.class);
        assertThat(StoredState.of(pki.database)).isEqualTo(before);
    }

    @Test
    void namesOutsidePolicyAreRejectedWithOneSubproblemEach() {
        try (TestPki strict = TestPki.builder().policy(new PolicyRules(
                new NameRules(List.of(".example.com"), List.of("secret.example.com")), null, null, null, null,
                PolicyRules.DEFAULT_MAX_VALIDITY, PolicyRules.DEFAULT_MAX_SANS, true)).build()) {
            StoredState before = StoredState.of(strict.database);
            assertThatThrownBy(() -> strict.issue("tls-server", TestCsr.of("www.example.com",
                    withDns("evil.example.org", "secret.example.com"))))
                    .isInstanceOfSatisfying(CaException.class, e -> {
                        assertThat(e.kind()).isEqualTo(CaException.Kind.REJECTED_IDENTIFIER);
                        assertThat(e.subproblems()).extracting(CaException.Subproblem::identifier)
                                .containsExactlyInAnyOrder(Identifier.dns("evil.example.org"), Identifier.dns("secret.example.com"));
                    });
            assertThat(StoredState.of(strict.database)).isEqualTo(before);
            assertThat(strict.issue("tls-server", TestCsr.of("www.example.com")).record().identifiers())
                    .containsExactly(Identifier.dns("www.example.com"));
        }
    }

    @Test
    void unknownProfileAndUnknownCaAreNotFound() {
        assertRefused("no-such-profile", TestCsr.of("x.example"), CaException.Kind.NOT_FOUND);
        StoredState before = StoredState.of(pki.database);
        assertThatThrownBy(() -> pki.authority.issue(new IssuanceRequest("nope", "tls-server", TestCsr.of("x.example"),
                List.of(), "t", Provenance.admin("cli", "t", pki.clock.instant()))))
                .isInstanceOfSatisfying(CaException.class, e -> assertThat(e.kind()).isEqualTo(CaException.Kind.NOT_FOUND));
        assertThat(StoredState.of(pki.database)).isEqualTo(before);
    }

    @Test
    void haltStopsIssuanceButNotRevocation() {
        IssuedCertificate issued = pki.issue("tls-server", TestCsr.of("halt.example"));
        pki.authority.halt("incident 42");
        assertRefused("tls-server", TestCsr.of("after.example"), CaException.Kind.POLICY_DENIED);
        pki.authority.revoke(new RevocationRequest("issuing", issued.record().serial(), RevocationReason.SUPERSEDED, "t"));
        pki.authority.resume();
        assertThat(pki.issue("tls-server", TestCsr.of("after.example")).record()).isNotNull();
    }

    @Test
    void dryRunExplainsWithoutWriting() {
        StoredState before = StoredState.of(pki.database);
        var decision = pki.authority.dryRun(pki.request("tls-server", TestCsr.of("ok.example", withDns("bad..name"))));
        assertThat(decision.allowed()).isFalse();
        assertThat(decision.reasons()).isNotEmpty();
        assertThat(pki.authority.dryRun(pki.request("tls-server", TestCsr.of("ok.example"))).allowed()).isTrue();
        assertThat(StoredState.of(pki.database)).isEqualTo(before);
    }

    @Test
    void validityIsCappedAtTheIssuingCaNotAfter() throws Exception {
        pki.clock.advance(Duration.ofDays(1825 - 30));
        X509Certificate cert = parse(pki.issue("tls-server", TestCsr.of("late.example")).record().der());
        assertThat(cert.getNotAfter().toInstant()).isEqualTo(pki.issuing.record().notAfter());
    }

    static X509Certificate parse(byte[] der) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    }
}
