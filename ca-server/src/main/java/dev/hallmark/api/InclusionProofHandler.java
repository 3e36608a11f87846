package dev.hallmark.api;

import dev.hallmark.authority.CaException;
import dev.hallmark.hsm.CryptoToken;
import dev.hallmark.ledger.AuditLedger;
import dev.hallmark.ledger.Checkpoint;
import dev.hallmark.ledger.InclusionProof;
import dev.hallmark.ledger.LedgerEntry;
import dev.hallmark.server.Caller;
import dev.hallmark.server.Problems;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * {@code GET /api/v1/certificates/{serial}/inclusion-proof}: the certificate's {@code CERTIFICATE_ISSUED} entry and
 * its RFC 9162 inclusion proof against the latest signed checkpoint, which is part of the answer. Until a
 * checkpoint covers the entry the answer is 409 {@code notCheckpointed} with {@code Retry-After}. The proof is
 * checked against the checkpoint's root before it is returned.
 */
final class InclusionProofHandler {
    private final AuditLedger ledger;
    private final CryptoToken token;
    private final CertificateLookup lookup;
    private final IssuanceEvents events;
    private final Duration checkpointInterval;

    InclusionProofHandler(AuditLedger ledger, CryptoToken token, CertificateLookup lookup, Duration checkpointInterval) {
        this.ledger = ledger;
        this.token = token;
        this.lookup = lookup;
        this.events = new IssuanceEvents(ledger);
        this.checkpointInterval = checkpointInterval;
    }

    void handle(RoutingContext ctx, Caller caller) {
        QueryParams query = QueryParams.of(ctx, Set.of("ca"));
        CertificateLookup.Found found = lookup.find(ctx.pathParam("serial"), query.string("ca"));
        if (!found.hasCertificate()) {
            throw new CaException(CaException.Kind.NOT_FOUND, "serial " + found.serial().hex()
                    + " has no stored certificate, so no issuance event (issuance outcome unknown)");
        }
        Optional<Checkpoint> latest = ledger.latestCheckpoint();
        Optional<LedgerEntry> entry = latest.flatMap(c -> events.find(found.certificate(), c.treeSize()));
        if (entry.isEmpty()) {
            Replies.retryLater(ctx, new Problems.Problem(409, "notCheckpointed", "Not yet checkpointed",
                    "the issuance of " + found.ca() + "/" + found.serial().hex()
                            + " is not yet covered by a signed ledger checkpoint; retry after the next one"),
                    checkpointInterval);
            return;
        }
        Checkpoint checkpoint = latest.get();
        long leaf = entry.get().leafIndex();
        InclusionProof proof = ledger.inclusionProof(leaf, checkpoint.treeSize());
        if (!proof.verify(checkpoint.rootHash())) {
            throw new CaException(CaException.Kind.INTERNAL, "inclusion proof of leaf " + leaf + " does not verify against"
                    + " checkpoint " + checkpoint.treeSize() + "; run 'hallmark ledger verify'");
        }
        Replies.json(ctx, new LedgerViews.InclusionView(found.serial().hex(), found.ca(),
                LedgerViews.EntryView.of(entry.get()), leaf, checkpoint.treeSize(), LedgerViews.b64(proof.leafHash()),
                LedgerViews.b64(proof.path()), LedgerViews.CheckpointView.of(checkpoint, token)));
    }
}
