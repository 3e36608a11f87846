package dev.hallmark.authority;

import dev.hallmark.hsm.KeyType;
import dev.hallmark.hsm.SignatureAlgorithm;
import java.time.Instant;

/**
 * A certificate authority as stored.
 *
 * @param name               {@code root}, {@code issuing}, ...
 * @param parentName         the CA that certified it, or null for a root
 * @param subject            RFC 4514 subject
 * @param keyAlias           alias of its key in the token
 * @param keyType            key type
 * @param signatureAlgorithm how it signs
 * @param certificateDer     its certificate
 * @param serial             its certificate's serial (issued by {@code parentName}, or itself for a root)
 * @param notBefore          validity start
 * @param notAfter           validity end
 * @param createdAt          when it was created
 */
public record CaRecord(String name, String parentName, String subject, String keyAlias, KeyType keyType,
                       SignatureAlgorithm signatureAlgorithm, byte[] certificateDer, SerialNumber serial,
                       Instant notBefore, Instant notAfter, Instant createdAt) {
    public CaRecord {
        certificateDer = certificateDer.clone();
    }

    @Override
    public byte[] certificateDer() {
        return certificateDer.clone();
    }
}
