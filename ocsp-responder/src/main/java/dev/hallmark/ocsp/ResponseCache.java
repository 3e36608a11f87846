package dev.hallmark.ocsp;

import java.math.BigInteger;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Signed responses ready to serve without a signature per request (RFC 5019): one per (CA, serial, CertID hash),
 * bounded by {@code ocsp.cacheMaxEntries}. Lookups never block, so cached answers are sent from the event loop.
 * An entry is never served at or after its nextUpdate (LE 2016 stale responses, T38). Thread-safe.
 */
final class ResponseCache {
    private final ConcurrentHashMap<Key, Entry> entries = new ConcurrentHashMap<>();
    private final int maxEntries;
    /** Raised by every invalidation: a response signed from a status read before it must not be cached. */
    private final java.util.concurrent.atomic.AtomicLong epoch = new java.util.concurrent.atomic.AtomicLong();

    ResponseCache(int maxEntries) {
        this.maxEntries = maxEntries;
    }

    /**
     * @param ca     the CA's name
     * @param serial the serial
     * @param hash   the CertID hash algorithm ({@link OcspQuery.Question#hashKey()})
     */
    record Key(String ca, BigInteger serial, String hash) {
    }

    /**
     * One signed response.
     *
     * @param der          the whole OCSPResponse
     * @param status       the status it states
     * @param thisUpdate   its thisUpdate (also its producedAt)
     * @param nextUpdate   its nextUpdate
     * @param etag         a strong validator (RFC 5019 6.2), quoted
     * @param signerSerial the responder certificate that signed it, or null for the CA key
     */
    record Entry(byte[] der, CertStatus status, Instant thisUpdate, Instant nextUpdate, String etag, String signerSerial,
                 String lastModified, String expires) {
        /** An entry with its HTTP date headers formatted once (RFC 5019 6.2), not per response sent. */
        Entry(byte[] der, CertStatus status, Instant thisUpdate, Instant nextUpdate, String etag, String signerSerial) {
            this(der, status, thisUpdate, nextUpdate, etag, signerSerial, HttpDates.format(thisUpdate), HttpDates.format(nextUpdate));
        }

        boolean servableAt(Instant now) {
            return now.isBefore(nextUpdate) && !now.isBefore(thisUpdate.minusSeconds(60));
        }
    }

    /** The entry, if one is cached and may be served at {@code now}. */
    Entry fresh(Key key, Instant now) {
        Entry e = entries.get(key);
        return e != null && e.servableAt(now) ? e : null;
    }

    Entry get(Key key) {
        return entries.get(key);
    }

    /** The invalidation count, to pass to {@link #putIfNotInvalidatedSince}. */
    long epoch() {
        return epoch.get();
    }

    /**
     * Stores an entry signed from a status read after {@link #epoch()} returned {@code epochBefore}, unless an
     * invalidation happened since (a revocation committed between the read and now): then the next request signs again.
     */
    synchronized boolean putIfNotInvalidatedSince(Key key, Entry entry, long epochBefore) {
        return epoch.get() == epochBefore && put(key, entry);
    }

    /** Stores an entry unless the cache is full (a replacement always fits). */
    boolean put(Key key, Entry entry) {
        if (entries.size() >= maxEntries && !entries.containsKey(key)) {
            return false;
        }
        entries.put(key, entry);
        return true;
    }

    /** Drops every entry of one serial (all hash algorithms): the next request signs afresh. */
    synchronized void invalidate(String ca, BigInteger serial) {
        epoch.incrementAndGet();
        for (org.bouncycastle.asn1.ASN1ObjectIdentifier hash : OcspQuery.HASHES) {
            entries.remove(new Key(ca, serial, OcspQuery.Question.hashKey(hash, true)));
            entries.remove(new Key(ca, serial, OcspQuery.Question.hashKey(hash, false)));
        }
    }

    /** True when some cached response for the serial (any CertID hash) states other than {@code status}. */
    boolean statesOtherThan(String ca, BigInteger serial, CertStatus status) {
        for (org.bouncycastle.asn1.ASN1ObjectIdentifier hash : OcspQuery.HASHES) {
            for (boolean nullParameters : new boolean[] {true, false}) {
                Entry e = entries.get(new Key(ca, serial, OcspQuery.Question.hashKey(hash, nullParameters)));
                if (e != null && !e.status().equals(status)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Drops every response of CA {@code ca} signed by the responder certificate {@code signerSerial}. */
    void removeSignedBy(String ca, String signerSerial) {
        entries.entrySet().removeIf(e -> e.getKey().ca().equals(ca) && signerSerial.equals(e.getValue().signerSerial()));
    }

    /** Drops expired entries. */
    void evictExpired(Instant now) {
        entries.values().removeIf(e -> !now.isBefore(e.nextUpdate()));
    }

    int size() {
        return entries.size();
    }

    boolean full() {
        return entries.size() >= maxEntries;
    }

    /** Every entry (weakly consistent), for sweeps. */
    Iterable<java.util.Map.Entry<Key, Entry>> all() {
        return entries.entrySet();
    }
}
