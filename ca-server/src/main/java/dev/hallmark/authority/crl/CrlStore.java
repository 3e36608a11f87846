package dev.hallmark.authority.crl;

import dev.hallmark.ledger.AuditEvent;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Durable CRL state shared by every node: the per-CA number sequence, the builder lease and the published CRLs.
 * Each write commits with its audit event. Implementations are thread-safe.
 */
public interface CrlStore {

    /**
     * Takes CA {@code issuer}'s builder lease for {@code holder} until {@code until}, in one conditional update: at most
     * one node builds a CA's CRLs at a time, and a crashed builder's lease runs out by itself.
     *
     * @return false while another holder's lease runs
     */
    boolean acquireLease(String issuer, String holder, Instant now, Instant until);

    /** Gives the lease back (only if {@code holder} still holds it). */
    void releaseLease(String issuer, String holder);

    /**
     * Hands out the CA's next CRL number, committing it with its {@code CRL_SIGNING} event (made from the number)
     * before anything is signed; a number is never handed out twice, even if the CRL is then never published.
     */
    long nextNumber(String issuer, java.util.function.LongFunction<AuditEvent> signing);

    /**
     * Publishes a signed CRL (its DER read from {@code der}) with its {@code CRL_SIGNED} event, and deletes the
     * same scope's CRLs that expired before {@code pruneBefore}.
     */
    void publish(PublishedCrl crl, Path der, AuditEvent signed, Instant pruneBefore);

    /** The newest CRL of a scope, with its DER. */
    Optional<PublishedCrl> latest(String issuer, CrlKind kind, int shard);

    /** The newest CRL of a scope, without its DER (cheap: for deciding what is due). */
    Optional<PublishedCrl> latestMetadata(String issuer, CrlKind kind, int shard);

    /** The newest CRL of a scope if its number is above {@code knownNumber} (a cheap freshness check), with its DER. */
    Optional<PublishedCrl> newerThan(String issuer, CrlKind kind, int shard, long knownNumber);

    /** The newest CRL of every scope of every CA, without DER (for metrics and {@code crl show}). */
    List<PublishedCrl> latestOfEach();
}
