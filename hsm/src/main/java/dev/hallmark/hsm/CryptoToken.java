package dev.hallmark.hsm;

import java.security.PublicKey;
import java.util.List;
import java.util.Optional;

/**
 * The only way to reach a CA key. Implementations: {@link SoftToken} (encrypted PKCS#12 file) and
 * {@link dev.hallmark.hsm.pkcs11.Pkcs11Token} (SunPKCS11). Private keys never leave a PKCS#11 token; no method
 * of this interface returns a private key.
 *
 * <p>Callers hold a {@link VerifyingToken} around the raw token so that every signature is checked against the
 * public key before it is released (RELIABILITY T53). Implementations are thread-safe.
 */
public interface CryptoToken extends AutoCloseable {

    /** A short, stable name for logs and {@link KeyRef#token()}. */
    String name();

    /**
     * Generates a new key pair inside the token and persists it under {@code alias}.
     *
     * @throws TokenException {@code KEY_EXISTS} if the alias is taken, {@code UNSUPPORTED} for a key type this
     *                        token cannot hold, {@code UNAVAILABLE} if the token is unreachable
     */
    KeyRef generateKey(String alias, KeyType type);

    /** The key stored under {@code alias}, if any. */
    Optional<KeyRef> find(String alias);

    /** Every key alias in the token. */
    List<KeyRef> keys();

    /** The public half of {@code key}. */
    PublicKey publicKey(KeyRef key);

    /**
     * Signs {@code data} with {@code key}. The result is in the encoding X.509 expects (DER for ECDSA).
     *
     * @throws TokenException {@code UNAVAILABLE} when the token is lost or logged out, {@code KEY_NOT_FOUND},
     *                        {@code UNSUPPORTED} when the algorithm does not fit the key
     */
    byte[] sign(KeyRef key, SignatureAlgorithm algorithm, byte[] data);

    /** A cheap liveness probe (used by {@code /readyz}): true when a sign call is expected to work. */
    boolean isAvailable();

    @Override
    void close();
}
