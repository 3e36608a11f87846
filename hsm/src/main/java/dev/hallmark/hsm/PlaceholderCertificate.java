package dev.hallmark.hsm;

import java.math.BigInteger;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Date;
import java.util.Locale;
import java.util.Optional;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.ContentSigner;

/**
 * The self-signed certificate ({@code CN=hallmark key <alias>}) a key store needs next to each private key.
 * It is never used as a CA certificate; it only carries the public key so the token can find the key's type
 * and public half again after a restart. Stateless and thread-safe.
 */
public final class PlaceholderCertificate {
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();
    private static final SecureRandom RANDOM = new SecureRandom();
    /** RFC 5280 section 4.1.2.5: no well-defined expiration date. */
    private static final Date NOT_AFTER = Date.from(Instant.parse("9999-12-31T23:59:59Z"));

    private PlaceholderCertificate() {
    }

    /**
     * Builds the placeholder certificate for {@code alias}, signed by {@code signer} (which must sign with the
     * private half of {@code publicKey}, e.g. through the token's provider).
     *
     * @throws TokenException {@code UNSUPPORTED} if the certificate cannot be encoded
     */
    public static X509Certificate build(String alias, PublicKey publicKey, ContentSigner signer) {
        X500Name name = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, "hallmark key " + alias).build();
        BigInteger serial = new BigInteger(127, RANDOM).add(BigInteger.ONE);
        Date notBefore = Date.from(Instant.now().minusSeconds(60));
        try {
            return new JcaX509CertificateConverter().setProvider(BC).getCertificate(
                    new JcaX509v3CertificateBuilder(name, serial, notBefore, NOT_AFTER, name, publicKey)
                            .build(signer));
        } catch (CertificateException e) {
            throw new TokenException(TokenException.Reason.UNSUPPORTED,
                    "cannot encode the placeholder certificate for key '" + alias + "'", e);
        }
    }

    /**
     * The {@link KeyType} a public key has, or empty for a key no {@link KeyType} describes (e.g. RSA-1024 or a
     * curve other than P-256/P-384).
     */
    public static Optional<KeyType> keyType(PublicKey publicKey) {
        if (publicKey instanceof RSAPublicKey rsa) {
            int bits = rsa.getModulus().bitLength();
            return matching("RSA", bits);
        }
        if (publicKey instanceof ECPublicKey ec) {
            return matching("EC", ec.getParams().getCurve().getField().getFieldSize());
        }
        String algorithm = publicKey.getAlgorithm().toUpperCase(Locale.ROOT);
        if (algorithm.equals("ED25519") || algorithm.equals("EDDSA") && publicKey.getEncoded().length == 44) {
            return Optional.of(KeyType.ED25519);
        }
        if (algorithm.equals("ML-DSA-65")) {
            return Optional.of(KeyType.ML_DSA_65);
        }
        return Optional.empty();
    }

    private static Optional<KeyType> matching(String family, int bits) {
        for (KeyType type : KeyType.values()) {
            if (type.family().equals(family) && type.bits() == bits) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
