package dev.hallmark.hsm;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Key types a {@link CryptoToken} can generate for a CA, a responder or the ledger.
 * The CLI spells them in lower-case kebab form ({@code ec-p256}); {@link #parse} accepts that form.
 */
public enum KeyType {
    EC_P256("ec-p256", "EC", 256, SignatureAlgorithm.ECDSA_SHA256),
    EC_P384("ec-p384", "EC", 384, SignatureAlgorithm.ECDSA_SHA384),
    RSA_2048("rsa-2048", "RSA", 2048, SignatureAlgorithm.RSA_PKCS1_SHA256),
    RSA_3072("rsa-3072", "RSA", 3072, SignatureAlgorithm.RSA_PKCS1_SHA256),
    RSA_4096("rsa-4096", "RSA", 4096, SignatureAlgorithm.RSA_PKCS1_SHA384),
    /** Soft token only: SunPKCS11 offers no EdDSA on Java 17 or 25. */
    ED25519("ed25519", "Ed25519", 256, SignatureAlgorithm.ED25519),
    /** Soft token only (FIPS 204, BouncyCastle). */
    ML_DSA_65("ml-dsa-65", "ML-DSA", 0, SignatureAlgorithm.ML_DSA_65);

    private final String cliName;
    private final String family;
    private final int bits;
    private final SignatureAlgorithm defaultAlgorithm;

    KeyType(String cliName, String family, int bits, SignatureAlgorithm defaultAlgorithm) {
        this.cliName = cliName;
        this.family = family;
        this.bits = bits;
        this.defaultAlgorithm = defaultAlgorithm;
    }

    /** The CLI and configuration spelling, e.g. {@code ec-p256}. */
    public String cliName() {
        return cliName;
    }

    /** JCA key family: {@code EC}, {@code RSA}, {@code Ed25519} or {@code ML-DSA}. */
    public String family() {
        return family;
    }

    /** Modulus or field size in bits; 0 where it does not apply. */
    public int bits() {
        return bits;
    }

    /** The signature algorithm a CA with this key uses unless configured otherwise. */
    public SignatureAlgorithm defaultSignatureAlgorithm() {
        return defaultAlgorithm;
    }

    public boolean isRsa() {
        return family.equals("RSA");
    }

    public boolean isEc() {
        return family.equals("EC");
    }

    /**
     * Parses the CLI spelling (case-insensitive; {@code EC_P256} is accepted too).
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static KeyType parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (KeyType k : values()) {
            if (k.cliName.equals(t)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown key type '" + text + "'; expected one of "
                + Arrays.stream(values()).map(KeyType::cliName).collect(Collectors.joining(", ")));
    }
}
