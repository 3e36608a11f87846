package dev.hallmark.protocol.acme;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * An ACME account (RFC 8555 §7.1.2). The account key is identified by its RFC 7638 thumbprint, which is unique
 * across all accounts (a key belongs to at most one account, T15).
 *
 * @param id           the account number (the account URL ends with it)
 * @param thumbprint   base64url SHA-256 JWK thumbprint of the current key
 * @param jwk          the current public key as JWK JSON
 * @param status       valid, deactivated (by its holder) or revoked (by an operator)
 * @param contacts     {@code mailto:} URLs, possibly empty
 * @param termsAgreed  whether the client agreed to the terms of service
 * @param eabKid       the external account binding key id, or null
 * @param createdAt    when it was created
 */
public record AcmeAccount(long id, String thumbprint, String jwk, AcmeStatus status, List<String> contacts,
                          boolean termsAgreed, String eabKid, Instant createdAt) {
    public AcmeAccount {
        Objects.requireNonNull(thumbprint, "thumbprint");
        Objects.requireNonNull(jwk, "jwk");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(createdAt, "createdAt");
        contacts = List.copyOf(contacts);
    }
}
