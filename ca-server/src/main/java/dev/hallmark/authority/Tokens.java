package dev.hallmark.authority;

import dev.hallmark.hsm.TokenException;

/** Maps token failures to the authority's one exception type. */
final class Tokens {
    private Tokens() {
    }

    /** The {@link CaException} for a token failure while doing {@code what}. */
    static CaException toCaException(TokenException e, String what) {
        CaException.Kind kind = switch (e.reason()) {
            case UNAVAILABLE -> CaException.Kind.TOKEN_UNAVAILABLE;
            case KEY_EXISTS -> CaException.Kind.CONFLICT;
            case KEY_NOT_FOUND -> CaException.Kind.NOT_FOUND;
            case UNSUPPORTED, BAD_CONFIG -> CaException.Kind.MALFORMED;
            case SIGNATURE_FAULT -> CaException.Kind.INTERNAL;
        };
        return new CaException(kind, what + ": " + e.getMessage(), e);
    }
}
