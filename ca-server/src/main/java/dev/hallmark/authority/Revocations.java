package dev.hallmark.authority;

import dev.hallmark.ledger.AuditEvent;
import dev.hallmark.ledger.AuditEventType;
import dev.hallmark.ledger.LedgerException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Revocation under RELIABILITY I8: acknowledged only after the change and its audit entries commit together;
 * never undone; the revocation date never changes; the reason may only be raised, and only to keyCompromise,
 * which also blocks the subject key from every future issuance. Thread-safe: the store decides under a row lock,
 * so two concurrent revocations of one serial give one revocation and one {@code ALREADY_REVOKED}.
 */
public final class Revocations {
    private final CertificateStore store;
    private final Clock clock;

    /**
     * @param store durable state
     * @param clock time source for revocation dates
     */
    public Revocations(CertificateStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /**
     * Revokes a serial, or raises its reason to keyCompromise.
     *
     * @return the serial's record after the committed change
     * @throws CaException {@code NOT_FOUND} for a serial the CA never assigned or whose issuance was aborted
     *                     (no certificate exists), {@code ALREADY_REVOKED} when revoked and the request does not
     *                     raise the reason to keyCompromise, {@code LEDGER_UNAVAILABLE} when the audit entry cannot
     *                     be written (nothing changed then)
     */
    public SerialRecord revoke(RevocationRequest request) {
        String subject = request.ca() + "/" + request.serial().hex();
        try {
            return store.revoke(request.ca(), request.serial(), current -> decide(request, subject, current));
        } catch (LedgerException e) {
            throw new CaException(CaException.Kind.LEDGER_UNAVAILABLE,
                    "the audit ledger cannot be written, so " + subject + " was not revoked; retry later", e);
        }
    }

    private CertificateStore.Revocation decide(RevocationRequest request, String subject, SerialRecord current) {
        if (current.state() == SerialState.ABORTED) {
            throw new CaException(CaException.Kind.NOT_FOUND, "serial " + request.serial().hex() + " of CA '"
                    + request.ca() + "' was reserved but never signed (issuance aborted); there is nothing to revoke");
        }
        boolean keyCompromise = request.reason() == RevocationReason.KEY_COMPROMISE;
        List<AuditEvent> events = new ArrayList<>();
        Instant revokedAt;
        if (current.isRevoked()) {
            if (!keyCompromise || current.revocationReason() == RevocationReason.KEY_COMPROMISE) {
                throw new CaException(CaException.Kind.ALREADY_REVOKED, subject + " was revoked at "
                        + current.revokedAt() + " (" + current.revocationReason().rfcName()
                        + "); only a raise to keyCompromise is accepted");
            }
            revokedAt = current.revokedAt(); // the date never changes (I8)
            Map<String, String> details = new LinkedHashMap<>();
            details.put("from", current.revocationReason().rfcName());
            details.put("to", request.reason().rfcName());
            details.put("revokedAt", revokedAt.toString());
            events.add(new AuditEvent(AuditEventType.REVOCATION_REASON_RAISED, request.requester(), subject, details));
        } else {
            revokedAt = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            Map<String, String> details = new LinkedHashMap<>();
            details.put("reason", request.reason().rfcName());
            details.put("revokedAt", revokedAt.toString());
            details.put("state", current.state().name());
            events.add(new AuditEvent(AuditEventType.CERTIFICATE_REVOKED, request.requester(), subject, details));
        }
        if (keyCompromise) {
            events.add(new AuditEvent(AuditEventType.KEY_BLOCKED, request.requester(), subject,
                    Map.of("spkiSha256", current.intent().spkiSha256())));
        }
        return new CertificateStore.Revocation(revokedAt, request.reason(), keyCompromise, events, clock.instant());
    }
}
