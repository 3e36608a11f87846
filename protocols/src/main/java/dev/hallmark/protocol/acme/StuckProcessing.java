package dev.hallmark.protocol.acme;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hallmark.authority.CertificateRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Orders and challenges left in {@code processing} by a node that stopped while finalizing or validating them.
 * RFC 8555 §7.1.6 has no way back from processing, so without this their clients would poll until the order
 * expired. Finalize and validation record when they began; what is still processing {@link #GRACE} later is settled
 * by housekeeping on any node:
 * <ul>
 *   <li>an order for which the authority stored a certificate (provenance {@code acme}, reference
 *       {@code order/<id>}) becomes {@code valid} with it, as if finalize had returned;</li>
 *   <li>an order with no stored certificate becomes {@code invalid} ({@code serverInternal}). It is never sent back
 *       to ready: the interrupted issuance cannot be proven dead, and a second finalize could give the order two
 *       certificates. The client orders again and its valid authorizations are reused; a serial the stopped node
 *       had reserved is reported by the authority's reconciler as outcome unknown;</li>
 *   <li>a challenge becomes {@code invalid} ({@code serverInternal}), and so does its authorization; the failure is
 *       not counted against the account's failed-validation limit.</li>
 * </ul>
 * Every step is a compare-and-set on {@code processing}, so nodes running this at once settle each object once.
 */
final class StuckProcessing {
    /** Far longer than any issuance or validation (both are bounded by deadlines of seconds). */
    static final Duration GRACE = Duration.ofMinutes(10);
    private static final int BATCH = 100;
    private static final Logger LOG = LoggerFactory.getLogger(StuckProcessing.class);

    private final AcmeServices s;

    StuckProcessing(AcmeServices services) {
        this.s = services;
    }

    /** Settles what has been processing since before now − {@link #GRACE}; returns how many objects it settled. */
    int settle() {
        return settleOrders() + settleChallenges();
    }

    private int settleOrders() {
        int settled = 0;
        Instant before = s.clock().instant().minus(GRACE);
        for (AcmeOrder order : s.store().processingSince(before, BATCH)) {
            Optional<CertificateRecord> issued = certificateOf(order);
            if (issued.isPresent()) {
                CertificateRecord c = issued.get();
                if (s.store().completeOrder(order.id(), c.issuer(), c.serial().hex())) {
                    LOG.warn("ACME order {} was left processing; completed with the certificate {}/{} issued for it",
                            order.id(), c.issuer(), c.serial().hex());
                    s.metrics().order("valid");
                    settled++;
                }
            } else if (s.store().transitionOrder(order.id(), AcmeStatus.PROCESSING, AcmeStatus.INVALID,
                    AcmeJson.write(AcmeReplies.body(AcmeProblem.of("serverInternal", 500, "issuance of this order was"
                            + " interrupted and no certificate was stored; create a new order (valid authorizations"
                            + " are reused)"), null)))) {
                LOG.warn("ACME order {} was left processing since before {} with no certificate stored; made invalid",
                        order.id(), before);
                s.metrics().order("invalid");
                settled++;
            }
        }
        return settled;
    }

    private int settleChallenges() {
        int settled = 0;
        for (AcmeChallenge c : s.store().challengesProcessingSince(s.clock().instant().minus(GRACE), BATCH)) {
            if (AuthorizationHandlers.failUnjudged(s, c, "the validation was interrupted before a result was recorded;"
                    + " create a new order")) {
                LOG.warn("ACME challenge {} was left processing; made invalid", c.id());
                s.metrics().validation(c.type(), false, "serverInternal", Duration.ZERO);
                settled++;
            }
        }
        return settled;
    }

    /** The certificate the authority stored for {@code order}, found through its first identifier. */
    private Optional<CertificateRecord> certificateOf(AcmeOrder order) {
        if (order.identifiers().isEmpty()) {
            return Optional.empty();
        }
        String reference = "order/" + order.id();
        return s.authority().certificatesNaming(order.identifiers().get(0).value()).stream()
                .filter(c -> reference.equals(reference(c.provenance())))
                .findFirst();
    }

    private static String reference(String provenanceJson) {
        try {
            JsonNode p = AcmeJson.MAPPER.readTree(provenanceJson);
            return p != null && "acme".equals(p.path("channel").asText()) ? p.path("reference").asText(null) : null;
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }
}
