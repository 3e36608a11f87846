package dev.hallmark.protocol.acme;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.CertificationRequest;
import org.bouncycastle.asn1.pkcs.CertificationRequestInfo;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSASSAPSSparams;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X962Parameters;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.engines.RSABlindedEngine;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.crypto.signers.PSSSigner;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.math.ec.ECCurve;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.util.BigIntegers;

/**
 * Hand-made PKCS#10 requests (RFC 2986) for the CSR negative tests: each is a well-formed request for one DNS name
 * except for the one defect named by its method, so a refusal can only be about that defect. Built with
 * BouncyCastle's ASN.1 classes (never its PKCS#10 builder, which refuses most of these) and signed through the BC
 * provider, which also has the curves and algorithms the JDK dropped (secp256k1, MD5withRSA).
 */
final class AcmeCsrForgery {
    static final BouncyCastleProvider BC = new BouncyCastleProvider();
    static final X9ECParameters P256 = ECNamedCurveTable.getByName("P-256");
    static final BigInteger P256_PRIME = P256.getCurve().getField().getCharacteristic();

    private AcmeCsrForgery() {
    }

    /** An EC key on {@code curve} ({@code secp256r1}, {@code secp224r1}, {@code secp256k1}, ...). */
    static KeyPair ecKey(String curve) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC", BC);
            g.initialize(new ECGenParameterSpec(curve));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static KeyPair rsaKey() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- signature algorithm identifiers ----

    static final AlgorithmIdentifier ECDSA_SHA256 = new AlgorithmIdentifier(X9ObjectIdentifiers.ecdsa_with_SHA256);
    static final AlgorithmIdentifier RSA_SHA256 = new AlgorithmIdentifier(PKCSObjectIdentifiers.sha256WithRSAEncryption,
            DERNull.INSTANCE);
    static final AlgorithmIdentifier RSA_SHA1 = new AlgorithmIdentifier(PKCSObjectIdentifiers.sha1WithRSAEncryption,
            DERNull.INSTANCE);
    static final AlgorithmIdentifier RSA_MD5 = new AlgorithmIdentifier(PKCSObjectIdentifiers.md5WithRSAEncryption,
            DERNull.INSTANCE);
    /** id-RSASSA-PSS without parameters: RFC 4055's defaults, SHA-1 with MGF1-SHA-1 and a 20-byte salt. */
    static final AlgorithmIdentifier PSS_DEFAULTS = new AlgorithmIdentifier(PKCSObjectIdentifiers.id_RSASSA_PSS);

    /** id-RSASSA-PSS with explicit parameters (RFC 4055 §3.1). */
    static AlgorithmIdentifier pss(ASN1ObjectIdentifier hash, ASN1ObjectIdentifier mgfHash, int salt, int trailer) {
        AlgorithmIdentifier h = new AlgorithmIdentifier(hash, DERNull.INSTANCE);
        AlgorithmIdentifier mgf = new AlgorithmIdentifier(PKCSObjectIdentifiers.id_mgf1, new AlgorithmIdentifier(mgfHash,
                DERNull.INSTANCE));
        return new AlgorithmIdentifier(PKCSObjectIdentifiers.id_RSASSA_PSS, new RSASSAPSSparams(h, mgf,
                new ASN1Integer(salt), new ASN1Integer(trailer)));
    }

    static final ASN1ObjectIdentifier SHA1 = new ASN1ObjectIdentifier("1.3.14.3.2.26");
    static final ASN1ObjectIdentifier SHA256 = NISTObjectIdentifiers.id_sha256;
    static final ASN1ObjectIdentifier SHA384 = NISTObjectIdentifiers.id_sha384;
    static final ASN1ObjectIdentifier SHA512 = NISTObjectIdentifiers.id_sha512;

    // ---- requests ----

    /** The to-be-signed part: subject CN and one subjectAltName per name, in an extensionRequest. */
    static CertificationRequestInfo info(SubjectPublicKeyInfo spki, List<String> names) {
        GeneralName[] sans = names.stream().map(n -> new GeneralName(GeneralName.dNSName, n)).toArray(GeneralName[]::new);
        try {
            Extensions exts = new Extensions(new Extension(Extension.subjectAlternativeName, false,
                    new GeneralNames(sans).getEncoded(ASN1Encoding.DER)));
            Attribute request = new Attribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, new DERSet(exts));
            return new CertificationRequestInfo(new X500Name("CN=" + names.get(0)), spki, new DERSet(request));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A request whose signature field holds {@code signature}, labelled {@code algorithm}. */
    static byte[] request(CertificationRequestInfo info, AlgorithmIdentifier algorithm, byte[] signature) {
        return der(new CertificationRequest(info, algorithm, new DERBitString(signature)));
    }

    /**
     * A request signed by {@code key} with the JCA algorithm {@code jca} (and {@code spec}, or null), labelled
     * {@code label}: the label may lie about what was signed.
     */
    static byte[] signed(KeyPair key, SubjectPublicKeyInfo spki, String name, String jca, AlgorithmParameterSpec spec,
                         AlgorithmIdentifier label) {
        CertificationRequestInfo info = info(spki, List.of(name));
        return request(info, label, sign(key.getPrivate(), jca, spec, der(info)));
    }

    /** A request for {@code key}'s own SPKI, signed by {@code jca} and labelled {@code label}. */
    static byte[] signed(KeyPair key, String name, String jca, AlgorithmIdentifier label) {
        return signed(key, spki(key), name, jca, null, label);
    }

    static SubjectPublicKeyInfo spki(KeyPair key) {
        return SubjectPublicKeyInfo.getInstance(key.getPublic().getEncoded());
    }

    static byte[] sign(PrivateKey key, String jca, AlgorithmParameterSpec spec, byte[] data) {
        try {
            Signature s = Signature.getInstance(jca, BC);
            if (spec != null) {
                s.setParameter(spec);
            }
            s.initSign(key);
            s.update(data);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * An RSASSA-PSS signature hashing the message with {@code digest} but masking with MGF1 over {@code mgfDigest}: a
     * combination RFC 4055 allows and BC's JCA refuses to sign, so it is made with BC's lightweight signer.
     */
    static byte[] pssWithMgf(KeyPair key, Digest digest, Digest mgfDigest, int salt, byte[] data) {
        try {
            PSSSigner signer = new PSSSigner(new RSABlindedEngine(), digest, mgfDigest, salt);
            signer.init(true, new ParametersWithRandom(PrivateKeyFactory.createKey(key.getPrivate().getEncoded()),
                    new SecureRandom()));
            signer.update(data, 0, data.length);
            return signer.generateSignature();
        } catch (IOException | org.bouncycastle.crypto.CryptoException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A structurally valid ECDSA-Sig-Value (r = s = 1) that verifies under no key: for keys that cannot sign. */
    static final byte[] GARBAGE_ECDSA = der(new DERSequence(new ASN1Encodable[] {new ASN1Integer(1), new ASN1Integer(1)}));

    /** A request for {@code spki} whose key nobody holds, with {@link #GARBAGE_ECDSA} as its signature. */
    static byte[] unsigned(SubjectPublicKeyInfo spki, String name) {
        return request(info(spki, List.of(name)), ECDSA_SHA256, GARBAGE_ECDSA);
    }

    /** {@code csr} with one bit of its signature flipped (inside r for ECDSA, anywhere for RSA). */
    static byte[] flipSignatureBit(byte[] csr) {
        CertificationRequest r = CertificationRequest.getInstance(csr);
        byte[] sig = r.getSignature().getOctets();
        sig[8] ^= 0x01;
        return request(r.getCertificationRequestInfo(), r.getSignatureAlgorithm(), sig);
    }

    // ---- EC keys ----

    /** An id-ecPublicKey SPKI with {@code params} and the raw point encoding {@code point}. */
    static SubjectPublicKeyInfo ecSpki(ASN1Encodable params, byte[] point) {
        return new SubjectPublicKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, params), point);
    }

    static SubjectPublicKeyInfo p256Spki(byte[] point) {
        return ecSpki(SECObjectIdentifiers.secp256r1, point);
    }

    /** SEC 1 uncompressed encoding, 32-byte coordinates (no reduction mod p). */
    static byte[] uncompressed(BigInteger x, BigInteger y) {
        byte[] out = new byte[65];
        out[0] = 0x04;
        System.arraycopy(BigIntegers.asUnsignedByteArray(32, x), 0, out, 1, 32);
        System.arraycopy(BigIntegers.asUnsignedByteArray(32, y), 0, out, 33, 32);
        return out;
    }

    static BigInteger x(KeyPair key) {
        return ((ECPublicKey) key.getPublic()).getW().getAffineX();
    }

    static BigInteger y(KeyPair key) {
        return ((ECPublicKey) key.getPublic()).getW().getAffineY();
    }

    /**
     * A P-256 point with a small x, encoded with x + p: the same point modulo p, but with a coordinate ≥ p, the
     * encoding a lax decoder reduces silently.
     */
    static byte[] unreducedPoint() {
        ECCurve curve = P256.getCurve();
        for (int x = 1; ; x++) {
            byte[] compressed = new byte[33];
            compressed[0] = 0x02;
            compressed[32] = (byte) x;
            try {
                ECPoint q = curve.decodePoint(compressed).normalize();
                return uncompressed(q.getAffineXCoord().toBigInteger().add(P256_PRIME), q.getAffineYCoord().toBigInteger());
            } catch (IllegalArgumentException notOnCurve) {
                // x^3 - 3x + b is no square for this x; try the next
            }
        }
    }

    /** {@code key}'s point in SEC 1 compressed form (33 bytes). */
    static byte[] compressed(KeyPair key) {
        return P256.getCurve().createPoint(x(key), y(key)).getEncoded(true);
    }

    /** P-256 spelled out as explicit prime-curve ECParameters (RFC 3279 §2.3.5) instead of its name. */
    static X962Parameters explicitP256() {
        return new X962Parameters(new X9ECParameters(P256.getCurve(), P256.getBaseEntry(), P256.getN(), P256.getH()));
    }

    /**
     * Explicit characteristic-two ECParameters with a pentanomial basis of degree {@code m} (ANSI X9.62): the shape
     * of BC CVE-2024-29857, where a large m made parsing the curve spin. Written as raw ASN.1 because BouncyCastle
     * itself refuses to build such a curve.
     */
    static ASN1Encodable explicitF2m(int m) {
        ASN1Encodable pentanomial = new DERSequence(new ASN1Encodable[] {new ASN1Integer(1), new ASN1Integer(2),
                new ASN1Integer(3)});
        ASN1Encodable characteristicTwo = new DERSequence(new ASN1Encodable[] {new ASN1Integer(m), X9ObjectIdentifiers.ppBasis,
                pentanomial});
        ASN1Encodable fieldId = new DERSequence(new ASN1Encodable[] {X9ObjectIdentifiers.characteristic_two_field,
                characteristicTwo});
        ASN1Encodable curve = new DERSequence(new ASN1Encodable[] {new DEROctetString(new byte[] {1}),
                new DEROctetString(new byte[] {1})});
        return new DERSequence(new ASN1Encodable[] {new ASN1Integer(1), fieldId, curve,
                new DEROctetString(new byte[] {0x04, 0x01, 0x01}), new ASN1Integer(7), new ASN1Integer(1)});
    }

    // ---- raw DER surgery ----

    static byte[] der(ASN1Encodable value) {
        try {
            return value.toASN1Primitive().getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The offset of the content of the TLV at {@code pos} (after its tag and length octets). */
    static int contentOffset(byte[] der, int pos) {
        int first = der[pos + 1] & 0xff;
        return pos + 2 + (first < 0x80 ? 0 : first & 0x7f);
    }

    /** The TLV {@code tag} around {@code content}, with a minimal definite length. */
    static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
        out.write(tag);
        writeLength(out, content.length);
        out.writeBytes(content);
        return out.toByteArray();
    }

    static void writeLength(ByteArrayOutputStream out, int length) {
        if (length < 0x80) {
            out.write(length);
            return;
        }
        byte[] b = BigIntegers.asUnsignedByteArray(BigInteger.valueOf(length));
        out.write(0x80 | b.length);
        out.writeBytes(b);
    }

    /** {@code csr}'s outer SEQUENCE re-encoded with BER indefinite length (0x80 ... 00 00). */
    static byte[] indefiniteLength(byte[] csr) {
        byte[] content = Arrays.copyOfRange(csr, contentOffset(csr, 0), csr.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x30);
        out.write(0x80);
        out.writeBytes(content);
        out.write(0);
        out.write(0);
        return out.toByteArray();
    }

    /** {@code csr} whose outer SEQUENCE claims 0x7fffffff content octets (2 GiB), followed by its real content. */
    static byte[] claims2GiB(byte[] csr) {
        byte[] content = Arrays.copyOfRange(csr, contentOffset(csr, 0), csr.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0x30, (byte) 0x84, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff});
        out.writeBytes(content);
        return out.toByteArray();
    }

    /**
     * {@code csr} whose outer SEQUENCE length is written with one more octet than needed (a leading 0x00 length
     * octet): valid BER, forbidden by DER (X.690 §10.1). The signed part is untouched.
     */
    static byte[] nonMinimalLength(byte[] csr) {
        int first = csr[1] & 0xff;
        if (first < 0x81 || first > 0x83) {
            throw new IllegalStateException("expected a long-form length");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(csr.length + 1);
        out.write(0x30);
        out.write(first + 1);
        out.write(0x00);
        out.write(csr, 2, csr.length - 2);
        return out.toByteArray();
    }

    /** {@code depth} SEQUENCEs, each the only element of the one around it. */
    static byte[] nestedSequences(int depth) {
        byte[] v = new byte[] {0x30, 0x00};
        for (int i = 1; i < depth; i++) {
            v = tlv(0x30, v);
        }
        return v;
    }

    /**
     * {@code csr} with the version INTEGER (0) of its CertificationRequestInfo written on two octets (02 02 00 00),
     * which DER forbids (X.690 §8.3.2); the outer lengths grow to match.
     */
    static byte[] nonMinimalVersion(byte[] csr) {
        CertificationRequest r = CertificationRequest.getInstance(csr);
        byte[] info = der(r.getCertificationRequestInfo());
        int versionAt = contentOffset(info, 0);
        if (info[versionAt] != 0x02 || info[versionAt + 1] != 0x01 || info[versionAt + 2] != 0x00) {
            throw new IllegalStateException("expected version 0 first in the CertificationRequestInfo");
        }
        ByteArrayOutputStream infoContent = new ByteArrayOutputStream();
        infoContent.writeBytes(new byte[] {0x02, 0x02, 0x00, 0x00});
        infoContent.write(info, versionAt + 3, info.length - versionAt - 3);
        ByteArrayOutputStream outer = new ByteArrayOutputStream();
        outer.writeBytes(tlv(0x30, infoContent.toByteArray()));
        outer.writeBytes(der(r.getSignatureAlgorithm()));
        outer.writeBytes(der(r.getSignature()));
        return tlv(0x30, outer.toByteArray());
    }

    /**
     * {@code csr} (ECDSA) whose signature's r is written with a superfluous leading 0x00 octet: the same number, a
     * non-DER encoding (a malleable signature).
     */
    static byte[] nonMinimalSignatureInteger(byte[] csr) {
        CertificationRequest r = CertificationRequest.getInstance(csr);
        ASN1Sequence sig = ASN1Sequence.getInstance(r.getSignature().getOctets());
        byte[] rContent = ASN1Integer.getInstance(sig.getObjectAt(0)).getValue().toByteArray();
        byte[] padded = new byte[rContent.length + 1]; // a leading 0x00 before a minimal encoding is always superfluous
        System.arraycopy(rContent, 0, padded, 1, rContent.length);
        ByteArrayOutputStream value = new ByteArrayOutputStream();
        value.writeBytes(tlv(0x02, padded));
        value.writeBytes(der(sig.getObjectAt(1)));
        return request(r.getCertificationRequestInfo(), r.getSignatureAlgorithm(), tlv(0x30, value.toByteArray()));
    }

    /** {@code csr} followed by {@code extra}. */
    static byte[] trailing(byte[] csr, byte[] extra) {
        byte[] out = Arrays.copyOf(csr, csr.length + extra.length);
        System.arraycopy(extra, 0, out, csr.length, extra.length);
        return out;
    }
}
