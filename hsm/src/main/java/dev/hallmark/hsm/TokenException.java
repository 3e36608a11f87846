package dev.hallmark.hsm;

/**
 * The one failure type of the {@code hsm} module. Messages never contain a PIN, passphrase or key material.
 */
public final class TokenException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why the token refused. The authority maps {@link #UNAVAILABLE} to {@code TOKEN_UNAVAILABLE}. */
    public enum Reason {
        /** The token cannot be reached or is logged out; retrying later may succeed. */
        UNAVAILABLE,
        /** The named key does not exist in the token. */
        KEY_NOT_FOUND,
        /** A key with that alias exists already; keys are never overwritten. */
        KEY_EXISTS,
        /** The token cannot do this (key type or algorithm not supported by it). */
        UNSUPPORTED,
        /** A signature did not verify with the key's public key: never released. */
        SIGNATURE_FAULT,
        /** The token's configuration is wrong (library, label, PIN file, passphrase). */
        BAD_CONFIG
    }

    private final Reason reason;

    public TokenException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public TokenException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
