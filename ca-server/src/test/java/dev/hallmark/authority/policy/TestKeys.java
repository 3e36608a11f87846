package dev.hallmark.authority.policy;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.util.EnumMap;
import java.util.Map;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSAPublicKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/** Test keys, generated once per JVM (RSA generation is slow), and synthetic public keys. */
public final class TestKeys {
    /** The key shapes tests ask for. */
    public enum Shape { EC_P256, EC_P384, EC_P521, RSA_2048, RSA_3072, ED25519 }

    private static final Map<Shape, KeyPair> CACHE = new EnumMap<>(Shape.class);
    /** Deterministic randomness for synthetic moduli, so failures reproduce. */
    private static final SecureRandom RANDOM = seeded();

    private TestKeys() {
    }

    /** A key pair of the given shape (cached). */
    public static synchronized KeyPair pair(Shape shape) {
        return CACHE.computeIfAbsent(shape, TestKeys::generate);
    }

    /** A fresh key pair (not cached). */
    public static KeyPair generate(Shape shape) {
        try {
            KeyPairGenerator g;
            switch (shape) {
                case EC_P256, EC_P384, EC_P521 -> {
                    g = KeyPairGenerator.getInstance("EC");
                    g.initialize(new ECGenParameterSpec(switch (shape) {
                        case EC_P256 -> "secp256r1";
                        case EC_P384 -> "secp384r1";
                        default -> "secp521r1";
                    }));
                }
                case RSA_2048, RSA_3072 -> {
                    g = KeyPairGenerator.getInstance("RSA");
                    g.initialize(new RSAKeyGenParameterSpec(shape == Shape.RSA_2048 ? 2048 : 3072, RSAKeyGenParameterSpec.F4));
                }
                default -> g = KeyPairGenerator.getInstance("Ed25519");
            }
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The SubjectPublicKeyInfo of a cached pair. */
    public static SubjectPublicKeyInfo spki(Shape shape) {
        return SubjectPublicKeyInfo.getInstance(pair(shape).getPublic().getEncoded());
    }

    /** An rsaEncryption SubjectPublicKeyInfo for any modulus and exponent (no private key exists or is needed). */
    public static SubjectPublicKeyInfo rsa(BigInteger modulus, BigInteger exponent) {
        try {
            return new SubjectPublicKeyInfo(new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE),
                    new RSAPublicKey(modulus, exponent));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A 2048-bit modulus 3·q with q prime: divisible by a small prime. */
    public static BigInteger smallFactorModulus() {
        BigInteger q = BigInteger.ONE.shiftLeft(2046).add(new BigInteger(200, RANDOM)).nextProbablePrime();
        return q.multiply(BigInteger.valueOf(3));
    }

    /** A 2048-bit modulus 2·q: even. */
    public static BigInteger evenModulus() {
        BigInteger q = BigInteger.ONE.shiftLeft(2046).add(BigInteger.ONE.shiftLeft(2045))
                .add(new BigInteger(200, RANDOM)).nextProbablePrime();
        return q.shiftLeft(1);
    }

    /** A 2048-bit modulus p·q with q the next prime after p, so Fermat's method factors it at once. */
    public static BigInteger fermatModulus() {
        BigInteger p = new BigInteger(1024, RANDOM).setBit(1023).setBit(1022).nextProbablePrime();
        return p.multiply(p.nextProbablePrime());
    }

    /** A 2048-bit modulus of two random primes: no weakness. */
    public static BigInteger normalModulus() {
        return ((java.security.interfaces.RSAPublicKey) pair(Shape.RSA_2048).getPublic()).getModulus();
    }

    /**
     * A 2048-bit modulus with the ROCA structure: both primes k·M + (65537^a mod M), with M the primorial of
     * the first 39 primes (2..167), the M the paper gives for 512-bit keys, which divides the M of every size.
     */
    public static BigInteger rocaModulus() {
        BigInteger m = BigInteger.ONE;
        int count = 0;
        for (int i = 2; count < 39; i++) {
            if (BigInteger.valueOf(i).isProbablePrime(50)) {
                m = m.multiply(BigInteger.valueOf(i));
                count++;
            }
        }
        return rocaPrime(m).multiply(rocaPrime(m));
    }

    private static BigInteger rocaPrime(BigInteger m) {
        BigInteger g = BigInteger.valueOf(65537);
        while (true) {
            BigInteger a = new BigInteger(64, RANDOM);
            BigInteger r = new BigInteger(1024, RANDOM).setBit(1023).setBit(1022);
            BigInteger p = r.subtract(r.mod(m)).add(g.modPow(a, m));
            if (p.bitLength() == 1024 && p.isProbablePrime(40)) {
                return p;
            }
        }
    }

    private static SecureRandom seeded() {
        try {
            SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
            r.setSeed(20261129L);
            return r;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
