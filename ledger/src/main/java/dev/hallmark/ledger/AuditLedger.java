package dev.hallmark.ledger;

import java.sql.Connection;
import java.util.List;
import java.util.Optional;

/**
 * The tamper-evident audit ledger (RELIABILITY I10, N6, T56, T57): an append-only Merkle log (RFC 9162 section 2.1)
 * whose tree heads are signed by the ledger key.
 *
 * <p>Write-ahead and fail closed: {@link #append(Connection, AuditEvent)} writes in the caller's transaction, so
 * the authority's own rows and the audit entry commit together, and a failure to write the entry fails the caller's
 * transaction, so nothing is signed. Implementations are thread-safe and safe to share between several nodes on one
 * database.
 */
public interface AuditLedger {

    /**
     * Records {@code event} in the caller's open transaction (auto-commit off); it becomes durable when, and only
     * when, the caller commits.
     *
     * @return the new entry's id
     * @throws LedgerException when the entry cannot be written; the caller must then roll back and not sign
     */
    long append(Connection tx, AuditEvent event);

    /**
     * Records {@code event} in its own transaction and commits it before returning.
     *
     * @throws LedgerException when the entry cannot be written
     */
    void appendNow(AuditEvent event);

    /**
     * Gives every committed, unintegrated entry the next leaf index (in id order) and advances the tree head.
     * Safe to call concurrently from several threads and nodes: integrators serialise on a database row lock.
     *
     * @throws LedgerException when the database fails
     */
    IntegrationResult integrate();

    /**
     * Integrates, then signs a checkpoint for the current tree unless one exists for that size already, and
     * records a {@link AuditEventType#LEDGER_CHECKPOINT_SIGNED} entry (covered by the next checkpoint).
     *
     * @return the checkpoint for the current tree size
     * @throws LedgerException when the database or the token fails; nothing is stored then
     */
    Checkpoint signCheckpoint();

    /** The checkpoint with the largest tree size, if any. */
    Optional<Checkpoint> latestCheckpoint();

    /** The integrated tree size. */
    long treeSize();

    /**
     * The inclusion proof of {@code leafIndex} in the tree of {@code treeSize} leaves.
     *
     * @throws IllegalArgumentException unless {@code 0 <= leafIndex < treeSize <= treeSize()}
     */
    InclusionProof inclusionProof(long leafIndex, long treeSize);

    /**
     * The consistency proof between tree sizes {@code first} and {@code second}.
     *
     * @throws IllegalArgumentException unless {@code 0 <= first <= second <= treeSize()}
     */
    ConsistencyProof consistencyProof(long first, long second);

    /** Up to {@code max} integrated entries from leaf index {@code fromLeaf} on, in leaf order. */
    List<LedgerEntry> entries(long fromLeaf, int max);

    /**
     * Up to {@code max} committed entries not yet integrated into the tree, with ids above {@code afterId}, in id
     * order. Readers that must see everything (the reconciler) read these after {@link #entries}, without writing.
     */
    List<LedgerEntry> pending(long afterId, int max);

    /** The entry with {@code id}, integrated or not. */
    Optional<LedgerEntry> entryById(long id);

    /**
     * The entries of one type about one subject (e.g. {@code CERTIFICATE_ISSUED} for {@code issuing/<serial hex>}),
     * integrated or not, oldest first; at most {@code max}. Indexed.
     */
    List<LedgerEntry> find(AuditEventType type, String subject, int max);

    /**
     * Checks the whole ledger end to end (streaming, page by page, on one consistent snapshot): every leaf hash
     * against its row, leaf indices contiguous from 0, every checkpoint's root and signature, every
     * {@link AuditEventType#LEDGER_CHECKPOINT_SIGNED} entry against its checkpoint row, the head against the
     * entries, and entries left unintegrated or uncovered by a checkpoint for too long.
     *
     * <p>Everything checked here lives in the database, so an attacker who can write to it can cut the tail off
     * undetectably: delete the last entries, the checkpoints above them, and rewrite the (unsigned) head. Only a
     * checkpoint remembered elsewhere catches that; see {@link #verify(Checkpoint)}.
     */
    VerificationReport verify();

    /**
     * As {@link #verify()}, and also checks the ledger against {@code trustedAnchor}, a checkpoint remembered
     * outside the database (by an operator, a monitor or an external anchor such as Fabric): its signature must
     * verify with the ledger key, the ledger must still hold at least {@code trustedAnchor.treeSize()} integrated
     * entries, and the first {@code trustedAnchor.treeSize()} of them must hash to its root. This detects tail
     * truncation (RELIABILITY I10) even when the checkpoints and the head were truncated and rewritten too.
     *
     * @param trustedAnchor not null
     */
    VerificationReport verify(Checkpoint trustedAnchor);
}
