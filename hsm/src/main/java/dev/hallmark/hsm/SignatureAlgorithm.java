package dev.hallmark.hsm;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSASSAPSSparams;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.ASN1Integer;

/**
 * Signature algorithms a CA key may use, with the exact {@link AlgorithmIdentifier} encoding that goes into
 * certificates, CRLs and OCSP responses (RFC 5758, RFC 4055, RFC 8410, FIPS 204).
 */
public enum SignatureAlgorithm {
    ECDSA_SHA256("SHA256withECDSA", "EC"),
    ECDSA_SHA384("SHA384withECDSA", "EC"),
    ECDSA_SHA512("SHA512withECDSA", "EC"),
    RSA_PKCS1_SHA256("SHA256withRSA", "RSA"),
    RSA_PKCS1_SHA384("SHA384withRSA", "RSA"),
    RSA_PKCS1_SHA512("SHA512withRSA", "RSA"),
    /** RSASSA-PSS, SHA-256, MGF1-SHA-256, salt 32 (RFC 4055 section 3.1). */
    RSA_PSS_SHA256("SHA256withRSAandMGF1", "RSA"),
    ED25519("Ed25519", "Ed25519"),
    ML_DSA_65("ML-DSA-65", "ML-DSA");

    private final String jcaName;
    private final String keyFamily;

    SignatureAlgorithm(String jcaName, String keyFamily) {
        this.jcaName = jcaName;
        this.keyFamily = keyFamily;
    }

    /** The JCA signature name understood by BouncyCastle and (for EC/RSA) SunPKCS11. */
    public String jcaName() {
        return jcaName;
    }

    /** The key family ({@link KeyType#family()}) this algorithm signs with. */
    public String keyFamily() {
        return keyFamily;
    }

    /** True when a key of {@code type} can make this signature. */
    public boolean supports(KeyType type) {
        return type.family().equals(keyFamily);
    }

    /** DER-exact AlgorithmIdentifier: ECDSA and EdDSA with absent parameters, PKCS#1 with NULL (RFC 5758, 4055). */
    public AlgorithmIdentifier algorithmIdentifier() {
        return switch (this) {
            case ECDSA_SHA256 -> new AlgorithmIdentifier(X9ObjectIdentifiers.ecdsa_with_SHA256);
            case ECDSA_SHA384 -> new AlgorithmIdentifier(X9ObjectIdentifiers.ecdsa_with_SHA384);
            case ECDSA_SHA512 -> new AlgorithmIdentifier(X9ObjectIdentifiers.ecdsa_with_SHA512);
            case RSA_PKCS1_SHA256 -> new AlgorithmIdentifier(PKCSObjectIdentifiers.sha256WithRSAEncryption, DERNull.INSTANCE);
            case RSA_PKCS1_SHA384 -> new AlgorithmIdentifier(PKCSObjectIdentifiers.sha384WithRSAEncryption, DERNull.INSTANCE);
            case RSA_PKCS1_SHA512 -> new AlgorithmIdentifier(PKCSObjectIdentifiers.sha512WithRSAEncryption, DERNull.INSTANCE);
            case RSA_PSS_SHA256 -> {
                AlgorithmIdentifier sha256 = new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha256, DERNull.INSTANCE);
                yield new AlgorithmIdentifier(PKCSObjectIdentifiers.id_RSASSA_PSS, new RSASSAPSSparams(
                        sha256, new AlgorithmIdentifier(PKCSObjectIdentifiers.id_mgf1, sha256),
                        new ASN1Integer(32), RSASSAPSSparams.DEFAULT_TRAILER_FIELD));
            }
            case ED25519 -> new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519);
            case ML_DSA_65 -> new AlgorithmIdentifier(NISTObjectIdentifiers.id_ml_dsa_65);
        };
    }

    /** Looks an algorithm up by its OID (parameters are not compared). */
    public static java.util.Optional<SignatureAlgorithm> fromOid(ASN1ObjectIdentifier oid) {
        for (SignatureAlgorithm a : values()) {
            if (a.algorithmIdentifier().getAlgorithm().equals(oid)) {
                return java.util.Optional.of(a);
            }
        }
        return java.util.Optional.empty();
    }
}
