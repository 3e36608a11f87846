package dev.hallmark.config;

import dev.hallmark.authority.DistributionUrls;
import java.net.URI;
import java.time.Duration;

/**
 * The revocation service's settings ({@code urls:}, {@code crl:}, {@code ocsp:}), validated with the rest of the
 * configuration so {@code serve} fails before it opens anything. Keys and defaults: docs/CONFIGURATION.md.
 *
 * @param urls where certificates and CRLs point relying parties
 * @param crl  CRL publication
 * @param ocsp the OCSP responder
 */
public record RevocationSettings(DistributionUrls urls, Crl crl, Ocsp ocsp) {

    /**
     * @param validity        nextUpdate − thisUpdate of complete and shard CRLs (BR 4.9.7: at most 10 days)
     * @param interval        a new CRL at least this often, revocations or not (at most 7 days, below validity)
     * @param afterRevocation how soon after a revocation the next CRLs are built
     * @param shards          CRL partitions (1: one complete CRL per CA only)
     * @param delta           publish delta CRLs
     * @param deltaInterval   how often delta CRLs are built
     * @param deltaValidity   nextUpdate − thisUpdate of delta CRLs
     */
    public record Crl(Duration validity, Duration interval, Duration afterRevocation, int shards, boolean delta,
                      Duration deltaInterval, Duration deltaValidity) {
    }

    /** Who signs OCSP responses. */
    public enum Signer {
        /** A delegated responder certificate per CA (id-kp-OCSPSigning, ocsp-nocheck), issued and renewed by it. */
        DELEGATED,
        /** The CA key itself. */
        CA
    }

    /**
     * @param signer          who signs responses
     * @param validity        nextUpdate − thisUpdate of every response (8 hours to 7 days); refreshed at half of it
     * @param maxCertIds      the most CertIDs one request may ask about
     * @param nonce           echo a request's nonce (RFC 9654) in a freshly signed response; false serves nonce
     *                        requests from the cache without the nonce
     * @param cacheMaxEntries the most pre-signed responses kept in memory per node
     * @param pollInterval    how often the node reads revocations made by other nodes
     */
    public record Ocsp(Signer signer, Duration validity, int maxCertIds, boolean nonce, int cacheMaxEntries,
                       Duration pollInterval) {
    }

    /** Reads and checks the three sections of {@code root}. */
    public static RevocationSettings from(ConfigNode root) {
        ConfigNode u = root.get("urls").rejectUnknown("base");
        String base = u.string("base", null);
        if (base != null) {
            try {
                URI uri = URI.create(base);
                if (!"http".equals(uri.getScheme()) || uri.getHost() == null || uri.getQuery() != null
                        || uri.getFragment() != null) {
                    throw u.get("base").error("'" + base + "' is not an absolute http URL (relying parties fetch "
                            + "OCSP and CRLs over plain HTTP: RFC 5280 4.2.1.13, RFC 6960 A.1)");
                }
            } catch (IllegalArgumentException e) {
                throw u.get("base").error("'" + base + "' is not a valid URL");
            }
        }
        ConfigNode c = root.get("crl").rejectUnknown("validity", "interval", "afterRevocation", "shards", "delta");
        Duration validity = c.duration("validity", Duration.ofDays(7), Duration.ofHours(1), Duration.ofDays(10));
        Duration interval = c.duration("interval", Duration.ofDays(1), Duration.ofMinutes(1), Duration.ofDays(7));
        if (interval.compareTo(validity) >= 0) {
            throw c.get("interval").error("must be shorter than crl.validity (" + validity + "), or a CRL would expire "
                    + "before the next one is built");
        }
        Duration after = c.duration("afterRevocation", Duration.ofMinutes(1), Duration.ZERO, Duration.ofHours(24));
        int shards = c.integer("shards", 1, 1, 256);
        ConfigNode d = c.get("delta").rejectUnknown("enabled", "interval", "validity");
        boolean delta = d.bool("enabled", false);
        Duration deltaInterval = d.duration("interval", Duration.ofHours(1), Duration.ofMinutes(1), Duration.ofDays(1));
        Duration deltaValidity = d.duration("validity", Duration.ofHours(12), Duration.ofMinutes(10), Duration.ofDays(7));
        if (deltaInterval.compareTo(deltaValidity) >= 0) {
            throw d.get("interval").error("must be shorter than crl.delta.validity (" + deltaValidity + ")");
        }
        ConfigNode o = root.get("ocsp").rejectUnknown("signer", "validity", "maxCertIds", "nonce", "cacheMaxEntries",
                "pollInterval");
        Ocsp ocsp = new Ocsp(o.enumValue("signer", Signer.class, Signer.DELEGATED),
                o.duration("validity", Duration.ofDays(4), Duration.ofHours(8), Duration.ofDays(7)),
                o.integer("maxCertIds", 8, 1, 100),
                o.bool("nonce", true),
                o.integer("cacheMaxEntries", 1_000_000, 0, 50_000_000),
                o.duration("pollInterval", Duration.ofSeconds(2), Duration.ofMillis(100), Duration.ofMinutes(5)));
        return new RevocationSettings(new DistributionUrls(base, shards, delta),
                new Crl(validity, interval, after, shards, delta, deltaInterval, deltaValidity), ocsp);
    }
}
