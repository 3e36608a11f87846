package dev.hallmark.protocol.acme;

import java.util.Locale;

/** The status values of RFC 8555 §7.1.6 for accounts, orders, authorizations and challenges. */
public enum AcmeStatus {
    PENDING, READY, PROCESSING, VALID, INVALID, DEACTIVATED, EXPIRED, REVOKED;

    /** The wire and database form: {@code pending}, {@code valid}, … */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@link #label()}. */
    public static AcmeStatus of(String label) {
        return valueOf(label.toUpperCase(Locale.ROOT));
    }
}
