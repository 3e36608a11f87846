package dev.hallmark.api;

import dev.hallmark.authority.CaException;
import dev.hallmark.hsm.CryptoToken;
import dev.hallmark.ledger.AuditLedger;
import dev.hallmark.ledger.Checkpoint;
import dev.hallmark.ledger.ConsistencyProof;
import dev.hallmark.server.Caller;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import java.util.Set;

/**
 * {@code GET /api/v1/ledger/checkpoint} (the latest signed tree head and how to verify it) and
 * {@code GET /api/v1/ledger/consistency?from=N&to=M} (RFC 9162 section 2.1.4; {@code to} defaults to the latest
 * checkpoint's size). Read-only: nothing here integrates or signs.
 */
final class LedgerHandler {
    private final AuditLedger ledger;
    private final CryptoToken token;

    LedgerHandler(AuditLedger ledger, CryptoToken token) {
        this.ledger = ledger;
        this.token = token;
    }

    void checkpoint(RoutingContext ctx, Caller caller) {
        QueryParams.of(ctx, Set.of());
        Replies.json(ctx, LedgerViews.CheckpointView.of(latest(), token));
    }

    void consistency(RoutingContext ctx, Caller caller) {
        QueryParams query = QueryParams.of(ctx, Set.of("from", "to"));
        if (query.string("from").isEmpty()) {
            throw QueryParams.bad("from", "is required: the tree size of the checkpoint you trust");
        }
        long from = query.integer("from", 0, 0, Long.MAX_VALUE);
        Optional<Checkpoint> latest = ledger.latestCheckpoint();
        long to;
        if (query.string("to").isPresent()) {
            to = query.integer("to", 0, 0, Long.MAX_VALUE);
        } else {
            to = latest.orElseThrow(LedgerHandler::noCheckpoint).treeSize();
        }
        long size = ledger.treeSize();
        if (to > size) {
            throw QueryParams.bad("to", "is beyond the ledger's tree size " + size);
        }
        if (from > to) {
            throw QueryParams.bad("from", "must not exceed 'to' (" + to + ")");
        }
        ConsistencyProof proof;
        try {
            proof = ledger.consistencyProof(from, to);
        } catch (IllegalArgumentException e) {
            throw new CaException(CaException.Kind.MALFORMED, "no consistency proof from " + from + " to " + to
                    + ": " + e.getMessage());
        }
        LedgerViews.CheckpointView checkpoint = latest.filter(c -> c.treeSize() == to)
                .map(c -> LedgerViews.CheckpointView.of(c, token)).orElse(null);
        Replies.json(ctx, new LedgerViews.ConsistencyView(from, to, LedgerViews.b64(proof.path()), checkpoint));
    }

    private Checkpoint latest() {
        return ledger.latestCheckpoint().orElseThrow(LedgerHandler::noCheckpoint);
    }

    private static CaException noCheckpoint() {
        return new CaException(CaException.Kind.NOT_FOUND, "the ledger has no signed checkpoint yet; one is signed "
                + "at the next checkpoint interval");
    }
}
