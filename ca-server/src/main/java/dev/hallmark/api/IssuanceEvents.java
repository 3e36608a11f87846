package dev.hallmark.api;

import dev.hallmark.authority.CertificateRecord;
import dev.hallmark.ledger.AuditEventType;
import dev.hallmark.ledger.AuditLedger;
import dev.hallmark.ledger.LedgerEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Finds a certificate's {@code CERTIFICATE_ISSUED} ledger entry (subject {@code <issuer>/<serial hex>}) among the
 * integrated leaves. The ledger has no index by subject, so this binary-searches the leaves by time for the
 * certificate's {@code issuedAt} (the entry is appended in the same transaction, so its time is within moments),
 * then scans a window of leaves around it. Leaves are integrated in id order, so their times are only nearly
 * monotonic; the window absorbs that. Blocking; cost O(log n) reads plus the window.
 */
final class IssuanceEvents {
    /** How far an entry's recorded time may stray from the certificate's {@code issuedAt}. */
    private static final Duration WINDOW = Duration.ofMinutes(10);
    private static final int PAGE = 500;
    /** Leaves scanned at most; bounds the cost of one request. */
    private static final long MAX_SCAN = 200_000;

    private final AuditLedger ledger;

    IssuanceEvents(AuditLedger ledger) {
        this.ledger = ledger;
    }

    /**
     * The issuance entry of {@code certificate} among the first {@code treeSize} leaves, if it is there.
     *
     * @param treeSize only leaves below this index are searched (a checkpoint's size)
     */
    Optional<LedgerEntry> find(CertificateRecord certificate, long treeSize) {
        String subject = certificate.issuer() + "/" + certificate.serial().hex();
        Instant from = certificate.issuedAt().minus(WINDOW);
        Instant until = certificate.issuedAt().plus(WINDOW);
        long index = firstAtOrAfter(from, treeSize);
        long scanned = 0;
        while (index < treeSize && scanned < MAX_SCAN) {
            List<LedgerEntry> page = ledger.entries(index, (int) Math.min(PAGE, treeSize - index));
            if (page.isEmpty()) {
                break;
            }
            boolean allLater = true;
            for (LedgerEntry e : page) {
                if (e.leafIndex() == null || e.leafIndex() >= treeSize) {
                    return Optional.empty();
                }
                if (e.type() == AuditEventType.CERTIFICATE_ISSUED && subject.equals(e.subject())) {
                    return Optional.of(e);
                }
                allLater &= e.recordedAt().isAfter(until);
            }
            if (allLater) {
                break;
            }
            index = page.get(page.size() - 1).leafIndex() + 1;
            scanned += page.size();
        }
        return Optional.empty();
    }

    /** The smallest leaf index whose time is not before {@code at} (leaves taken as ordered by time). */
    private long firstAtOrAfter(Instant at, long treeSize) {
        long lo = 0;
        long hi = treeSize;
        while (lo < hi) {
            long mid = (lo + hi) >>> 1;
            List<LedgerEntry> one = ledger.entries(mid, 1);
            if (one.isEmpty()) {
                hi = mid;
            } else if (one.get(0).recordedAt().isBefore(at)) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
