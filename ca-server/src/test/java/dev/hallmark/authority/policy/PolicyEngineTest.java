package dev.hallmark.authority.policy;

import static dev.hallmark.authority.Identifier.dns;
import static dev.hallmark.authority.Identifier.ip;
import static dev.hallmark.authority.policy.PolicyCsr.withEku;
import static dev.hallmark.authority.policy.PolicyCsr.withKey;
import static dev.hallmark.authority.policy.PolicyCsr.withKeyUsage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hallmark.authority.CaException;
import dev.hallmark.authority.CaException.Kind;
import dev.hallmark.authority.CertificationRequest;
import dev.hallmark.authority.Identifier;
import dev.hallmark.authority.profile.Profile;
import dev.hallmark.authority.profile.ProfileCatalog;
import dev.hallmark.hsm.KeyType;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.stream.Stream;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.asn1.nist.NISTNamedCurves;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PolicyEngineTest {
    private static final ProfileCatalog PROFILES = ProfileCatalog.defaults();
    private static final Profile TLS_SERVER = PROFILES.get("tls-server");
    private static final Profile TLS_CLIENT = PROFILES.get("tls-client");
    private static final Profile DEVICE = PROFILES.get("device");

    private static final PolicyRules NAMED = new PolicyRules(
            new NameRules(List.of(".example.com", "*.wild.example.org"),
                    List.of("secret.example.com", "*.internal.example.com")),
            new NameRules(List.of("10.0.0.0/8", "2001:db8::/32"), List.of("10.9.0.0/16")),
            new NameRules(List.of("example.com"), List.of("ceo@example.com")),
            new NameRules(List.of("spiffe://*.example.com"), List.of("spiffe://evil.example.com")),
            null, null, 100, true);
    private static final PolicyEngine ENGINE = new PolicyEngine(NAMED);

    private static Identifier email(String v) {
        return new Identifier(Identifier.Type.EMAIL, v);
    }

    private static Identifier uri(String v) {
        return new Identifier(Identifier.Type.URI, v);
    }

    private static PolicyDecision evaluate(PolicyEngine engine, Profile profile, List<Identifier> ids, CertificationRequest csr) {
        return engine.evaluate(new PolicyRequest(profile, csr, ids, null));
    }

    private static PolicyDecision evaluate(Profile profile, List<Identifier> ids) {
        return evaluate(ENGINE, profile, ids, PolicyCsr.of(ids));
    }

    static Stream<Arguments> names() {
        return Stream.of(
                Arguments.of("name under an allowed domain", dns("a.example.com"), null),
                Arguments.of("the allowed domain itself", dns("example.com"), null),
                Arguments.of("wildcard covered by the allowed domain", dns("*.apps.example.com"), null),
                Arguments.of("wildcard covered by a wildcard pattern", dns("*.wild.example.org"), null),
                Arguments.of("upper case and trailing dot normalised", dns("A.Example.COM."), null),
                Arguments.of("denied exact name", dns("secret.example.com"), "name_denied"),
                Arguments.of("deny beats allow for a wildcard reaching a denied name", dns("*.example.com"), "name_denied"),
                Arguments.of("denied subtree", dns("db.internal.example.com"), "name_denied"),
                Arguments.of("outside every allowed domain", dns("example.net"), "name_not_allowed"),
                Arguments.of("wildcard only partly covered", dns("*.example.org"), "name_not_allowed"),
                Arguments.of("empty label", dns("a..example.com"), "identifier_syntax"),
                Arguments.of("wildcard not leftmost", dns("a.*.example.com"), "identifier_syntax"),
                Arguments.of("partial wildcard", dns("a*.example.com"), "identifier_syntax"),
                Arguments.of("invalid punycode", dns("xn--zz.example.com"), "identifier_syntax"),
                Arguments.of("R-LDH label", dns("ab--cd.example.com"), "identifier_syntax"),
                Arguments.of("U-label instead of A-label", dns("bücher.example.com"), "identifier_syntax"),
                Arguments.of("valid A-label", dns("xn--bcher-kva.example.com"), null),
                Arguments.of("IPv4 inside the CIDR", ip("10.1.2.3"), null),
                Arguments.of("IPv4 in the denied /16", ip("10.9.1.1"), "name_denied"),
                Arguments.of("IPv4 outside the CIDR", ip("192.168.1.1"), "name_not_allowed"),
                Arguments.of("IPv6 inside the CIDR", ip("2001:db8::1"), null),
                Arguments.of("IPv6 outside the CIDR", ip("2001:db9::1"), "name_not_allowed"),
                Arguments.of("IPv6 not canonical (RFC 5952)", ip("2001:db8:0:0:0:0:0:1"), "identifier_syntax"),
                Arguments.of("IPv4 with leading zero", ip("10.01.2.3"), "identifier_syntax"),
                Arguments.of("email in an allowed domain", email("ops@example.com"), null),
                Arguments.of("denied email address", email("ceo@example.com"), "name_denied"),
                Arguments.of("email in another domain", email("ops@example.net"), "name_not_allowed"),
                Arguments.of("email with upper-case domain", email("ops@Example.com"), "identifier_not_normalised"),
                Arguments.of("malformed email", email("ops@@example.com"), "identifier_syntax"),
                Arguments.of("SPIFFE URI in an allowed trust domain", uri("spiffe://svc.example.com/ns/a"), null),
                Arguments.of("denied URI host", uri("spiffe://evil.example.com/x"), "name_denied"),
                Arguments.of("URI with another scheme", uri("https://svc.example.com/"), "name_not_allowed"),
                Arguments.of("URI without a host", uri("urn:example:a"), "identifier_syntax"));
    }

    @ParameterizedTest(name = "{0}: {1} -> {2}")
    @MethodSource("names")
    void namePolicy(String name, Identifier id, String rule) {
        PolicyDecision d = evaluate(TLS_CLIENT, List.of(id));
        if (rule == null) {
            assertThat(d.reasons()).isEmpty();
            assertThat(d.allowed()).isTrue();
        } else {
            assertThat(d.reasons()).extracting(Reason::rule).containsExactly(rule);
            assertThat(d.reasons()).allSatisfy(r -> {
                assertThat(r.kind()).isEqualTo(Kind.REJECTED_IDENTIFIER);
                assertThat(r.identifier()).isEqualTo(id);
            });
            assertThatThrownBy(d::enforce).isInstanceOfSatisfying(CaException.class,
                    e -> assertThat(e.kind()).isEqualTo(Kind.REJECTED_IDENTIFIER));
        }
    }

    @Test
    void wildcardsCanBeSwitchedOff() {
        PolicyRules noWildcards = new PolicyRules(null, null, null, null, null, null, 100, false);
        PolicyEngine engine = new PolicyEngine(noWildcards);
        List<Identifier> ids = List.of(dns("*.example.com"));
        assertThat(evaluate(engine, TLS_SERVER, ids, PolicyCsr.of(ids)).reasons()).extracting(Reason::rule)
                .containsExactly("wildcard_not_allowed");
    }

    @Test
    void everyIdentifierIsCheckedOnItsOwn() {
        PolicyDecision d = evaluate(TLS_SERVER, List.of(dns("a.example.com"), dns("secret.example.com"), dns("example.net")));
        assertThat(d.reasons()).extracting(Reason::rule).containsExactly("name_denied", "name_not_allowed");
        assertThat(d.reasons()).extracting(Reason::identifier).containsExactly(dns("secret.example.com"), dns("example.net"));
        assertThatThrownBy(d::enforce).isInstanceOfSatisfying(CaException.class, e -> {
            assertThat(e.kind()).isEqualTo(Kind.REJECTED_IDENTIFIER);
            assertThat(e.subproblems()).extracting(CaException.Subproblem::identifier)
                    .containsExactly(dns("secret.example.com"), dns("example.net"));
        });
    }

    @Test
    void sanTypeMustBeAllowedByTheProfile() {
        assertThat(evaluate(TLS_SERVER, List.of(dns("a.example.com"), email("ops@example.com"))).reasons())
                .extracting(Reason::rule).containsExactly("san_type_not_in_profile");
    }

    @Test
    void duplicatesAreRefused() {
        assertThat(evaluate(TLS_SERVER, List.of(dns("a.example.com"), dns("A.example.com."))).reasons())
                .extracting(Reason::rule).containsExactly("identifier_duplicate");
    }

    @Test
    void sansAreRequiredWhenTheProfileSaysSo() {
        PolicyDecision d = evaluate(TLS_SERVER, List.of());
        assertThat(d.reasons()).extracting(Reason::rule).containsExactly("san_required");
        assertThatThrownBy(d::enforce).isInstanceOfSatisfying(CaException.class,
                e -> assertThat(e.kind()).isEqualTo(Kind.POLICY_DENIED));
    }

    @Test
    void tooManySansForTheProfile() {
        List<Identifier> ids = new ArrayList<>();
        for (int i = 0; i < 101; i++) {
            ids.add(dns("n" + i + ".example.com"));
        }
        assertThat(evaluate(TLS_SERVER, ids).reasons()).extracting(Reason::rule).containsExactly("too_many_sans");
    }

    @Test
    void tooManySansForTheRules() {
        PolicyEngine engine = new PolicyEngine(new PolicyRules(null, null, null, null, null, null, 3, true));
        List<Identifier> ids = List.of(dns("a.example.com"), dns("b.example.com"), dns("c.example.com"), dns("d.example.com"));
        assertThat(evaluate(engine, TLS_SERVER, ids, PolicyCsr.of(ids)).reasons()).extracting(Reason::rule)
                .containsExactly("too_many_sans");
    }

    static Stream<Arguments> validities() {
        return Stream.of(
                Arguments.of("profile default", null, List.of()),
                Arguments.of("shorter than the profile", Duration.ofDays(30), List.of()),
                Arguments.of("longer than the profile", Duration.ofDays(91), List.of("validity_exceeds_profile")),
                Arguments.of("longer than the CA maximum", Duration.ofDays(399), List.of("validity_too_long", "validity_exceeds_profile")),
                Arguments.of("zero", Duration.ZERO, List.of("validity_not_positive")));
    }

    @ParameterizedTest(name = "validity {0}")
    @MethodSource("validities")
    void validity(String name, Duration validity, List<String> rules) {
        List<Identifier> ids = List.of(dns("a.example.com"));
        PolicyDecision d = ENGINE.evaluate(new PolicyRequest(TLS_SERVER, PolicyCsr.of(ids), ids, validity));
        assertThat(d.reasons()).extracting(Reason::rule).containsExactlyElementsOf(rules);
        assertThat(d.reasons()).allSatisfy(r -> assertThat(r.kind()).isEqualTo(Kind.POLICY_DENIED));
    }

    static Stream<Arguments> keys() {
        PolicyRules ecOnly = new PolicyRules(null, null, null, null,
                new KeyRules(EnumSet.of(KeyType.EC_P256, KeyType.EC_P384), 2048, 8192, true), null, 100, true);
        PolicyRules rsa3072 = new PolicyRules(null, null, null, null,
                new KeyRules(EnumSet.allOf(KeyType.class), 3072, 8192, true), null, 100, true);
        PolicyRules rsaMax2048 = new PolicyRules(null, null, null, null,
                new KeyRules(EnumSet.allOf(KeyType.class), 2048, 2048, true), null, 100, true);
        PolicyRules defaults = PolicyRules.defaults();
        BigInteger n = TestKeys.normalModulus();
        BigInteger f4 = BigInteger.valueOf(65537);
        return Stream.of(
                key("EC P-256", defaults, TLS_SERVER, TestKeys.spki(TestKeys.Shape.EC_P256), null),
                key("EC P-384", defaults, TLS_SERVER, TestKeys.spki(TestKeys.Shape.EC_P384), null),
                key("RSA 2048", defaults, TLS_SERVER, TestKeys.spki(TestKeys.Shape.RSA_2048), null),
                key("RSA 3072", rsa3072, TLS_SERVER, TestKeys.spki(TestKeys.Shape.RSA_3072), null),
                key("Ed25519", defaults, TLS_SERVER, TestKeys.spki(TestKeys.Shape.ED25519), null),
                key("EC P-521", defaults, TLS_SERVER, TestKeys.spki(TestKeys.Shape.EC_P521), "key_unsupported"),
                key("Ed25519 on device", defaults, DEVICE, TestKeys.spki(TestKeys.Shape.ED25519), "key_type_not_in_profile"),
                key("RSA when policy allows EC only", ecOnly, TLS_SERVER, TestKeys.spki(TestKeys.Shape.RSA_2048),
                        "key_type_not_allowed"),
                key("RSA 2048 below rsaMinBits 3072", rsa3072, TLS_SERVER, TestKeys.spki(TestKeys.Shape.RSA_2048), "rsa_too_small"),
                key("RSA 3072 above rsaMaxBits 2048", rsaMax2048, TLS_SERVER, TestKeys.spki(TestKeys.Shape.RSA_3072), "rsa_too_large"),
                key("RSA 1024", defaults, TLS_SERVER, TestKeys.rsa(BigInteger.ONE.shiftLeft(1023).setBit(0), f4), "rsa_size"),
                key("RSA 2047 bits", defaults, TLS_SERVER, TestKeys.rsa(n.shiftRight(1).setBit(0), f4), "rsa_size"),
                key("RSA exponent 1", defaults, TLS_SERVER, TestKeys.rsa(n, BigInteger.ONE), "rsa_exponent"),
                key("RSA even exponent", defaults, TLS_SERVER, TestKeys.rsa(n, BigInteger.valueOf(65536)), "rsa_exponent"),
                key("RSA exponent 2^256+1", defaults, TLS_SERVER, TestKeys.rsa(n, BigInteger.ONE.shiftLeft(256).setBit(0)),
                        "rsa_exponent"),
                key("RSA even modulus", defaults, TLS_SERVER, TestKeys.rsa(TestKeys.evenModulus(), f4), "rsa_even_modulus"),
                key("RSA modulus divisible by 3", defaults, TLS_SERVER, TestKeys.rsa(TestKeys.smallFactorModulus(), f4),
                        "rsa_small_factor"),
                key("RSA p and q adjacent primes", defaults, TLS_SERVER, TestKeys.rsa(TestKeys.fermatModulus(), f4), "rsa_fermat"),
                key("RSA with the ROCA fingerprint", defaults, TLS_SERVER, TestKeys.rsa(TestKeys.rocaModulus(), f4), "rsa_roca"),
                key("EC point off the curve", defaults, TLS_SERVER, ecPoint(uncompressed(BigInteger.ONE, BigInteger.ONE)),
                        "ec_invalid_point"),
                key("EC point at infinity", defaults, TLS_SERVER, ecPoint(new byte[] {0}), "ec_invalid_point"),
                key("EC compressed point", defaults, TLS_SERVER, ecPoint(compressedP256()), "ec_invalid_point"),
                key("EC coordinate above p", defaults, TLS_SERVER, ecPoint(uncompressed(
                        NISTNamedCurves.getByName("P-256").getCurve().getField().getCharacteristic().add(BigInteger.ONE),
                        BigInteger.ONE)), "ec_invalid_point"),
                key("EC explicit parameters", defaults, TLS_SERVER, explicitParameters(), "key_unsupported"));
    }

    @ParameterizedTest(name = "{0} -> {3}")
    @MethodSource("keys")
    void keyPolicy(String name, PolicyRules rules, Profile profile, SubjectPublicKeyInfo spki, String rule) {
        List<Identifier> ids = List.of(dns("a.example.com"));
        PolicyDecision d = evaluate(new PolicyEngine(rules), profile, ids, PolicyCsr.of(ids, withKey(spki)));
        if (rule == null) {
            assertThat(d.reasons()).isEmpty();
            assertThatCode(d::enforce).doesNotThrowAnyException();
            return;
        }
        assertThat(d.reasons()).extracting(Reason::rule).contains(rule);
        assertThat(d.reasons()).allSatisfy(r -> assertThat(r.kind()).isEqualTo(Kind.BAD_PUBLIC_KEY));
        assertThatThrownBy(d::enforce).isInstanceOfSatisfying(CaException.class,
                e -> assertThat(e.kind()).isEqualTo(Kind.BAD_PUBLIC_KEY));
    }

    @Test
    void weakKeyChecksRecogniseOnlyWeakModuli() {
        BigInteger f4 = BigInteger.valueOf(65537);
        assertThat(WeakKeys.rsa(TestKeys.normalModulus(), f4)).isEmpty();
        assertThat(WeakKeys.isRocaFingerprint(TestKeys.normalModulus())).isFalse();
        assertThat(WeakKeys.isRocaFingerprint(TestKeys.rocaModulus())).isTrue();
        BigInteger fermat = TestKeys.fermatModulus();
        BigInteger p = WeakKeys.fermatFactor(fermat).orElseThrow();
        assertThat(fermat.mod(p)).isZero();
        assertThat(WeakKeys.fermatFactor(TestKeys.normalModulus())).isEmpty();
    }

    @Test
    void rocaCheckHasNoFalsePositivesOnFreshKeys() {
        for (int i = 0; i < 3; i++) {
            java.security.interfaces.RSAPublicKey k = (java.security.interfaces.RSAPublicKey)
                    TestKeys.generate(TestKeys.Shape.RSA_2048).getPublic();
            assertThat(WeakKeys.isRocaFingerprint(k.getModulus())).isFalse();
        }
    }

    @Test
    void weakChecksCanBeSwitchedOffButTheExponentRuleStays() {
        PolicyRules lax = new PolicyRules(null, null, null, null,
                new KeyRules(EnumSet.allOf(KeyType.class), 2048, 8192, false), null, 100, true);
        List<Identifier> ids = List.of(dns("a.example.com"));
        assertThat(evaluate(new PolicyEngine(lax), TLS_SERVER, ids,
                PolicyCsr.of(ids, withKey(TestKeys.rsa(TestKeys.fermatModulus(), BigInteger.valueOf(65537))))).allowed()).isTrue();
        assertThat(evaluate(new PolicyEngine(lax), TLS_SERVER, ids,
                PolicyCsr.of(ids, withKey(TestKeys.rsa(TestKeys.normalModulus(), BigInteger.ONE)))).reasons())
                .extracting(Reason::rule).containsExactly("rsa_exponent");
    }

    static Stream<Arguments> csrRequests() {
        return Stream.of(
                Arguments.of("EKU the profile grants", new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth}, 0, List.of()),
                Arguments.of("codeSigning EKU", new KeyPurposeId[] {KeyPurposeId.id_kp_codeSigning}, 0,
                        List.of("csr_eku_not_in_profile")),
                Arguments.of("anyExtendedKeyUsage", new KeyPurposeId[] {KeyPurposeId.anyExtendedKeyUsage}, 0,
                        List.of("csr_eku_not_in_profile")),
                Arguments.of("keyUsage the profile grants", new KeyPurposeId[0],
                        KeyUsage.digitalSignature | KeyUsage.keyEncipherment, List.of()),
                Arguments.of("nonRepudiation keyUsage", new KeyPurposeId[0], KeyUsage.nonRepudiation,
                        List.of("csr_key_usage_not_in_profile")),
                Arguments.of("both", new KeyPurposeId[] {KeyPurposeId.id_kp_clientAuth}, KeyUsage.dataEncipherment,
                        List.of("csr_eku_not_in_profile", "csr_key_usage_not_in_profile")));
    }

    @ParameterizedTest(name = "CSR asks for {0}")
    @MethodSource("csrRequests")
    void csrMayNotAskForMoreThanTheProfile(String name, KeyPurposeId[] ekus, int keyUsage, List<String> rules) {
        List<Identifier> ids = List.of(dns("a.example.com"));
        PolicyDecision d = evaluate(ENGINE, TLS_SERVER, ids, PolicyCsr.of(ids, withEku(ekus), withKeyUsage(keyUsage)));
        assertThat(d.reasons()).extracting(Reason::rule).containsExactlyElementsOf(rules);
        if (!rules.isEmpty()) {
            assertThatThrownBy(d::enforce).isInstanceOfSatisfying(CaException.class,
                    e -> assertThat(e.kind()).isEqualTo(Kind.BAD_CSR));
        }
    }

    @Test
    void mixedReasonsArePolicyDenied() {
        List<Identifier> ids = List.of(dns("secret.example.com"));
        PolicyDecision d = evaluate(ENGINE, TLS_SERVER, ids, PolicyCsr.of(ids, withKey(TestKeys.Shape.EC_P521),
                withEku(KeyPurposeId.id_kp_codeSigning)));
        assertThat(d.reasons()).extracting(Reason::kind)
                .containsExactly(Kind.REJECTED_IDENTIFIER, Kind.BAD_PUBLIC_KEY, Kind.BAD_CSR);
        assertThat(d.kind()).isEqualTo(Kind.POLICY_DENIED);
        assertThat(d.explain()).isNotBlank();
        assertThatThrownBy(d::enforce).isInstanceOfSatisfying(CaException.class, e -> {
            assertThat(e.kind()).isEqualTo(Kind.POLICY_DENIED);
            assertThat(e.subproblems()).extracting(CaException.Subproblem::kind)
                    .containsExactly(Kind.REJECTED_IDENTIFIER, Kind.BAD_PUBLIC_KEY, Kind.BAD_CSR);
        });
    }

    @Test
    void allowedDecisionEnforcesQuietly() {
        PolicyDecision d = evaluate(TLS_SERVER, List.of(dns("a.example.com"), ip("10.1.2.3")));
        assertThat(d.allowed()).isTrue();
        assertThat(d.explain()).isNotBlank();
        assertThatCode(d::enforce).doesNotThrowAnyException();
    }

    private static Arguments key(String name, PolicyRules rules, Profile profile, SubjectPublicKeyInfo spki, String rule) {
        return Arguments.of(name, rules, profile, spki, rule);
    }

    private static SubjectPublicKeyInfo ecPoint(byte[] point) {
        return new SubjectPublicKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey,
                SECObjectIdentifiers.secp256r1), new DERBitString(point));
    }

    private static byte[] uncompressed(BigInteger x, BigInteger y) {
        byte[] out = new byte[65];
        out[0] = 4;
        byte[] xb = fixed(x);
        byte[] yb = fixed(y);
        System.arraycopy(xb, 0, out, 1, 32);
        System.arraycopy(yb, 0, out, 33, 32);
        return out;
    }

    private static byte[] fixed(BigInteger v) {
        byte[] b = v.toByteArray();
        byte[] out = new byte[32];
        int len = Math.min(b.length, 32);
        System.arraycopy(b, b.length - len, out, 32 - len, len);
        return out;
    }

    private static byte[] compressedP256() {
        SubjectPublicKeyInfo real = TestKeys.spki(TestKeys.Shape.EC_P256);
        return NISTNamedCurves.getByName("P-256").getCurve().decodePoint(real.getPublicKeyData().getOctets())
                .getEncoded(true);
    }

    private static SubjectPublicKeyInfo explicitParameters() {
        X9ECParameters p = NISTNamedCurves.getByName("P-256");
        SubjectPublicKeyInfo real = TestKeys.spki(TestKeys.Shape.EC_P256);
        return new SubjectPublicKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, p),
                real.getPublicKeyData());
    }
}
