package dev.hallmark.protocol.acme;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Anti-replay nonces (RFC 8555 §6.5): 128 random bits, stored in the shared database so that a nonce issued by one
 * node is redeemable once on any node, and at most once however many requests race for it (T05). Expired nonces
 * are purged by the endpoint's housekeeping.
 *
 * <p>Every ACME response carries a fresh nonce, so storing them one by one cost a database transaction per response
 * (bench/acme-load). Nonces are therefore stored {@value #BATCH} at a time, in one transaction, before any of them is
 * handed out, and handed out from memory; a batch stored more than a quarter of the lifetime ago is dropped (its
 * nonces simply expire unused), so a nonce handed out stays redeemable for at least three quarters of the lifetime.
 * A node that stops loses its unhanded nonces, which were never given to anyone.
 */
final class Nonces {
    private static final Pattern SHAPE = Pattern.compile("[A-Za-z0-9_-]{16,64}");
    private final AcmeStore store;
    private final Clock clock;
    private final Duration lifetime;
    /** How many nonces one transaction stores. */
    static final int BATCH = 32;
    private final SecureRandom random = new SecureRandom();
    private final Deque<String> ready = new ArrayDeque<>(BATCH);
    private Instant readyStoredAt = Instant.MIN;

    Nonces(AcmeStore store, Clock clock, Duration lifetime) {
        this.store = store;
        this.clock = clock;
        this.lifetime = lifetime;
    }

    /** A fresh nonce, stored before it is handed out, never handed out twice. */
    synchronized String fresh() {
        Instant now = clock.instant();
        if (ready.isEmpty() || !now.isBefore(readyStoredAt.plus(lifetime.dividedBy(4))) || now.isBefore(readyStoredAt)) {
            ready.clear();
            List<String> batch = new ArrayList<>(BATCH);
            for (int i = 0; i < BATCH; i++) {
                byte[] b = new byte[16];
                random.nextBytes(b);
                batch.add(Base64.getUrlEncoder().withoutPadding().encodeToString(b));
            }
            store.putNonces(batch, now.plus(lifetime));
            ready.addAll(batch);
            readyStoredAt = now;
        }
        return ready.poll();
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
