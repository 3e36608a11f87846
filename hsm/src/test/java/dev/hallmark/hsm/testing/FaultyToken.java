package dev.hallmark.hsm.testing;

import dev.hallmark.hsm.CryptoToken;
import dev.hallmark.hsm.KeyRef;
import dev.hallmark.hsm.KeyType;
import dev.hallmark.hsm.SignatureAlgorithm;
import dev.hallmark.hsm.TokenException;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link CryptoToken} that forwards to another one and fails on command, for tests of what the authority does
 * when its token misbehaves ("store fails after sign", "HSM gone mid-issuance"). The switches are:
 * <ul>
 *   <li>{@link #goUnavailable()} / {@link #comeBack()}: every call (and {@link #isAvailable()}) fails with
 *       {@code UNAVAILABLE} until switched back, like a pulled HSM;</li>
 *   <li>{@link #corruptNextSignature()}: the next signature has one bit flipped (a {@code VerifyingToken} around this
 *       one must catch it);</li>
 *   <li>{@link #failAfterSigns(int)}: the first {@code n} further signs work, then every sign fails with
 *       {@code UNAVAILABLE};</li>
 *   <li>{@link #slowSign(Duration)}: every sign sleeps first (for timeout and back-pressure tests; never assert on
 *       timings).</li>
 * </ul>
 * Thread-safe: the switches are atomics and may be flipped while other threads sign.
 */
public final class FaultyToken implements CryptoToken {
    private final CryptoToken delegate;
    private final AtomicBoolean unavailable = new AtomicBoolean();
    private final AtomicBoolean corruptNext = new AtomicBoolean();
    /** Signs still allowed; negative for no limit. */
    private final AtomicLong signsLeft = new AtomicLong(-1);
    private volatile Duration signDelay = Duration.ZERO;

    /** Wraps {@code delegate} (not {@code null}) with every switch off. */
    public FaultyToken(CryptoToken delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The wrapped token. */
    public CryptoToken delegate() {
        return delegate;
    }

    /** From now on every call fails with {@code UNAVAILABLE} and {@link #isAvailable()} is false. */
    public FaultyToken goUnavailable() {
        unavailable.set(true);
        return this;
    }

    /** Undoes {@link #goUnavailable()} and {@link #failAfterSigns(int)}. */
    public FaultyToken comeBack() {
        unavailable.set(false);
        signsLeft.set(-1);
        return this;
    }

    /** The next signature returned has its lowest bit of the middle byte flipped. */
    public FaultyToken corruptNextSignature() {
        corruptNext.set(true);
        return this;
    }

    /** The next {@code n} signs work (0: none), then every sign fails with {@code UNAVAILABLE}. */
    public FaultyToken failAfterSigns(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0");
        }
        signsLeft.set(n);
        return this;
    }

    /** Every sign first sleeps {@code delay} (zero to switch off). */
    public FaultyToken slowSign(Duration delay) {
        this.signDelay = Objects.requireNonNull(delay, "delay");
        return this;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public KeyRef generateKey(String alias, KeyType type) {
        checkAvailable();
        return delegate.generateKey(alias, type);
    }

    @Override
    public Optional<KeyRef> find(String alias) {
        checkAvailable();
        return delegate.find(alias);
    }

    @Override
    public List<KeyRef> keys() {
        checkAvailable();
        return delegate.keys();
    }

    @Override
    public PublicKey publicKey(KeyRef key) {
        checkAvailable();
        return delegate.publicKey(key);
    }

    /** Applies the switches in order: delay, unavailable, sign limit, then signs and maybe corrupts. */
    @Override
    public byte[] sign(KeyRef key, SignatureAlgorithm algorithm, byte[] data) {
        Duration delay = signDelay;
        if (!delay.isZero()) {
            try {
                Thread.sleep(delay.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TokenException(TokenException.Reason.UNAVAILABLE, "interrupted while signing", e);
            }
        }
        checkAvailable();
        long left = signsLeft.getAndUpdate(n -> n > 0 ? n - 1 : n);
        if (left == 0) {
            throw new TokenException(TokenException.Reason.UNAVAILABLE,
                    "token " + name() + " failed (FaultyToken: sign limit reached)");
        }
        byte[] signature = delegate.sign(key, algorithm, data);
        if (corruptNext.compareAndSet(true, false)) {
            signature = signature.clone();
            signature[signature.length / 2] ^= 1;
        }
        return signature;
    }

    @Override
    public boolean isAvailable() {
        return !unavailable.get() && delegate.isAvailable();
    }

    @Override
    public void close() {
        delegate.close();
    }

    private void checkAvailable() {
        if (unavailable.get()) {
            throw new TokenException(TokenException.Reason.UNAVAILABLE,
                    "token " + name() + " is unavailable (FaultyToken switched off)");
        }
    }
}
