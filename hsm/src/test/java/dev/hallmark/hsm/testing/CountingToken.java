package dev.hallmark.hsm.testing;

import dev.hallmark.hsm.CryptoToken;
import dev.hallmark.hsm.ForwardingToken;
import dev.hallmark.hsm.KeyRef;
import dev.hallmark.hsm.KeyType;
import dev.hallmark.hsm.SignatureAlgorithm;
import java.security.PublicKey;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link CryptoToken} that forwards to another one and counts sign calls per key alias, for the reconciler
 * checks (RELIABILITY N1: every signature the token made is accounted for by a stored certificate, CRL or
 * response). A call is counted when it is made, whether it then succeeds or not; {@link #successes(String)} counts
 * only signatures actually returned. Thread-safe.
 */
public final class CountingToken extends ForwardingToken {
    private final Map<String, AtomicLong> calls = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> successes = new ConcurrentHashMap<>();

    /** Wraps {@code delegate} (not {@code null}). */
    public CountingToken(CryptoToken delegate) {
        super(delegate);
    }

    /** Sign calls made with the key {@code alias} (0 if none). */
    public long signs(String alias) {
        AtomicLong n = calls.get(alias);
        return n == null ? 0 : n.get();
    }

    /** Sign calls made with {@code key}. */
    public long signs(KeyRef key) {
        return signs(key.alias());
    }

    /** Sign calls with the key {@code alias} that returned a signature. */
    public long successes(String alias) {
        AtomicLong n = successes.get(alias);
        return n == null ? 0 : n.get();
    }

    /** Sign calls over all keys. */
    public long totalSigns() {
        return calls.values().stream().mapToLong(AtomicLong::get).sum();
    }

    /** A snapshot of the sign calls per alias. */
    public Map<String, Long> signsByAlias() {
        Map<String, Long> snapshot = new java.util.TreeMap<>();
        calls.forEach((alias, n) -> snapshot.put(alias, n.get()));
        return snapshot;
    }

    /** Sets every count back to zero. */
    public void reset() {
        calls.clear();
        successes.clear();
    }

    @Override
    public byte[] sign(KeyRef key, SignatureAlgorithm algorithm, byte[] data) {
        calls.computeIfAbsent(key.alias(), a -> new AtomicLong()).incrementAndGet();
        byte[] signature = super.sign(key, algorithm, data);
        successes.computeIfAbsent(key.alias(), a -> new AtomicLong()).incrementAndGet();
        return signature;
    }

}
