package dev.hallmark.protocol.acme.validation;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The state of one validation attempt that must outlive a blocking call: its deadline, what it is doing now
 * (so a timeout reports {@code dns} or {@code connection} truthfully), the sockets it holds open and the
 * addresses it contacted.
 *
 * <p>Why sockets are registered: a read with {@code SO_TIMEOUT} still lets a server drip one byte per timeout
 * forever (slowloris, T21). When the deadline fires, {@link #abort()} closes every registered socket, which makes
 * the blocked read fail at once and frees the pool thread. Thread-safe: the worker registers and the timer aborts.
 */
final class AttemptContext {
    private final long deadlineNanos;
    private final Duration budget;
    private final List<Closeable> open = new ArrayList<>();
    private final List<String> contacted = new ArrayList<>();
    private volatile String phaseType = "connection";
    private volatile String phaseDetail = "starting";
    private volatile boolean started;
    private boolean aborted;

    AttemptContext(Duration budget) {
        this.budget = budget;
        this.deadlineNanos = System.nanoTime() + budget.toNanos();
    }

    /** Milliseconds left, at least 1, for socket and resolver timeouts; throws once the deadline has passed. */
    int remainingMillis() throws ValidationFailure {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
            throw timedOut();
        }
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, Duration.ofNanos(left).toMillis()));
    }

    /** Marks that a pool thread picked the attempt up. */
    void start() {
        started = true;
    }

    /** Whether a pool thread ever ran the attempt (if not, the VA was overloaded, not the target at fault). */
    boolean started() {
        return started;
    }

    /** Records what the attempt is doing, for the timeout detail; {@code problemType} is reported on timeout. */
    void phase(String problemType, String detail) {
        this.phaseType = problemType;
        this.phaseDetail = detail;
    }

    /** The failure reported when the deadline fires during the current phase. */
    ValidationFailure timedOut() {
        return new ValidationFailure(phaseType, "timed out after " + budget.toMillis() + " ms while "
                + phaseDetail);
    }

    /** Takes ownership of {@code c} until the attempt ends; closes it at once if the attempt was aborted. */
    void register(Closeable c) throws ValidationFailure {
        synchronized (this) {
            if (!aborted) {
                open.add(c);
                return;
            }
        }
        closeQuietly(c);
        throw timedOut();
    }

    /** Records an address:port this attempt connected to (or tried to). */
    synchronized void contacted(String address) {
        if (!contacted.contains(address)) {
            contacted.add(address);
        }
    }

    synchronized List<String> contacted() {
        return List.copyOf(contacted);
    }

    /** Closes every registered socket; later registrations fail. Idempotent. */
    void abort() {
        List<Closeable> toClose;
        synchronized (this) {
            aborted = true;
            toClose = new ArrayList<>(open);
            open.clear();
        }
        toClose.forEach(AttemptContext::closeQuietly);
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // Closing is the last thing done with the socket; there is nothing to recover.
        }
    }
}
