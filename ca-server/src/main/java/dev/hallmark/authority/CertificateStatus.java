package dev.hallmark.authority;

/** A certificate's status as reported to users ({@code cert list --status}). */
public enum CertificateStatus {
    /** Issued, unexpired and not revoked. */
    VALID,
    REVOKED,
    /** Past notAfter and not revoked. */
    EXPIRED,
    /** Intent recorded but the outcome is unknown (crash between signing and storing); revocable by serial. */
    UNKNOWN
}
