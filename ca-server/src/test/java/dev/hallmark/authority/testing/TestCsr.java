package dev.hallmark.authority.testing;

import dev.hallmark.hsm.KeyType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * Test CSRs with modifiers: {@code TestCsr.of("a.example", withKey(KeyType.EC_P256))}. Keys are cached per type
 * (generation of RSA keys is slow) unless {@link #withFreshKey()} is used.
 */
public final class TestCsr {
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();
    private static final Map<KeyType, KeyPair> KEYS = new ConcurrentHashMap<>();

    /** Changes one aspect of a CSR under construction. */
    @FunctionalInterface
    public interface Modifier {
        void apply(Spec spec);
    }

    /** The CSR being built; modifiers change it. */
    public static final class Spec {
        KeyType keyType = KeyType.EC_P256;
        KeyPair keyPair;
        String commonName;
        final List<GeneralName> sans = new ArrayList<>();
        final ExtensionsGenerator extensions = new ExtensionsGenerator();
        boolean hasExtensions;
        String signatureAlgorithm;
        boolean corruptSignature;
    }

    private TestCsr() {
    }

    /** A CSR for DNS names (the first is also the CN) with the given modifiers. */
    public static byte[] of(String dnsName, Modifier... modifiers) {
        Spec spec = new Spec();
        spec.commonName = dnsName;
        if (dnsName != null) {
            spec.sans.add(new GeneralName(GeneralName.dNSName, dnsName));
        }
        for (Modifier m : modifiers) {
            m.apply(spec);
        }
        return build(spec);
    }

    /** Uses a (cached) key of {@code type}. */
    public static Modifier withKey(KeyType type) {
        return s -> {
            s.keyType = type;
            s.keyPair = null;
        };
    }

    /** Uses exactly this key pair. */
    public static Modifier withKeyPair(KeyPair pair) {
        return s -> s.keyPair = pair;
    }

    /** Generates a new key instead of the cached one. */
    public static Modifier withFreshKey() {
        return s -> s.keyPair = generate(s.keyType);
    }

    /** Sets the subject CN (null for none). */
    public static Modifier withCn(String cn) {
        return s -> s.commonName = cn;
    }

    /** Adds DNS SANs. */
    public static Modifier withDns(String... names) {
        return s -> {
            for (String n : names) {
                s.sans.add(new GeneralName(GeneralName.dNSName, n));
            }
        };
    }

    /** Adds IP SANs. */
    public static Modifier withIp(String... addresses) {
        return s -> {
            for (String a : addresses) {
                try {
                    s.sans.add(new GeneralName(GeneralName.iPAddress, new DEROctetString(InetAddress.getByName(a).getAddress())));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }

    /** Adds email SANs. */
    public static Modifier withEmail(String... addresses) {
        return s -> {
            for (String a : addresses) {
                s.sans.add(new GeneralName(GeneralName.rfc822Name, a));
            }
        };
    }

    /** Adds URI SANs. */
    public static Modifier withUri(String... uris) {
        return s -> {
            for (String u : uris) {
                s.sans.add(new GeneralName(GeneralName.uniformResourceIdentifier, u));
            }
        };
    }

    /** Removes every SAN. */
    public static Modifier withoutSans() {
        return s -> s.sans.clear();
    }

    /** Asks for CA rights (basicConstraints cA=true). */
    public static Modifier askingForCa() {
        return s -> addExtension(s, Extension.basicConstraints, true, new BasicConstraints(true));
    }

    /** Asks for extended key usages. */
    public static Modifier askingForEku(KeyPurposeId... purposes) {
        return s -> addExtension(s, Extension.extendedKeyUsage, false, new org.bouncycastle.asn1.x509.ExtendedKeyUsage(purposes));
    }

    /** Adds an arbitrary requested extension. */
    public static Modifier withExtension(org.bouncycastle.asn1.ASN1ObjectIdentifier oid, boolean critical,
                                         org.bouncycastle.asn1.ASN1Encodable value) {
        return s -> addExtension(s, oid, critical, value);
    }

    /** Signs the CSR with this JCA algorithm (e.g. {@code SHA1withECDSA}). */
    public static Modifier signedWith(String algorithm) {
        return s -> s.signatureAlgorithm = algorithm;
    }

    /** Flips a bit of the CSR's signature (no proof of possession). */
    public static Modifier withBadSignature() {
        return s -> s.corruptSignature = true;
    }

    /** The cached key pair for {@code type} (the one {@link #withKey} uses). */
    public static KeyPair keyPair(KeyType type) {
        return KEYS.computeIfAbsent(type, TestCsr::generate);
    }

    /** A new key pair. */
    public static KeyPair generate(KeyType type) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(type.family(), BC);
            if (type.isEc()) {
                g.initialize(new ECGenParameterSpec(type == KeyType.EC_P256 ? "secp256r1" : "secp384r1"));
            } else if (type.isRsa()) {
                g.initialize(type.bits());
            }
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void addExtension(Spec s, org.bouncycastle.asn1.ASN1ObjectIdentifier oid, boolean critical,
                                     org.bouncycastle.asn1.ASN1Encodable value) {
        try {
            s.extensions.addExtension(oid, critical, value);
            s.hasExtensions = true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] build(Spec s) {
        KeyPair pair = s.keyPair != null ? s.keyPair : keyPair(s.keyType);
        X500Name subject = s.commonName == null ? new X500Name(new org.bouncycastle.asn1.x500.RDN[0])
                : new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, s.commonName).build();
        JcaPKCS10CertificationRequestBuilder b = new JcaPKCS10CertificationRequestBuilder(subject, pair.getPublic());
        try {
            if (!s.sans.isEmpty()) {
                s.extensions.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(s.sans.toArray(GeneralName[]::new)));
                s.hasExtensions = true;
            }
            if (s.hasExtensions) {
                b.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, s.extensions.generate());
            }
            String alg = s.signatureAlgorithm != null ? s.signatureAlgorithm : defaultAlgorithm(pair);
            ContentSigner signer = new JcaContentSignerBuilder(alg).setProvider(BC).build(pair.getPrivate());
            PKCS10CertificationRequest csr = b.build(signer);
            byte[] der = csr.getEncoded();
            if (s.corruptSignature) {
                der[der.length - 3] ^= 0x01;
            }
            return der;
        } catch (IOException | OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String defaultAlgorithm(KeyPair pair) {
        return switch (pair.getPublic().getAlgorithm()) {
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> pair.getPublic().getAlgorithm();
        };
    }
}
