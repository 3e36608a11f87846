package dev.hallmark.authority;

import dev.hallmark.ledger.AuditEvent;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Durable state of the authority: serial intents, certificates, revocations, blocked keys and CAs. Every write
 * takes the audit event that describes it and commits both in one transaction, so the database never holds a
 * change the ledger does not (RELIABILITY I10). Implementations are thread-safe.
 */
public interface CertificateStore {

    /**
     * Step 4: records the intent (state SIGNING) and its audit event atomically.
     *
     * @return false if the (issuer, serial) pair is already taken (the caller draws a new serial)
     */
    boolean reserve(SerialIntent intent, AuditEvent signing);

    /** Step 6: stores the certificate, marks the serial ISSUED and appends the event, atomically. */
    void complete(CertificateRecord certificate, AuditEvent issued);

    /** Marks a SIGNING serial ABORTED with its event (signing failed; no certificate exists). */
    void abort(String issuer, SerialNumber serial, Instant at, AuditEvent aborted);

    /** The serial's record, whether or not a certificate was stored. */
    Optional<SerialRecord> serial(String issuer, SerialNumber serial);

    /** The stored certificate. */
    Optional<CertificateRecord> certificate(String issuer, SerialNumber serial);

    /** Certificates matching {@code query}, newest first. */
    List<CertificateRecord> search(CertificateQuery query, Instant now);

    /** When the soonest-expiring unrevoked, unexpired end-entity certificate expires; empty when there is none. */
    Optional<Instant> soonestLeafExpiry(Instant now);

    /** Serials in state SIGNING reserved before {@code before} (outcome unknown). */
    List<SerialRecord> unresolved(Instant before);

    /**
     * Revokes or raises the reason of a serial in one transaction, under a row lock.
     *
     * @param change decides, from the current record, the new state and the audit events; may throw
     *               {@link CaException} to refuse (nothing is written then)
     * @return the record after the change
     */
    SerialRecord revoke(String issuer, SerialNumber serial, RevocationChange change);

    /**
     * Serials whose revocation status changed at or after {@code since} (revoked, or reason raised), oldest change
     * first, at most {@code max}: the change feed OCSP responders on every node poll.
     */
    List<SerialRecord> statusChangedSince(Instant since, int max);

    /**
     * Streams, in one read, every serial of {@code issuer} that matters to revocation checking at {@code now}: not
     * aborted and {@code notAfter} after {@code notAfterFrom}; only revoked ones when {@code revokedOnly}. Large
     * results are fetched in pages by the driver, never held whole.
     */
    void forEachLive(String issuer, Instant notAfterFrom, boolean revokedOnly, java.util.function.Consumer<SerialRecord> consumer);

    /**
     * Streams the revoked, non-aborted serials of {@code issuer} whose certificates expire after {@code notAfterFrom}
     * (what a CRL lists), from a narrow table kept in step with every revocation, in one read.
     */
    void forEachRevoked(String issuer, Instant notAfterFrom, java.util.function.Consumer<RevokedSerial> consumer);

    /** True if a key (SPKI SHA-256) was revoked for keyCompromise. */
    boolean isBlocked(String spkiSha256);

    /** Decides a revocation given the serial's current record (called inside the store's transaction). */
    @FunctionalInterface
    interface RevocationChange {
        /** @return the revocation to write, with its events; never null */
        Revocation decide(SerialRecord current);
    }

    /**
     * The outcome of {@link RevocationChange#decide}.
     *
     * @param revokedAt the (unchanged, once set) revocation time
     * @param reason    the reason to store
     * @param blockKey  also block the subject key (keyCompromise)
     * @param events    audit events, appended in the same transaction
     * @param changedAt now: when the status changed (the revocation, or the raise of its reason); the OCSP change
     *                  feed and delta CRLs read it
     */
    record Revocation(Instant revokedAt, RevocationReason reason, boolean blockKey, List<AuditEvent> events,
                      Instant changedAt) {
        public Revocation {
            events = List.copyOf(events);
        }
    }

    // --- CAs ---

    /** Stores a CA (its certificate must already be stored as an issued certificate). */
    void saveCa(CaRecord ca, AuditEvent created);

    List<CaRecord> cas();

    Optional<CaRecord> ca(String name);

    // --- serial-level sweeps for the reconciler ---

    /** Every serial row (paged by the implementation); for the reconciler. */
    void forEachSerial(java.util.function.Consumer<SerialRecord> consumer);

    /** (issuer, serial) pairs that occur more than once anywhere (must be empty). */
    List<String> duplicateSerials();
}
