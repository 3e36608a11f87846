package dev.hallmark.hsm;

import java.util.Objects;

/**
 * Names a key inside a token without holding it. For a PKCS#11 token the alias is the object's
 * {@code CKA_LABEL}/{@code CKA_ID}; for the soft token it is the PKCS#12 entry alias.
 *
 * @param token the {@link CryptoToken#name()} the key lives in
 * @param alias the key's alias in that token
 * @param type  the key's type
 */
public record KeyRef(String token, String alias, KeyType type) {
    public KeyRef {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(alias, "alias");
        Objects.requireNonNull(type, "type");
    }
}
