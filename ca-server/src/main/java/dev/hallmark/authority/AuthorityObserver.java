package dev.hallmark.authority;

/**
 * Told about every issuance and revocation outcome, after it is final (metrics, notifications). Called on the
 * caller's thread; must be quick and must not throw.
 */
public interface AuthorityObserver {
    /** A certificate was stored, audited and returned. */
    default void issued(IssuanceRequest request, CertificateRecord certificate) {
    }

    /** An issuance request was refused or failed; nothing was issued. */
    default void refused(IssuanceRequest request, CaException.Kind kind) {
    }

    /** A serial was revoked (or its reason raised to keyCompromise). */
    default void revoked(RevocationRequest request) {
    }

    /** A revocation request was refused or failed. */
    default void revocationRefused(RevocationRequest request, CaException.Kind kind) {
    }
}
