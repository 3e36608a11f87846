package dev.hallmark.hsm;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * Wraps a token so that no signature leaves it unverified: after every {@link #sign} the signature is checked
 * with the key's public key in software (BouncyCastle) and a mismatch raises {@code SIGNATURE_FAULT} instead of
 * returning it. A faulty RSA-CRT signature would leak the key (RELIABILITY T53), and a bit flip would produce a
 * certificate no client can verify. Every token the composition root opens is wrapped in one of these.
 */
public final class VerifyingToken extends ForwardingToken {
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();

    private final Map<KeyRef, PublicKey> publicKeys = new ConcurrentHashMap<>();

    /** Wraps {@code delegate}; every signature it makes is verified before it is returned. */
    public VerifyingToken(CryptoToken delegate) {
        super(delegate);
    }

    @Override
    public PublicKey publicKey(KeyRef key) {
        return publicKeys.computeIfAbsent(key, k -> asBouncyCastleKey(delegate().publicKey(k)));
    }

    @Override
    public byte[] sign(KeyRef key, SignatureAlgorithm algorithm, byte[] data) {
        if (!algorithm.supports(key.type())) {
            throw new TokenException(TokenException.Reason.UNSUPPORTED,
                    algorithm + " cannot sign with a " + key.type().cliName() + " key");
        }
        byte[] signature = super.sign(key, algorithm, data);
        if (!verify(publicKey(key), algorithm, data, signature)) {
            throw new TokenException(TokenException.Reason.SIGNATURE_FAULT,
                    "signature by key '" + key.alias() + "' in token '" + key.token()
                            + "' did not verify with its public key; it was discarded");
        }
        return signature;
    }

    /**
     * The same key as a BouncyCastle object: verifying with a provider's own key class (a SunPKCS11 or SunEC key)
     * makes BouncyCastle convert it on every verification, which costs more than the verification itself.
     */
    private static PublicKey asBouncyCastleKey(PublicKey key) {
        try {
            PublicKey converted = BouncyCastleProvider.getPublicKey(
                    org.bouncycastle.asn1.x509.SubjectPublicKeyInfo.getInstance(key.getEncoded()));
            return converted != null ? converted : key;
        } catch (java.io.IOException | RuntimeException e) {
            return key;
        }
    }

    /** Verifies {@code signature} over {@code data} in software; false on any failure. */
    public static boolean verify(PublicKey publicKey, SignatureAlgorithm algorithm, byte[] data, byte[] signature) {
        try {
            Signature verifier = Signature.getInstance(algorithm.jcaName(), BC);
            verifier.initVerify(publicKey);
            verifier.update(data);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

}
