package dev.hallmark.admin;

/** What an administrator credential may do; routes declare the roles they allow (the admin API, issue 4). */
public enum AdminRole {
    /** Everything, including CA and credential management. */
    ADMIN,
    /** Issue and revoke certificates. */
    OPERATOR,
    /** Read certificates, the ledger and proofs. */
    AUDITOR
}
