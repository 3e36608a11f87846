package dev.hallmark.authority;

import java.math.BigInteger;
import java.util.Objects;

/**
 * Where relying parties find revocation information and CA certificates, from configuration ({@code urls.base},
 * {@code crl.shards}, {@code crl.delta.enabled}): the URLs stamped into end-entity certificates (AIA id-ad-ocsp and
 * id-ad-caIssuers, CRL distribution points, Freshest CRL) and into the CRLs themselves (issuing distribution
 * point). A profile's own URL lists, when it has any, take precedence over these.
 *
 * @param base   the public base URL of the HTTP listener, without a trailing slash ({@code http://pki.example:8080});
 *               null when not configured: nothing is stamped then
 * @param shards the number of CRL partitions; 1 means one complete CRL per CA
 * @param delta  whether delta CRLs are published (and the Freshest CRL extension stamped)
 */
public record DistributionUrls(String base, int shards, boolean delta) {
    /** Nothing configured: certificates carry no AIA/CDP unless their profile names URLs. */
    public static final DistributionUrls NONE = new DistributionUrls(null, 1, false);

    public DistributionUrls {
        if (shards < 1) {
            throw new IllegalArgumentException("shards must be at least 1");
        }
        if (base != null) {
            base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        }
    }

    public boolean configured() {
        return base != null;
    }

    /** The OCSP responder URL. */
    public String ocsp() {
        return Objects.requireNonNull(base) + "/ocsp";
    }

    /** The URL of CA {@code ca}'s certificate (DER). */
    public String caIssuers(String ca) {
        return base + "/ca/" + ca + ".crt";
    }

    /** The complete CRL of CA {@code ca}. */
    public String completeCrl(String ca) {
        return base + "/crl/" + ca + ".crl";
    }

    /** Partition {@code shard} of CA {@code ca}'s CRL. */
    public String shardCrl(String ca, int shard) {
        return base + "/crl/" + ca + "-" + shard + ".crl";
    }

    /** The delta CRL of CA {@code ca}. */
    public String deltaCrl(String ca) {
        return base + "/crl/" + ca + "-delta.crl";
    }

    /** The partition a serial belongs to: fixed at issuance by its CRL distribution point. */
    public int shardOf(SerialNumber serial) {
        return shardOf(serial.value());
    }

    /** As {@link #shardOf(SerialNumber)}. */
    public int shardOf(BigInteger serial) {
        return shards == 1 ? 0 : serial.mod(BigInteger.valueOf(shards)).intValue();
    }

    /** The CRL distribution point a certificate with {@code serial} names. */
    public String crlFor(String ca, SerialNumber serial) {
        return shards > 1 ? shardCrl(ca, shardOf(serial)) : completeCrl(ca);
    }
}
