package dev.hallmark.ledger;

/**
 * The kinds of event the audit ledger records (BR 5.4.1 coverage, RELIABILITY T57). The names are stored in the
 * ledger and covered by leaf hashes: never rename a constant, only add new ones.
 */
public enum AuditEventType {
    /** A certificate authority (root or subordinate) was created. */
    CA_CREATED,
    /** A key pair was generated in a token (CA, OCSP responder or ledger key). */
    KEY_GENERATED,
    /** Write-ahead intent: a serial is reserved and the CA key is about to sign this TBS certificate. */
    CERTIFICATE_SIGNING,
    /** A certificate was signed, verified, stored and may now be returned. */
    CERTIFICATE_ISSUED,
    /** An issuance attempt ended without a released certificate; the serial stays reserved forever. */
    CERTIFICATE_ABORTED,
    /** A token returned a signature that did not verify; it was discarded (RELIABILITY T53). */
    SIGNATURE_FAULT,
    /** A certificate was revoked. */
    CERTIFICATE_REVOKED,
    /** The revocation reason of a revoked certificate was raised to keyCompromise. */
    REVOCATION_REASON_RAISED,
    /** A public key was blocked from future certification (keyCompromise). */
    KEY_BLOCKED,
    /** A certificate profile was created, changed or deleted. */
    PROFILE_CHANGED,
    /** The issuance or authorisation policy changed. */
    POLICY_CHANGED,
    /** Server configuration changed; records that a secret changed, never its value. */
    CONFIG_CHANGED,
    /** An administrator credential was created (its value is never recorded). */
    ADMIN_CREDENTIAL_CREATED,
    /** An administrator credential was revoked. */
    ADMIN_CREDENTIAL_REVOKED,
    /** The ledger key signed a checkpoint; the entry is covered by the next checkpoint. */
    LEDGER_CHECKPOINT_SIGNED,
    /** Write-ahead intent: the CA key is about to sign a CRL. */
    CRL_SIGNING,
    /** A CRL was signed, verified and stored. */
    CRL_SIGNED,
    /** Write-ahead intent: a responder key is about to sign a batch of OCSP responses. */
    OCSP_SIGNING,
    /** A batch of OCSP responses was signed, verified and stored. */
    OCSP_SIGNED,
    /** Write-ahead intent: the ledger key is about to sign a checkpoint of this tree size and root. */
    LEDGER_CHECKPOINT_SIGNING
}
