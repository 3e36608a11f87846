package dev.hallmark.authority.crl;

/** The three kinds of CRL a CA publishes. */
public enum CrlKind {
    /** Every revoked, unexpired certificate of the CA: {@code /crl/<ca>.crl}. */
    COMPLETE,
    /** One partition, with an issuing distribution point naming it: {@code /crl/<ca>-<n>.crl}. */
    SHARD,
    /** Changes since the latest complete CRL (RFC 5280 5.2.4): {@code /crl/<ca>-delta.crl}. */
    DELTA
}
