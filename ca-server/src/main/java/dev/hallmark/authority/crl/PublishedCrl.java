package dev.hallmark.authority.crl;

import java.time.Instant;

/**
 * A signed CRL as stored and served.
 *
 * @param issuer     the CA's name
 * @param number     its CRL number (one strictly increasing sequence per CA across every kind and shard)
 * @param kind       complete, shard or delta
 * @param shard      the partition for {@link CrlKind#SHARD}, else -1
 * @param baseNumber for a delta CRL, the number of the complete CRL it applies to; else null
 * @param thisUpdate its thisUpdate
 * @param nextUpdate its nextUpdate
 * @param entries    how many revoked certificates it lists
 * @param length     the DER's length in bytes
 * @param sha256     hex SHA-256 of the DER
 * @param der        the DER, or null where only the metadata was read
 * @param builtBy    the node that built it
 */
public record PublishedCrl(String issuer, long number, CrlKind kind, int shard, Long baseNumber, Instant thisUpdate,
                           Instant nextUpdate, long entries, long length, String sha256, byte[] der, String builtBy) {

    /** The file name it is served under in {@code /crl/}. */
    public String fileName() {
        return switch (kind) {
            case COMPLETE -> issuer + ".crl";
            case SHARD -> issuer + "-" + shard + ".crl";
            case DELTA -> issuer + "-delta.crl";
        };
    }
}
