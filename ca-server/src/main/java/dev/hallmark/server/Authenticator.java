package dev.hallmark.server;

import dev.hallmark.admin.AdminCredentials;
import java.util.Locale;
import java.util.Optional;

/**
 * Turns a bearer token or a client certificate into a {@link Caller}. Every request is looked up in the database
 * (one indexed read of a SHA-256), so a revoked credential stops working at once on every node. Blocking.
 */
final class Authenticator {
    private final AdminCredentials credentials;

    Authenticator(AdminCredentials credentials) {
        this.credentials = credentials;
    }

    /** The caller for an {@code Authorization} header value; empty unless it is a valid, unrevoked bearer token. */
    Optional<Caller> bearer(String authorization) {
        String value = authorization.trim();
        if (value.length() < 7 || !value.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
            return Optional.empty();
        }
        return credentials.authenticate(value.substring(7).trim())
                .map(c -> new Caller(c.id(), c.name(), c.role(), "token"));
    }

    /** The caller for a client certificate the TLS handshake verified against Hallmark's CAs. */
    Optional<Caller> certificate(byte[] der) {
        return credentials.authenticateCertificate(der).map(c -> new Caller(c.id(), c.name(), c.role(), "certificate"));
    }
}
