package dev.hallmark.ledger;

/**
 * The ledger could not be written or read. A failed {@link AuditLedger#append} means the caller's transaction
 * must fail too, so the CA does not sign (fail closed, RELIABILITY I10/T56).
 */
public final class LedgerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** A failure with a message that names what the ledger was doing. */
    public LedgerException(String message) {
        super(message);
    }

    /** A failure caused by {@code cause} (usually a JDBC or token failure). */
    public LedgerException(String message, Throwable cause) {
        super(message, cause);
    }
}
