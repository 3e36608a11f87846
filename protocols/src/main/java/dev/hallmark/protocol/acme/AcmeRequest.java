package dev.hallmark.protocol.acme;

import org.jose4j.jwk.PublicJsonWebKey;

/**
 * A verified ACME POST: its JWS checked (signature, {@code url}, nonce) and, for {@code kid} requests, its account.
 *
 * @param urls       the URLs as this client sees them
 * @param jws        the verified JWS
 * @param key        the key that signed it
 * @param thumbprint the key's RFC 7638 thumbprint
 * @param account    the signing account ({@code kid} requests; {@code jwk} requests when the key has one), or null
 */
record AcmeRequest(AcmeUrls urls, AcmeJws jws, PublicJsonWebKey key, String thumbprint, AcmeAccount account) {

    /** The account, which a {@code kid} request always has. */
    AcmeAccount requireAccount() {
        if (account == null) {
            throw AcmeProblem.of("accountDoesNotExist", 400, "no account for this key");
        }
        return account;
    }

    /** Refuses a payload on a POST-as-GET resource (RFC 8555 §6.3, T07). */
    void requirePostAsGet() {
        if (!jws.postAsGet()) {
            throw AcmeProblem.malformed("this resource is read with POST-as-GET: send an empty payload");
        }
    }
}
