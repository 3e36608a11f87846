package dev.hallmark.hsm;

import java.security.PublicKey;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link CryptoToken} that forwards every call to another one; decorators (verifying, counting, timing,
 * fault-injecting) extend it and override only what they change. Thread-safe if the delegate is.
 */
public abstract class ForwardingToken implements CryptoToken {
    private final CryptoToken delegate;

    /** @param delegate the token every call goes to; not null */
    protected ForwardingToken(CryptoToken delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The wrapped token. */
    public CryptoToken delegate() {
        return delegate;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public KeyRef generateKey(String alias, KeyType type) {
        return delegate.generateKey(alias, type);
    }

    @Override
    public Optional<KeyRef> find(String alias) {
        return delegate.find(alias);
    }

    @Override
    public List<KeyRef> keys() {
        return delegate.keys();
    }

    @Override
    public PublicKey publicKey(KeyRef key) {
        return delegate.publicKey(key);
    }

    @Override
    public byte[] sign(KeyRef key, SignatureAlgorithm algorithm, byte[] data) {
        return delegate.sign(key, algorithm, data);
    }

    @Override
    public boolean isAvailable() {
        return delegate.isAvailable();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
