package dev.hallmark.protocol.acme;

import java.time.Instant;
import java.util.List;

/** The order state machine of RFC 8555 §7.1.6, derived from the stored status and the order's authorizations. */
final class AcmeOrders {
    private AcmeOrders() {
    }

    /**
     * The status a client sees: processing, valid and invalid as stored; a pending order past its expiry, or with an
     * authorization that is invalid, deactivated, expired or revoked, is invalid; one whose authorizations are all
     * valid is ready.
     */
    static AcmeStatus statusOf(AcmeOrder order, List<AcmeAuthorization> authorizations, Instant now) {
        if (order.status() != AcmeStatus.PENDING) {
            return order.status();
        }
        if (!now.isBefore(order.expires())) {
            return AcmeStatus.INVALID;
        }
        boolean allValid = true;
        for (AcmeAuthorization a : authorizations) {
            AcmeStatus s = a.statusAt(now);
            if (s == AcmeStatus.INVALID || s == AcmeStatus.DEACTIVATED || s == AcmeStatus.EXPIRED || s == AcmeStatus.REVOKED) {
                return AcmeStatus.INVALID;
            }
            allValid &= s == AcmeStatus.VALID;
        }
        return allValid && !authorizations.isEmpty() ? AcmeStatus.READY : AcmeStatus.PENDING;
    }
}
