package dev.hallmark.server;

import dev.hallmark.admin.AdminRole;

/**
 * Who made a request: an administrator credential (bearer token or mutual-TLS client certificate) or nobody
 * ({@link #ANONYMOUS}, for open routes).
 *
 * @param credentialId the credential's id, or {@code null} when anonymous
 * @param name         the credential's name
 * @param role         its role, or {@code null} when anonymous
 * @param method       {@code token}, {@code certificate} or {@code none}
 */
public record Caller(String credentialId, String name, AdminRole role, String method) {
    public static final Caller ANONYMOUS = new Caller(null, null, null, "none");

    public boolean isAnonymous() {
        return credentialId == null;
    }

    /** The actor recorded in the audit ledger: {@code admin:<id>} or {@code anonymous}. */
    public String actor() {
        return isAnonymous() ? "anonymous" : "admin:" + credentialId;
    }
}
