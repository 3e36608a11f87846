package dev.hallmark.ocsp;

import dev.hallmark.authority.Authority;
import dev.hallmark.authority.CaException;
import dev.hallmark.authority.SerialNumber;
import dev.hallmark.authority.SerialRecord;
import dev.hallmark.config.RevocationSettings;
import dev.hallmark.db.DatabaseException;
import dev.hallmark.hsm.TokenException;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers OCSP requests (RFC 6960, RFC 5019) in two halves. {@link #lookup} never blocks: it parses, and answers
 * from the pre-signed cache or with an error status; the event loop calls it. {@link #answer} reads the database
 * and signs; a worker calls it for the rest (a cache miss, a nonce to echo, several CertIDs). Every path ends in an
 * OCSPResponse: never an HTTP error, never {@code good} for a serial the CA did not assign (RELIABILITY I9, T34–T36);
 * {@code tryLater} when the token or the database cannot be reached and nothing valid is cached (T38).
 */
final class OcspResponder {
    private static final Logger LOG = LoggerFactory.getLogger(OcspResponder.class);
    private static final long INDEX_RELOAD_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);

    private final Authority authority;
    private final ResponderKeys keys;
    private final ResponseCache cache;
    private final ResponseSigner signer;
    private final RevocationSettings.Ocsp settings;
    private final Clock clock;
    private final OcspMetrics metrics;
    private final ConcurrentHashMap<ResponseCache.Key, CompletableFuture<ResponseCache.Entry>> inFlight = new ConcurrentHashMap<>();
    /** Signatures made on demand since the last {@link #drainOnDemand}, by CA and signer: summarised in the ledger. */
    private final ConcurrentHashMap<String, java.util.concurrent.atomic.LongAdder> onDemand = new ConcurrentHashMap<>();
    private volatile IssuerIndex index;
    private volatile long indexLoadedAt;

    OcspResponder(Authority authority, ResponderKeys keys, ResponseCache cache, ResponseSigner signer,
                  RevocationSettings.Ocsp settings, Clock clock, OcspMetrics metrics) {
        this.authority = authority;
        this.keys = keys;
        this.cache = cache;
        this.signer = signer;
        this.settings = settings;
        this.clock = clock;
        this.metrics = metrics;
        reloadIndex();
    }

    /** The outcome of {@link #lookup}: a response ready to send, or a query that needs a worker. */
    sealed interface Outcome permits Ready, Pending {
    }

    /**
     * A response to send.
     *
     * @param der    the OCSPResponse
     * @param cached the cache entry it came from (for the RFC 5019 caching headers), or null
     * @param status the metric label
     */
    record Ready(byte[] der, ResponseCache.Entry cached, String status) implements Outcome {
    }

    /** A parsed query that {@link #answer} must finish. */
    record Pending(OcspQuery query) implements Outcome {
    }

    /** Parses {@code der} and answers it from the cache if it can. Never blocks. */
    Outcome lookup(byte[] der) {
        // The same request bytes again (RFC 5019 clients repeat them exactly): what they ask was parsed and checked
        // when first seen, so go straight to the cache.
        ResponseCache.Key known = knownRequests.get(java.nio.ByteBuffer.wrap(der));
        if (known != null) {
            ResponseCache.Entry e = cache.fresh(known, clock.instant());
            if (e != null) {
                return fromCache(e);
            }
        }
        OcspQuery query;
        try {
            query = OcspQuery.parse(der, settings.maxCertIds());
        } catch (OcspFailure f) {
            return failure(f);
        }
        if (query.cacheable(settings.nonce())) {
            OcspQuery.Question q = query.certIds().get(0);
            Optional<String> ca = index.find(q);
            if (ca.isPresent()) {
                ResponseCache.Key key = key(ca.get(), q);
                remember(der, key);
                ResponseCache.Entry e = cache.fresh(key, clock.instant());
                if (e != null) {
                    return fromCache(e);
                }
            }
            metrics.miss();
        }
        return new Pending(query);
    }

    private Ready fromCache(ResponseCache.Entry e) {
        metrics.cachedResponse(e.status().kind());
        return new Ready(e.der(), e, e.status().kind().label());
    }

    /** Requests already parsed, by their exact bytes: at most {@link #KNOWN_REQUESTS}, forgotten all at once beyond. */
    private final ConcurrentHashMap<java.nio.ByteBuffer, ResponseCache.Key> knownRequests = new ConcurrentHashMap<>();
    static final int KNOWN_REQUESTS = 100_000;

    private void remember(byte[] der, ResponseCache.Key key) {
        if (knownRequests.size() >= KNOWN_REQUESTS) {
            knownRequests.clear(); // random requests cannot grow it without bound; real clients refill it at once
        }
        knownRequests.put(java.nio.ByteBuffer.wrap(der.clone()), key);
    }

    /** Answers {@code query} from the database, signing a response. Blocking. */
    Ready answer(OcspQuery query) {
        try {
            String ca = issuerOf(query);
            if (query.cacheable(settings.nonce())) {
                return single(ca, query.certIds().get(0));
            }
            List<ResponseSigner.Single> singles = new ArrayList<>();
            for (OcspQuery.Question q : query.certIds()) {
                singles.add(new ResponseSigner.Single(q.certId(), status(ca, q.serial())));
            }
            ResponseSigner.Signed signed = sign(ca, singles, settings.nonce() ? query.nonce() : null);
            String label = singles.size() == 1 ? singles.get(0).status().kind().label() : "multiple";
            metrics.response(label, "signed");
            return new Ready(signed.der(), null, label);
        } catch (OcspFailure f) {
            return failure(f);
        }
    }

    /** One CertID without a nonce: signed once however many ask at the same moment, then cached. */
    private Ready single(String ca, OcspQuery.Question q) {
        ResponseCache.Key key = key(ca, q);
        ResponseCache.Entry fresh = cache.fresh(key, clock.instant());
        if (fresh == null) {
            CompletableFuture<ResponseCache.Entry> mine = new CompletableFuture<>();
            CompletableFuture<ResponseCache.Entry> running = inFlight.putIfAbsent(key, mine);
            if (running != null) {
                try {
                    fresh = running.join();
                } catch (java.util.concurrent.CompletionException e) {
                    throw e.getCause() instanceof OcspFailure f ? f : OcspFailure.tryLater("signing failed", e.getCause());
                }
            } else {
                try {
                    long epoch = cache.epoch();
                    CertStatus status = status(ca, q.serial());
                    ResponseSigner.Signed signed = sign(ca, List.of(new ResponseSigner.Single(q.certId(), status)), null);
                    fresh = new ResponseCache.Entry(signed.der(), status, signed.thisUpdate(), signed.nextUpdate(),
                            signed.etag(), keys.loaded(ca).map(ResponderKey::serial).orElse(null));
                    if (status.kind() != CertStatus.Kind.UNKNOWN) { // an unknown serial may be assigned a moment later
                        cache.putIfNotInvalidatedSince(key, fresh, epoch);
                    }
                    mine.complete(fresh);
                } catch (RuntimeException e) {
                    mine.completeExceptionally(e);
                    throw e;
                } finally {
                    inFlight.remove(key, mine);
                }
            }
        }
        metrics.response(fresh.status().kind().label(), "signed");
        return new Ready(fresh.der(), fresh, fresh.status().kind().label());
    }

    private ResponseSigner.Signed sign(String ca, List<ResponseSigner.Single> singles,
                                       org.bouncycastle.asn1.x509.Extension nonce) {
        try {
            ResponderKey key = keys.forCa(ca);
            ResponseSigner.Signed signed = signer.sign(key, singles, nonce, clock.instant());
            metrics.signedOnDemand();
            onDemand.computeIfAbsent(ca + "/" + (key.delegated() ? "responder/" + key.serial() : "ca"),
                    k -> new java.util.concurrent.atomic.LongAdder()).increment();
            return signed;
        } catch (TokenException e) {
            throw OcspFailure.tryLater("the token cannot sign: " + e.getMessage(), e);
        } catch (CaException | DatabaseException e) {
            throw OcspFailure.tryLater("no OCSP signer for CA '" + ca + "': " + e.getMessage(), e);
        }
    }

    /** The authoritative status of a serial, from the database. */
    CertStatus status(String ca, BigInteger serial) {
        SerialNumber s;
        try {
            s = new SerialNumber(serial);
        } catch (CaException e) {
            return CertStatus.UNKNOWN; // zero or longer than 20 octets: never assigned here
        }
        try {
            SerialRecord record = authority.serial(ca, s).orElse(null);
            return CertStatus.of(record);
        } catch (DatabaseException e) {
            throw OcspFailure.tryLater("the database cannot be read: " + e.getMessage(), e);
        }
    }

    /** The one CA every CertID of {@code query} names. */
    private String issuerOf(OcspQuery query) {
        Set<String> cas = new LinkedHashSet<>();
        for (OcspQuery.Question q : query.certIds()) {
            Optional<String> ca = index.find(q);
            if (ca.isEmpty() && System.nanoTime() - indexLoadedAt > INDEX_RELOAD_NANOS) {
                reloadIndex(); // a CA created since this node started
                ca = index.find(q);
            }
            cas.add(ca.orElseThrow(() -> OcspFailure.unauthorized("CertID names no CA of this responder (issuer name "
                    + "hash or key hash do not match)")));
        }
        if (cas.size() > 1) {
            throw OcspFailure.unauthorized("one request names several CAs " + cas + "; each CA's responses have their own signer");
        }
        return cas.iterator().next();
    }

    private void reloadIndex() {
        try {
            index = IssuerIndex.of(authority.cas());
            indexLoadedAt = System.nanoTime();
        } catch (DatabaseException e) {
            if (index == null) {
                index = IssuerIndex.of(List.of());
            }
            throw OcspFailure.tryLater("the database cannot be read: " + e.getMessage(), e);
        }
    }

    /** The on-demand signature counts since the last call, by "ca/signer", reset to zero. */
    java.util.Map<String, Long> drainOnDemand() {
        java.util.Map<String, Long> out = new java.util.TreeMap<>();
        onDemand.forEach((k, v) -> {
            long n = v.sumThenReset();
            if (n > 0) {
                out.put(k, n);
            }
        });
        return out;
    }

    IssuerIndex index() {
        return index;
    }

    static ResponseCache.Key key(String ca, OcspQuery.Question q) {
        return new ResponseCache.Key(ca, q.serial(), q.hashKey());
    }

    private Ready failure(OcspFailure f) {
        String status = ResponseSigner.statusName(f.status());
        if (f.status() == OCSPResp.TRY_LATER) {
            LOG.warn("OCSP tryLater: {}", f.getMessage());
        } else {
            LOG.debug("OCSP {}: {}", status, f.getMessage());
        }
        metrics.response(status, "error");
        return new Ready(ERRORS.get(f.status()), null, status);
    }

    private static final java.util.Map<Integer, byte[]> ERRORS = java.util.Map.of(
            OCSPResp.MALFORMED_REQUEST, ResponseSigner.error(OCSPResp.MALFORMED_REQUEST),
            OCSPResp.UNAUTHORIZED, ResponseSigner.error(OCSPResp.UNAUTHORIZED),
            OCSPResp.TRY_LATER, ResponseSigner.error(OCSPResp.TRY_LATER),
            OCSPResp.INTERNAL_ERROR, ResponseSigner.error(OCSPResp.INTERNAL_ERROR));
}
