package dev.hallmark.authority.lint;

import dev.hallmark.authority.CaRecord;
import dev.hallmark.authority.CertificateShaper;
import dev.hallmark.authority.CertificationRequest;
import dev.hallmark.authority.Identifier;
import dev.hallmark.authority.IssuerKey;
import dev.hallmark.authority.SerialNumber;
import dev.hallmark.authority.SigningCa;
import dev.hallmark.authority.policy.TestKeys;
import dev.hallmark.authority.profile.Profile;
import dev.hallmark.authority.profile.ProfileCatalog;
import dev.hallmark.hsm.KeyRef;
import dev.hallmark.hsm.KeyType;
import dev.hallmark.hsm.SignatureAlgorithm;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.TBSCertificate;
import org.bouncycastle.cert.X509CertificateHolder;

/**
 * A root and an issuing CA (EC P-256, signed in memory) and helpers that shape certificates through the real
 * {@link CertificateShaper}, so "clean" in these tests means "what Hallmark actually produces".
 */
public final class LintFixture {
    /** The fixed issuance time. */
    public static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
    public static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    /** When the CAs were created. */
    public static final Instant CA_CREATED = Instant.parse("2026-01-01T00:00:00Z");
    public static final X500Name ROOT_NAME = new X500Name("CN=Hallmark Test Root,O=Hallmark");
    public static final X500Name ISSUING_NAME = new X500Name("CN=Hallmark Test Issuing,O=Hallmark");

    private static LintFixture instance;

    public final KeyPair rootKey = TestKeys.generate(TestKeys.Shape.EC_P256);
    public final KeyPair issuingKey = TestKeys.generate(TestKeys.Shape.EC_P256);
    public final X509CertificateHolder root;
    public final X509CertificateHolder issuing;
    public final SigningCa issuingCa;
    public final ProfileCatalog profiles = ProfileCatalog.defaults();
    private final SecureRandom random = new SecureRandom();

    private LintFixture() {
        IssuerKey self = new IssuerKey("root", new KeyRef("soft", "root", KeyType.EC_P256), SignatureAlgorithm.ECDSA_SHA256,
                null, List.of());
        root = sign(rootTbs(Duration.ofDays(20 * 365)), rootKey);
        IssuerKey byRoot = new IssuerKey("root", self.key(), SignatureAlgorithm.ECDSA_SHA256, root, List.of());
        issuing = sign(CertificateShaper.ca(byRoot, ISSUING_NAME, spki(issuingKey), null, serial(), CA_CREATED,
                Duration.ofDays(10 * 365)), rootKey);
        CaRecord record = new CaRecord("issuing", "root", ISSUING_NAME.toString(), "issuing", KeyType.EC_P256,
                SignatureAlgorithm.ECDSA_SHA256, encoded(issuing), serial(), issuing.getNotBefore().toInstant(),
                issuing.getNotAfter().toInstant(), CA_CREATED);
        issuingCa = new SigningCa(record, issuing, new KeyRef("soft", "issuing", KeyType.EC_P256), List.of(issuing, root));
    }

    /** The shared fixture. */
    public static synchronized LintFixture get() {
        if (instance == null) {
            instance = new LintFixture();
        }
        return instance;
    }

    public Profile profile(String name) {
        return profiles.get(name);
    }

    /** A root's self-signed TBS created at {@link #CA_CREATED}. */
    public TBSCertificate rootTbs(Duration validity) {
        IssuerKey self = new IssuerKey("root", new KeyRef("soft", "root", KeyType.EC_P256), SignatureAlgorithm.ECDSA_SHA256,
                null, List.of());
        return CertificateShaper.ca(self, ROOT_NAME, spki(rootKey), null, serial(), CA_CREATED, validity);
    }

    /** A subordinate CA TBS issued by the issuing CA now. */
    public TBSCertificate subCaTbs() {
        IssuerKey by = issuingCa.issuerKey();
        return CertificateShaper.ca(by, new X500Name("CN=Hallmark Test Sub,O=Hallmark"),
                spki(TestKeys.pair(TestKeys.Shape.EC_P384)), 0, serial(), NOW, Duration.ofDays(365));
    }

    /** A leaf TBS shaped by the real shaper. */
    public TBSCertificate leafTbs(String profile, TestKeys.Shape key, String cn, Identifier... ids) {
        return leafTbs(profile, TestKeys.spki(key), cn, ids);
    }

    public TBSCertificate leafTbs(String profile, SubjectPublicKeyInfo spki, String cn, Identifier... ids) {
        CertificationRequest csr = new CertificationRequest(new byte[0], spki, null, cn, List.of(ids), List.of(), 0);
        return CertificateShaper.leaf(issuingCa, profile(profile), csr, List.of(ids), serial(), NOW);
    }

    public LintContext leafContext(String profile) {
        return new LintContext(issuing, profile(profile), LintContext.Expectation.LEAF, NOW);
    }

    public LintContext subCaContext() {
        return new LintContext(issuing, null, LintContext.Expectation.CA, NOW);
    }

    public LintContext rootContext() {
        return new LintContext(null, null, LintContext.Expectation.CA, CA_CREATED);
    }

    public SerialNumber serial() {
        return SerialNumber.random(random);
    }

    static SubjectPublicKeyInfo spki(KeyPair pair) {
        return SubjectPublicKeyInfo.getInstance(pair.getPublic().getEncoded());
    }

    /** Signs a TBS with ECDSA-SHA256 and returns the certificate. */
    static X509CertificateHolder sign(TBSCertificate tbs, KeyPair key) {
        try {
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initSign(key.getPrivate());
            s.update(tbs.getEncoded());
            ASN1EncodableVector v = new ASN1EncodableVector();
            v.add(tbs);
            v.add(SignatureAlgorithm.ECDSA_SHA256.algorithmIdentifier());
            v.add(new DERBitString(s.sign()));
            return new X509CertificateHolder(Certificate.getInstance(new DERSequence(v)));
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] encoded(X509CertificateHolder h) {
        try {
            return h.getEncoded();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** 2^63: the smallest serial the linter accepts. */
    static final BigInteger SERIAL_FLOOR = BigInteger.ONE.shiftLeft(63);
}
