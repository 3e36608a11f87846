package dev.hallmark.protocol.acme;

import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jose4j.jwk.PublicJsonWebKey;

/**
 * Authenticates ACME POSTs (RFC 8555 §6.2–6.5) in a fixed order: parse (bounded, strict) → algorithm → {@code url}
 * equals the request URL → the key ({@code jwk} or the {@code kid} account's) → the signature → the nonce. A request
 * that fails any step changes nothing; the nonce is consumed only by a correctly signed request, so a forged request
 * cannot burn someone else's nonce.
 */
final class RequestVerifier {
    /** Which key reference a resource takes (§6.2). */
    enum KeyMode { JWK, KID, EITHER }

    private final AcmeStore store;
    private final Nonces nonces;
    private final URI baseUrl;
    /** Parsed account keys by stored JWK text; cleared whole when full (the account rows stay the authority). */
    private final Map<String, AccountKey> keys = new ConcurrentHashMap<>();
    private static final int KEY_CACHE_SIZE = 10_000;

    RequestVerifier(AcmeStore store, Nonces nonces, URI baseUrl) {
        this.store = store;
        this.nonces = nonces;
        this.baseUrl = baseUrl;
    }

    AcmeRequest verify(RoutingContext ctx, AcmeUrls urls, KeyMode mode) {
        byte[] body = ctx.body() == null || ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
        if (body.length == 0) {
            throw AcmeProblem.malformed("the request has no body; ACME requests are JWS (RFC 8555 §6.2)");
        }
        AcmeJws jws = AcmeJws.parse(body);
        if (jws.url() == null) {
            throw AcmeProblem.malformed("the protected header has no 'url' (RFC 8555 §6.4)");
        }
        if (!jws.url().equals(urls.request(ctx))) {
            throw AcmeProblem.unauthorized("the JWS was signed for " + jws.url() + ", not for this URL "
                    + urls.request(ctx) + " (RFC 8555 §6.4)");
        }
        if (mode == KeyMode.JWK && jws.kid() != null) {
            throw AcmeProblem.malformed("this resource takes a 'jwk' header, not 'kid' (RFC 8555 §6.2)");
        }
        if (mode == KeyMode.KID && jws.jwk() != null) {
            throw AcmeProblem.malformed("this resource takes a 'kid' header naming the account, not 'jwk' (RFC 8555 §6.2)");
        }
        PublicJsonWebKey key;
        String thumbprint;
        AcmeAccount account;
        if (jws.jwk() != null) {
            key = jws.embeddedKey();
            thumbprint = AcmeJws.thumbprint(key);
            account = store.accountByThumbprint(thumbprint).orElse(null);
            jws.verify(key);
        } else {
            long id = urls.accountId(jws.kid());
            account = id < 0 ? null : store.account(id).orElse(null);
            if (account == null) {
                throw AcmeProblem.of("accountDoesNotExist", 400, "'kid' names no account of this server");
            }
            AccountKey stored = accountKey(account.jwk());
            AcmeJws.checkFits(stored.jwk(), jws.alg());
            key = stored.jwk();
            thumbprint = account.thumbprint();
            jws.verify(stored.verifier());
        }
        nonces.redeem(jws.nonce());
        if (mode == KeyMode.KID && account.status() != AcmeStatus.VALID) {
            throw AcmeProblem.accountNotValid("the account is " + account.status().label());
        }
        return new AcmeRequest(urls, jws, key, thumbprint, account);
    }

    /**
     * The parsed form of an account's stored JWK, from {@link #keys} when seen before. Keyed by the stored text, so a
     * key rollover (new text) is never answered with the old key; the account row itself is read on every request.
     */
    private AccountKey accountKey(String storedJwk) {
        AccountKey k = keys.get(storedJwk);
        if (k == null) {
            PublicJsonWebKey jwk = AcmeJws.publicKey(AcmeJson.object(storedJwk.getBytes(StandardCharsets.UTF_8),
                    "stored key"));
            k = new AccountKey(jwk, AcmeJws.verificationKey(jwk));
            if (keys.size() >= KEY_CACHE_SIZE) {
                keys.clear();
            }
            keys.put(storedJwk, k);
        }
        return k;
    }

    /** An account key parsed once: the JWK and the public key its signatures are verified with. */
    private record AccountKey(PublicJsonWebKey jwk, PublicKey verifier) {
    }
}
