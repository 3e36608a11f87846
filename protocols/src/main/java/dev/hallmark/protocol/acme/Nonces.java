package dev.hallmark.protocol.acme;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * Anti-replay nonces (RFC 8555 §6.5): 128 random bits, stored in the shared database so that a nonce issued by one
 * node is redeemable once on any node, and at most once however many requests race for it (T05). Expired nonces
 * are purged by the endpoint's housekeeping.
 */
final class Nonces {
    private static final Pattern SHAPE = Pattern.compile("[A-Za-z0-9_-]{16,64}");
    private final AcmeStore store;
    private final Clock clock;
    private final Duration lifetime;
    private final SecureRandom random = new SecureRandom();

    Nonces(AcmeStore store, Clock clock, Duration lifetime) {
        this.store = store;
        this.clock = clock;
        this.lifetime = lifetime;
    }

    /** A fresh nonce, stored before it is handed out. */
    String fresh() {
        byte[] b = new byte[16];
        random.nextBytes(b);
        String nonce = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        store.putNonce(nonce, clock.instant().plus(lifetime));
        return nonce;
    }

    /**
     * Redeems {@code nonce}.
     *
     * @throws AcmeProblem {@code badNonce} when it is missing, malformed, unknown, expired or already used
     */
    void redeem(String nonce) {
        if (nonce == null) {
            throw AcmeProblem.of("badNonce", 400, "the protected header has no 'nonce'; get one from newNonce");
        }
        if (!SHAPE.matcher(nonce).matches()) {
            throw AcmeProblem.of("badNonce", 400, "the nonce is not one this server issues");
        }
        if (!store.consumeNonce(nonce, clock.instant())) {
            throw AcmeProblem.of("badNonce", 400, "the nonce was already used, has expired or was never issued");
        }
    }

    /** Deletes expired nonces. */
    int purge() {
        return store.purgeNonces(clock.instant());
    }
}
