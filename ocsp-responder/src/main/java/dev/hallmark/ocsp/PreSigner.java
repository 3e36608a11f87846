package dev.hallmark.ocsp;

import dev.hallmark.authority.Authority;
import dev.hallmark.authority.AuthorityObserver;
import dev.hallmark.authority.CaRecord;
import dev.hallmark.authority.CertificateRecord;
import dev.hallmark.authority.IssuanceRequest;
import dev.hallmark.authority.RevocationRequest;
import dev.hallmark.authority.SerialNumber;
import dev.hallmark.authority.SerialRecord;
import dev.hallmark.config.RevocationSettings;
import dev.hallmark.ledger.AuditEvent;
import dev.hallmark.ledger.AuditEventType;
import dev.hallmark.ledger.AuditLedger;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.asn1.oiw.OIWObjectIdentifiers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a signed response ready for every live certificate (RFC 5019's pre-produced responses):
 * <ul>
 * <li>a sweep over every unexpired, non-aborted serial of every CA signs the missing responses and refreshes those
 * past 7/16 of {@code ocsp.validity}, so each is replaced before half its validity; sweeps run every sixteenth of the
 * validity (at most hourly), and sooner after a failure;</li>
 * <li>a revocation made through this node replaces the cached response at once (the next request signs afresh);
 * revocations made on other nodes arrive through the database change feed every {@code ocsp.pollInterval};</li>
 * <li>a certificate issued through this node is pre-signed at the next poll (until then a request signs on demand).</li>
 * </ul>
 * Signing runs on a small pool sized to the token's sessions, off the event loop; each batch is written to the
 * audit ledger ({@code OCSP_SIGNING} before, {@code OCSP_SIGNED} after). If the token is lost, cached responses keep
 * being served until their nextUpdate and the sweep retries.
 */
final class PreSigner implements AuthorityObserver, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PreSigner.class);
    /** Revocations stamped this long ago may commit only now (a slow transaction on another node). */
    static final Duration LATE_COMMIT = Duration.ofMinutes(5);
    private static final int BATCH = 512;
    private static final int MAX_FEED = 10_000;
    /** Pre-signed responses answer SHA-1 CertIDs with NULL parameters, as OpenSSL and RFC 5019 clients send them. */
    private static final String SHA1 = OcspQuery.Question.hashKey(OIWObjectIdentifiers.idSHA1, true);

    private final Authority authority;
    private final OcspResponder responder;
    private final ResponderKeys keys;
    private final ResponseCache cache;
    private final ResponseSigner signer;
    private final RevocationSettings.Ocsp settings;
    private final AuditLedger ledger;
    private final Clock clock;
    private final OcspMetrics metrics;
    private final ScheduledExecutorService schedule;
    private final ExecutorService signing;
    private final int signers;
    private final java.util.concurrent.BlockingQueue<Pending> pending = new java.util.concurrent.LinkedBlockingQueue<>(MAX_FEED);
    private volatile boolean sweepFailed;

    PreSigner(Authority authority, OcspResponder responder, ResponderKeys keys, ResponseCache cache, ResponseSigner signer,
              RevocationSettings.Ocsp settings, AuditLedger ledger, Clock clock, OcspMetrics metrics, int signers) {
        this.authority = authority;
        this.responder = responder;
        this.keys = keys;
        this.cache = cache;
        this.signer = signer;
        this.settings = settings;
        this.ledger = ledger;
        this.clock = clock;
        this.metrics = metrics;
        this.signers = signers;
        AtomicInteger n = new AtomicInteger();
        this.schedule = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "hallmark-ocsp-presign"));
        this.signing = Executors.newFixedThreadPool(signers, r -> daemon(r, "hallmark-ocsp-sign-" + n.incrementAndGet()));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Starts sweeping and polling. */
    void start() {
        schedule.schedule(this::sweepSafely, 0, TimeUnit.SECONDS);
        long poll = settings.pollInterval().toMillis();
        schedule.scheduleWithFixedDelay(this::pollSafely, poll, poll, TimeUnit.MILLISECONDS);
    }

    /** How often a full sweep runs: a sixteenth of the validity, at most an hour. */
    Duration sweepInterval() {
        Duration d = settings.validity().dividedBy(16);
        return d.compareTo(Duration.ofHours(1)) > 0 ? Duration.ofHours(1) : d;
    }

    /** A response is refreshed once it is this old: 7/16 of its validity, so it is replaced before half of it. */
    Duration refreshAge() {
        return settings.validity().multipliedBy(7).dividedBy(16);
    }

    private void sweepSafely() {
        try {
            sweep();
            sweepFailed = false;
        } catch (RuntimeException e) {
            sweepFailed = true;
            LOG.warn("OCSP pre-signing sweep failed, retrying in 30 s: {}", e.toString());
        } finally {
            long next = sweepFailed ? 30_000 : sweepInterval().toMillis();
            if (!schedule.isShutdown()) {
                schedule.schedule(this::sweepSafely, next, TimeUnit.MILLISECONDS);
            }
        }
    }

    /** One full sweep (package-private for tests). */
    void sweep() {
        long started = System.nanoTime();
        Instant now = clock.instant();
        replaceRevokedResponders();
        cache.evictExpired(now);
        RuntimeException failed = null;
        for (CaRecord ca : authority.cas()) {
            try {
                sweep(ca.name(), now);
            } catch (RuntimeException e) {
                LOG.warn("OCSP pre-signing for CA '{}' failed: {}", ca.name(), e.toString());
                failed = e; // the other CAs are still swept
            }
        }
        if (failed != null) {
            throw failed;
        }
        metrics.sweep(lag(clock.instant()), (System.nanoTime() - started) / 1_000_000);
    }

    private void sweep(String ca, Instant now) {
        List<SerialRecord> batch = new ArrayList<>(BATCH);
        authority.forEachLiveSerial(ca, now, false, s -> {
            if (needsSigning(ca, s, now)) {
                batch.add(s);
                if (batch.size() == BATCH) {
                    signBatch(ca, List.copyOf(batch));
                    batch.clear();
                }
            }
        });
        if (!batch.isEmpty()) {
            signBatch(ca, batch);
        }
    }

    private boolean needsSigning(String ca, SerialRecord s, Instant now) {
        ResponseCache.Entry e = cache.get(new ResponseCache.Key(ca, s.intent().serial().value(), SHA1));
        if (e == null) {
            return !cache.full();
        }
        return !e.status().equals(CertStatus.of(s)) || !now.isBefore(e.thisUpdate().plus(refreshAge()))
                || !e.servableAt(now);
    }

    /** Seconds the oldest cached response is past its refresh point. */
    private long lag(Instant now) {
        Instant oldest = null;
        for (Map.Entry<ResponseCache.Key, ResponseCache.Entry> e : cache.all()) {
            Instant t = e.getValue().thisUpdate();
            if (oldest == null || t.isBefore(oldest)) {
                oldest = t;
            }
        }
        return oldest == null ? 0 : Math.max(0, Duration.between(oldest.plus(settings.validity().dividedBy(2)), now).toSeconds());
    }

    /** Signs and caches SHA-1 responses (and refreshes SHA-256 ones already cached) for {@code records} of {@code ca}. */
    private void signBatch(String ca, List<SerialRecord> records) {
        ResponderKey key = keys.forCa(ca);
        Map<String, String> details = new LinkedHashMap<>();
        details.put("responses", Integer.toString(records.size()));
        details.put("signer", key.delegated() ? "responder/" + key.serial() : "ca");
        ledger.appendNow(new AuditEvent(AuditEventType.OCSP_SIGNING, "system:ocsp-presign", ca + "/ocsp", details));
        List<Future<Integer>> parts = new ArrayList<>();
        int per = (records.size() + signers - 1) / signers;
        for (int i = 0; i < records.size(); i += per) {
            List<SerialRecord> part = records.subList(i, Math.min(records.size(), i + per));
            parts.add(signing.submit(() -> signAll(ca, key, part)));
        }
        int signed = 0;
        for (Future<Integer> f : parts) {
            try {
                signed += f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            }
        }
        metrics.presigned(signed);
        details.put("signed", Integer.toString(signed));
        ledger.appendNow(new AuditEvent(AuditEventType.OCSP_SIGNED, "system:ocsp-presign", ca + "/ocsp", details));
    }

    private int signAll(String ca, ResponderKey key, List<SerialRecord> records) {
        IssuerIndex index = responder.index();
        if (!index.knows(ca)) {
            return 0;
        }
        int n = 0;
        for (SerialRecord s : records) {
            BigInteger serial = s.intent().serial().value();
            CertStatus status = CertStatus.of(s);
            ResponseSigner.Signed signed = signer.sign(key, List.of(new ResponseSigner.Single(index.sha1CertId(ca, serial),
                    status)), null, clock.instant());
            cache.put(new ResponseCache.Key(ca, serial, SHA1), new ResponseCache.Entry(signed.der(), status,
                    signed.thisUpdate(), signed.nextUpdate(), signed.etag(), key.serial()));
            n++;
        }
        return n;
    }

    private void pollSafely() {
        try {
            poll();
        } catch (RuntimeException e) {
            LOG.warn("OCSP revocation feed poll failed: {}", e.toString());
        }
    }

    /**
     * Reads the revocations of the last few minutes from the database and replaces every cached response that no
     * longer states its serial's status. Idempotent, so the overlapping window costs only a comparison per row.
     */
    void poll() {
        drainPending();
        recordOnDemand();
        Instant now = clock.instant();
        List<SerialRecord> changed = authority.statusChangedSince(now.minus(LATE_COMMIT).minus(settings.pollInterval()), MAX_FEED);
        if (changed.size() >= MAX_FEED) {
            LOG.warn("more than {} revocations in the last minutes; running a full OCSP sweep", MAX_FEED);
            sweep();
            return;
        }
        if (changed.stream().anyMatch(s -> isResponder(s.intent().issuer(), s.intent().serial()))) {
            replaceRevokedResponders();
        }
        Map<String, List<SerialRecord>> stale = new LinkedHashMap<>();
        for (SerialRecord s : changed) {
            String ca = s.intent().issuer();
            BigInteger serial = s.intent().serial().value();
            if (cache.statesOtherThan(ca, serial, CertStatus.of(s))) {
                cache.invalidate(ca, serial);
                stale.computeIfAbsent(ca, k -> new ArrayList<>()).add(s);
            }
        }
        stale.forEach(this::signBatch);
    }

    /**
     * One {@code OCSP_SIGNED} ledger entry per CA and signer for the responses signed on demand since the last poll
     * (cache misses, nonces, several CertIDs): every signature is accounted for without a ledger write per request.
     */
    private void recordOnDemand() {
        responder.drainOnDemand().forEach((caAndSigner, n) -> {
            int slash = caAndSigner.indexOf('/');
            Map<String, String> details = new LinkedHashMap<>();
            details.put("onDemand", Long.toString(n));
            details.put("signer", caAndSigner.substring(slash + 1));
            ledger.appendNow(new AuditEvent(AuditEventType.OCSP_SIGNED, "system:ocsp-responder",
                    caAndSigner.substring(0, slash) + "/ocsp", details));
        });
    }

    // --- this node's own issuance and revocation, told by the authority after commit ---

    @Override
    public void revoked(RevocationRequest request) {
        // Synchronously, before the revocation is acknowledged to its caller: the next OCSP request on this node
        // reads the database and signs "revoked" (I8: visible immediately after acknowledgement).
        cache.invalidate(request.ca(), request.serial().value());
        queue(request.ca(), request.serial());
        if (isResponder(request.ca(), request.serial())) {
            submit(this::replaceRevokedResponders); // its responses carry ocsp-nocheck: nobody else can catch this
        }
    }

    private boolean isResponder(String ca, SerialNumber serial) {
        return keys.loaded(ca).map(k -> serial.hex().equals(k.serial())).orElse(false);
    }

    /**
     * Replaces revoked responder certificates at once and drops every response they signed. Synchronized so that a
     * sweep cannot look at the cache between another thread's replacement and its removal of the old responses (it
     * would keep them, and the removal would then leave the serials unsigned until the next sweep).
     */
    private synchronized void replaceRevokedResponders() {
        for (ResponderKey revoked : keys.refresh()) {
            LOG.warn("the OCSP responder certificate {} of CA '{}' was revoked; replaced it and dropped its responses",
                    revoked.serial(), revoked.ca());
            cache.removeSignedBy(revoked.ca(), revoked.serial());
        }
    }

    private void submit(Runnable work) {
        try {
            schedule.execute(() -> {
                try {
                    work.run();
                } catch (RuntimeException e) {
                    LOG.warn("OCSP background work failed: {}", e.toString());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shutting down
        }
    }

    @Override
    public void issued(IssuanceRequest request, CertificateRecord certificate) {
        if (!ResponderKeys.PROFILE.equals(certificate.profile())) { // responder certificates carry ocsp-nocheck
            queue(certificate.issuer(), certificate.serial());
        }
    }

    private void queue(String ca, SerialNumber serial) {
        pending.offer(new Pending(ca, serial)); // when full, the next sweep catches up
    }

    private record Pending(String ca, SerialNumber serial) {
    }

    /** Signs the responses of serials this node just issued or revoked, one ledger-recorded batch per CA. */
    private void drainPending() {
        Map<String, List<SerialRecord>> byCa = new LinkedHashMap<>();
        Pending p;
        while ((p = pending.poll()) != null) {
            Pending next = p;
            authority.serial(p.ca(), p.serial()).ifPresent(s -> byCa.computeIfAbsent(next.ca(), k -> new ArrayList<>()).add(s));
        }
        byCa.forEach(this::signBatch);
    }

    @Override
    public void close() {
        schedule.shutdownNow();
        signing.shutdownNow();
    }
}
