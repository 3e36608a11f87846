package dev.hallmark.api;

import dev.hallmark.authority.CertificateRecord;
import dev.hallmark.ledger.AuditEventType;
import dev.hallmark.ledger.AuditLedger;
import dev.hallmark.ledger.LedgerEntry;
import java.util.Optional;

/**
 * Finds a certificate's {@code CERTIFICATE_ISSUED} ledger entry (subject {@code <issuer>/<serial hex>}) through the
 * ledger's subject index. Blocking.
 */
final class IssuanceEvents {
    private final AuditLedger ledger;

    IssuanceEvents(AuditLedger ledger) {
        this.ledger = ledger;
    }

    /**
     * The issuance entry of {@code certificate} among the first {@code treeSize} leaves, if it is there.
     *
     * @param treeSize only leaves below this index count (a checkpoint's size)
     */
    Optional<LedgerEntry> find(CertificateRecord certificate, long treeSize) {
        String subject = certificate.issuer() + "/" + certificate.serial().hex();
        return ledger.find(AuditEventType.CERTIFICATE_ISSUED, subject, 4).stream()
                .filter(e -> e.leafIndex() != null && e.leafIndex() < treeSize)
                .findFirst();
    }
}
