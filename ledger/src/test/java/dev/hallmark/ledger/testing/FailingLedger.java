package dev.hallmark.ledger.testing;

import dev.hallmark.ledger.AuditEvent;
import dev.hallmark.ledger.AuditEventType;
import dev.hallmark.ledger.AuditLedger;
import dev.hallmark.ledger.Checkpoint;
import dev.hallmark.ledger.ConsistencyProof;
import dev.hallmark.ledger.InclusionProof;
import dev.hallmark.ledger.IntegrationResult;
import dev.hallmark.ledger.LedgerEntry;
import dev.hallmark.ledger.LedgerException;
import dev.hallmark.ledger.VerificationReport;
import java.sql.Connection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A test double for fault tests of ledger callers (RELIABILITY T56): an {@link AuditLedger} decorator whose writes
 * can be made to fail on demand, the way an unwritable ledger table would.
 *
 * <p>Appends ({@link #append} and {@link #appendNow}) fail with a {@link LedgerException} without reaching the
 * delegate once {@link #failAppends()} is switched on, or after the configured number of further successful appends
 * ({@link #failAppendsAfter(int)}). {@link #failCheckpoints()} does the same for {@link #signCheckpoint()} (before the
 * token is asked to sign). Reads, proofs, integration and verification always pass through. Counters record what
 * was attempted. Thread-safe; switches take effect for the next call.
 *
 * <pre>{@code
 * FailingLedger ledger = new FailingLedger(realLedger).failAppendsAfter(1); // intent ok, "issued" entry fails
 * }</pre>
 */
public final class FailingLedger implements AuditLedger {

    private final AuditLedger delegate;
    private boolean failAppends;
    private long appendsBeforeFailure = -1;
    private boolean failCheckpoints;
    private long appendAttempts;
    private long appendsFailed;
    private long appendsSucceeded;
    private long checkpointsFailed;

    /**
     * Wraps {@code delegate}, initially passing every call through.
     *
     * @param delegate the real ledger; not null
     */
    public FailingLedger(AuditLedger delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** Makes every append from now on fail. Returns this. */
    public synchronized FailingLedger failAppends() {
        failAppends = true;
        appendsBeforeFailure = -1;
        return this;
    }

    /**
     * Lets the next {@code n} appends through, then fails every later one. {@code failAppendsAfter(0)} is
     * {@link #failAppends()}. Returns this.
     *
     * @param n the number of further appends that succeed; not negative
     */
    public synchronized FailingLedger failAppendsAfter(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must not be negative");
        }
        failAppends = n == 0;
        appendsBeforeFailure = n == 0 ? -1 : n;
        return this;
    }

    /** Makes every {@link #signCheckpoint()} from now on fail before signing. Returns this. */
    public synchronized FailingLedger failCheckpoints() {
        failCheckpoints = true;
        return this;
    }

    /** Switches every failure off again (counters are kept). Returns this. */
    public synchronized FailingLedger heal() {
        failAppends = false;
        appendsBeforeFailure = -1;
        failCheckpoints = false;
        return this;
    }

    /** The wrapped ledger. */
    public AuditLedger delegate() {
        return delegate;
    }

    /** How many appends ({@link #append} and {@link #appendNow}) were attempted. */
    public synchronized long appendAttempts() {
        return appendAttempts;
    }

    /** How many appends this double failed on purpose. */
    public synchronized long appendsFailed() {
        return appendsFailed;
    }

    /** How many appends were passed to the delegate and returned normally. */
    public synchronized long appendsSucceeded() {
        return appendsSucceeded;
    }

    /** How many checkpoint signings this double failed on purpose. */
    public synchronized long checkpointsFailed() {
        return checkpointsFailed;
    }

    /** Fails (injected) or passes through to the delegate, in the caller's transaction. */
    @Override
    public long append(Connection tx, AuditEvent event) {
        admitAppend(event);
        long id = delegate.append(tx, event);
        succeeded();
        return id;
    }

    /** Fails (injected) or passes through to the delegate. */
    @Override
    public void appendNow(AuditEvent event) {
        admitAppend(event);
        delegate.appendNow(event);
        succeeded();
    }

    private synchronized void admitAppend(AuditEvent event) {
        appendAttempts++;
        if (appendsBeforeFailure == 0) {
            failAppends = true;
            appendsBeforeFailure = -1;
        }
        if (failAppends) {
            appendsFailed++;
            throw new LedgerException("injected failure: cannot append " + event.type() + " to the audit ledger");
        }
        if (appendsBeforeFailure > 0) {
            appendsBeforeFailure--;
        }
    }

    private synchronized void succeeded() {
        appendsSucceeded++;
    }

    /** Passes through. */
    @Override
    public IntegrationResult integrate() {
        return delegate.integrate();
    }

    /** Fails (injected) or passes through. */
    @Override
    public Checkpoint signCheckpoint() {
        synchronized (this) {
            if (failCheckpoints) {
                checkpointsFailed++;
                throw new LedgerException("injected failure: cannot sign a ledger checkpoint");
            }
        }
        return delegate.signCheckpoint();
    }

    /** Passes through. */
    @Override
    public Optional<Checkpoint> latestCheckpoint() {
        return delegate.latestCheckpoint();
    }

    /** Passes through. */
    @Override
    public long treeSize() {
        return delegate.treeSize();
    }

    /** Passes through. */
    @Override
    public InclusionProof inclusionProof(long leafIndex, long treeSize) {
        return delegate.inclusionProof(leafIndex, treeSize);
    }

    /** Passes through. */
    @Override
    public ConsistencyProof consistencyProof(long first, long second) {
        return delegate.consistencyProof(first, second);
    }

    /** Passes through. */
    @Override
    public List<LedgerEntry> entries(long fromLeaf, int max) {
        return delegate.entries(fromLeaf, max);
    }

    @Override
    public List<LedgerEntry> pending(long afterId, int max) {
        return delegate.pending(afterId, max);
    }

    /** Passes through. */
    @Override
    public Optional<LedgerEntry> entryById(long id) {
        return delegate.entryById(id);
    }

    @Override
    public List<LedgerEntry> find(AuditEventType type, String subject, int max) {
        return delegate.find(type, subject, max);
    }

    /** Passes through. */
    @Override
    public VerificationReport verify() {
        return delegate.verify();
    }

    /** Passes through. */
    @Override
    public VerificationReport verify(Checkpoint trustedAnchor) {
        return delegate.verify(trustedAnchor);
    }
}
