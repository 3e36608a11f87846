package dev.hallmark.protocol.acme;

import java.time.Instant;
import java.util.Objects;

/**
 * One challenge of an authorization (RFC 8555 §8).
 *
 * @param id        its id (the challenge URL ends with it)
 * @param authzId   the authorization it belongs to
 * @param type      {@code http-01}, {@code dns-01} or {@code tls-alpn-01}
 * @param token     the base64url token (at least 128 bits of entropy, §8.1)
 * @param status    pending, processing, valid or invalid
 * @param validated when it became valid, or null
 * @param error     the problem document (JSON) when invalid, or null
 */
public record AcmeChallenge(String id, String authzId, String type, String token, AcmeStatus status, Instant validated,
                            String error) {
    public AcmeChallenge {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(authzId, "authzId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(status, "status");
    }
}
