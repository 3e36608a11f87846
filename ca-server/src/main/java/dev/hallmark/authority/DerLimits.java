package dev.hallmark.authority;

/**
 * Bounds a DER structure before any parser sees it (RELIABILITY I11): total size, nesting depth, definite
 * lengths in their shortest form only (X.690 §10.1), and every length consistent with its container. This is a structural pre-scan, not a parser;
 * BouncyCastle parses what passes it.
 */
public final class DerLimits {
    private final int maxBytes;
    private final int maxDepth;

    /**
     * @param maxBytes largest accepted encoding
     * @param maxDepth deepest accepted nesting of constructed values
     */
    public DerLimits(int maxBytes, int maxDepth) {
        this.maxBytes = maxBytes;
        this.maxDepth = maxDepth;
    }

    /**
     * Checks {@code der}; it must be exactly one TLV.
     *
     * @param what names the input in the error message ("CSR")
     * @throws CaException {@code MALFORMED} describing the first violation
     */
    public void check(byte[] der, String what) {
        if (der.length == 0) {
            throw new CaException(CaException.Kind.MALFORMED, what + " is empty");
        }
        if (der.length > maxBytes) {
            throw new CaException(CaException.Kind.MALFORMED, what + " is " + der.length + " bytes; at most "
                    + maxBytes + " are accepted");
        }
        int end = scan(der, 0, der.length, 1, what);
        if (end != der.length) {
            throw new CaException(CaException.Kind.MALFORMED, what + " has " + (der.length - end)
                    + " trailing bytes after the DER structure");
        }
    }

    /** Scans one TLV at {@code pos} within [pos, limit); returns the offset after it. Recursion depth is bounded. */
    private int scan(byte[] b, int pos, int limit, int depth, String what) {
        if (depth > maxDepth) {
            throw new CaException(CaException.Kind.MALFORMED, what + " is nested deeper than " + maxDepth + " levels");
        }
        if (pos >= limit) {
            throw truncated(what);
        }
        int tag = b[pos++] & 0xff;
        if ((tag & 0x1f) == 0x1f) { // high tag number form
            int n = 0;
            while (true) {
                if (pos >= limit || ++n > 4) {
                    throw new CaException(CaException.Kind.MALFORMED, what + " has an invalid tag");
                }
                if ((b[pos++] & 0x80) == 0) {
                    break;
                }
            }
        }
        if (pos >= limit) {
            throw truncated(what);
        }
        int first = b[pos++] & 0xff;
        long length;
        if (first < 0x80) {
            length = first;
        } else if (first == 0x80) {
            throw new CaException(CaException.Kind.MALFORMED, what + " uses indefinite-length encoding (not DER)");
        } else {
            int octets = first & 0x7f;
            if (octets > 4) {
                throw new CaException(CaException.Kind.MALFORMED, what + " declares an impossible length");
            }
            length = 0;
            for (int i = 0; i < octets; i++) {
                if (pos >= limit) {
                    throw truncated(what);
                }
                length = (length << 8) | (b[pos++] & 0xff);
            }
            if (length < 0x80 || length >> (8 * (octets - 1)) == 0) {
                throw new CaException(CaException.Kind.MALFORMED, what + " encodes a length in more octets than it"
                        + " needs (BER, not DER)");
            }
        }
        if (length > limit - pos) {
            throw truncated(what);
        }
        int end = pos + (int) length;
        if ((tag & 0x20) != 0) { // constructed: its content is a sequence of TLVs
            int p = pos;
            while (p < end) {
                p = scan(b, p, end, depth + 1, what);
            }
        }
        return end;
    }

    private static CaException truncated(String what) {
        return new CaException(CaException.Kind.MALFORMED, what + " is truncated or has an inconsistent length");
    }
}
