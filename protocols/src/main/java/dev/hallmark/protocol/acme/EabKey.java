package dev.hallmark.protocol.acme;

import java.time.Instant;
import java.util.Objects;

/**
 * An external account binding key (RFC 8555 §7.3.4) as stored: the HMAC key only in encrypted form.
 *
 * @param kid          the key identifier the client names in its binding
 * @param sealedKey    the HMAC key encrypted by {@link EabKeys} (AES-256-GCM, the kid as associated data)
 * @param createdAt    when it was created
 * @param createdBy    who created it
 * @param accountId    the account it was bound to (single use), or null while unused
 * @param revoked      whether an operator withdrew it
 */
public record EabKey(String kid, byte[] sealedKey, Instant createdAt, String createdBy, Long accountId, boolean revoked) {
    public EabKey {
        Objects.requireNonNull(kid, "kid");
        Objects.requireNonNull(sealedKey, "sealedKey");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(createdBy, "createdBy");
        sealedKey = sealedKey.clone();
    }

    @Override
    public byte[] sealedKey() {
        return sealedKey.clone();
    }
}
