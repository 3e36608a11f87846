package dev.hallmark.authority.policy;

import dev.hallmark.hsm.KeyType;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.function.BiConsumer;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.nist.NISTNamedCurves;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSAPublicKey;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.math.ec.ECCurve;
import org.bouncycastle.math.ec.ECPoint;

/**
 * A subject public key classified into one of Hallmark's {@link KeyType}s (BR 6.1.5, 6.1.6), shared by the
 * policy engine (on CSRs) and the linter (on to-be-signed certificates). Only named curves P-256 and P-384 are
 * accepted; explicit curve parameters are refused before any curve arithmetic (BC CVE-2024-29857). EC points
 * must be uncompressed, with coordinates below p, on the curve and not the point at infinity. RSA moduli must be
 * a multiple of 8 bits between 2048 and {@link KeyRules#RSA_CEILING_BITS}; an RSA key is classified as the
 * largest of {@code rsa-2048}, {@code rsa-3072}, {@code rsa-4096} not above its size (so a 8192-bit key counts
 * as {@code rsa-4096} for profile purposes; {@link KeyRules#rsaMaxBits()} bounds it separately).
 *
 * @param type     the classification
 * @param bits     modulus or field size in bits (0 for ML-DSA)
 * @param modulus  RSA modulus, or null
 * @param exponent RSA public exponent, or null
 */
public record SubjectKey(KeyType type, int bits, BigInteger modulus, BigInteger exponent) {

    /** Rule id reported for keys that cannot be decoded or are of an unsupported algorithm or curve. */
    public static final String UNSUPPORTED = "key_unsupported";
    /** Rule id reported for an invalid EC point (off curve, infinity, compressed, out of range). */
    public static final String INVALID_EC_POINT = "ec_invalid_point";
    /** Rule id reported for an RSA modulus of a size that is not a multiple of 8 or outside 2048..16384. */
    public static final String RSA_SIZE = "rsa_size";

    private static final int ED25519_KEY_OCTETS = 32;
    private static final int ML_DSA_65_KEY_OCTETS = 1952;

    /**
     * Classifies {@code spki}. Never throws for bad input.
     *
     * @param spki     the key, not null
     * @param problems receives (rule id, detail) for each reason the key is refused
     * @return the classified key, or null when it was refused (then {@code problems} was called at least once)
     */
    public static SubjectKey inspect(SubjectPublicKeyInfo spki, BiConsumer<String, String> problems) {
        ASN1ObjectIdentifier alg = spki.getAlgorithm().getAlgorithm();
        ASN1Encodable params = spki.getAlgorithm().getParameters();
        try {
            if (alg.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
                return ec(spki, params, problems);
            }
            if (alg.equals(PKCSObjectIdentifiers.rsaEncryption)) {
                if (params != null && !DERNull.INSTANCE.equals(params)) {
                    problems.accept(UNSUPPORTED, "rsaEncryption parameters must be NULL (RFC 3279 2.3.1)");
                    return null;
                }
                return rsa(RSAPublicKey.getInstance(spki.parsePublicKey()), problems);
            }
            if (alg.equals(EdECObjectIdentifiers.id_Ed25519)) {
                return fixedLength(spki, params, KeyType.ED25519, ED25519_KEY_OCTETS, 256, problems);
            }
            if (alg.equals(NISTObjectIdentifiers.id_ml_dsa_65)) {
                return fixedLength(spki, params, KeyType.ML_DSA_65, ML_DSA_65_KEY_OCTETS, 0, problems);
            }
        } catch (java.io.IOException | RuntimeException e) {
            problems.accept(UNSUPPORTED, "public key cannot be decoded");
            return null;
        }
        problems.accept(UNSUPPORTED, "key algorithm " + alg + " is not supported (use EC P-256/P-384, RSA, Ed25519 or ML-DSA-65)");
        return null;
    }

    /** True for an RSA key. */
    public boolean isRsa() {
        return type.isRsa();
    }

    private static SubjectKey fixedLength(SubjectPublicKeyInfo spki, ASN1Encodable params, KeyType type, int octets,
                                          int bits, BiConsumer<String, String> problems) {
        if (params != null) {
            problems.accept(UNSUPPORTED, type.cliName() + " keys must have absent algorithm parameters");
            return null;
        }
        if (spki.getPublicKeyData().getPadBits() != 0 || spki.getPublicKeyData().getOctets().length != octets) {
            problems.accept(UNSUPPORTED, type.cliName() + " public key must be " + octets + " octets");
            return null;
        }
        return new SubjectKey(type, bits, null, null);
    }

    private static SubjectKey ec(SubjectPublicKeyInfo spki, ASN1Encodable params, BiConsumer<String, String> problems) {
        if (!(params instanceof ASN1ObjectIdentifier curveOid)) {
            problems.accept(UNSUPPORTED, "EC keys must name their curve; explicit or implicit parameters are refused");
            return null;
        }
        KeyType type;
        if (curveOid.equals(SECObjectIdentifiers.secp256r1)) {
            type = KeyType.EC_P256;
        } else if (curveOid.equals(SECObjectIdentifiers.secp384r1)) {
            type = KeyType.EC_P384;
        } else {
            problems.accept(UNSUPPORTED, "EC curve " + curveOid + " is not accepted (use P-256 or P-384)");
            return null;
        }
        X9ECParameters x9 = NISTNamedCurves.getByOID(curveOid);
        ECCurve curve = x9.getCurve();
        int fieldOctets = (curve.getFieldSize() + 7) / 8;
        byte[] point = spki.getPublicKeyData().getOctets();
        if (spki.getPublicKeyData().getPadBits() != 0 || point.length != 1 + 2 * fieldOctets || point[0] != 0x04) {
            problems.accept(INVALID_EC_POINT, "EC point must be in uncompressed form (no compressed points, no infinity)");
            return null;
        }
        BigInteger x = new BigInteger(1, Arrays.copyOfRange(point, 1, 1 + fieldOctets));
        BigInteger y = new BigInteger(1, Arrays.copyOfRange(point, 1 + fieldOctets, point.length));
        BigInteger p = curve.getField().getCharacteristic();
        if (x.compareTo(p) >= 0 || y.compareTo(p) >= 0) {
            problems.accept(INVALID_EC_POINT, "EC point coordinates must be below the field prime");
            return null;
        }
        ECPoint q;
        try {
            q = curve.createPoint(x, y);
        } catch (RuntimeException e) {
            problems.accept(INVALID_EC_POINT, "EC point is not on the curve");
            return null;
        }
        // P-256 and P-384 have cofactor 1, so a point on the curve is in the prime-order subgroup.
        if (q.isInfinity() || !q.isValid()) {
            problems.accept(INVALID_EC_POINT, "EC point is not on the curve or is the point at infinity");
            return null;
        }
        return new SubjectKey(type, type.bits(), null, null);
    }

    private static SubjectKey rsa(RSAPublicKey key, BiConsumer<String, String> problems) {
        BigInteger n = key.getModulus();
        BigInteger e = key.getPublicExponent();
        int bits = n.bitLength();
        if (n.signum() <= 0 || bits % 8 != 0 || bits < KeyRules.RSA_FLOOR_BITS || bits > KeyRules.RSA_CEILING_BITS) {
            problems.accept(RSA_SIZE, "RSA modulus is " + bits + " bits; it must be a multiple of 8 between "
                    + KeyRules.RSA_FLOOR_BITS + " and " + KeyRules.RSA_CEILING_BITS + " (BR 6.1.5)");
            return null;
        }
        KeyType type = bits >= 4096 ? KeyType.RSA_4096 : bits >= 3072 ? KeyType.RSA_3072 : KeyType.RSA_2048;
        return new SubjectKey(type, bits, n, e);
    }
}
