package dev.hallmark.server;

import dev.hallmark.db.Database;
import dev.hallmark.hsm.CryptoToken;
import dev.hallmark.ledger.AuditLedger;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Readiness: the database answers, the token can sign (not while it is lost) and the ledger can be read. A draining
 * server is not ready, so load balancers stop sending it work before it stops. Blocking.
 */
public final class Health {
    private final Database database;
    private final CryptoToken token;
    private final AuditLedger ledger;
    private volatile boolean draining;

    public Health(Database database, CryptoToken token, AuditLedger ledger) {
        this.database = database;
        this.token = token;
        this.ledger = ledger;
    }

    /**
     * The state of each dependency.
     *
     * @param ready  whether the node should receive traffic
     * @param checks each dependency: {@code ok} or what is wrong
     */
    public record Readiness(boolean ready, Map<String, String> checks) {
    }

    /** Checks every dependency now. */
    public Readiness check() {
        Map<String, String> checks = new LinkedHashMap<>();
        checks.put("database", probe(database::isAvailable, "not reachable"));
        checks.put("token", probe(token::isAvailable, "not available (lost or logged out)"));
        checks.put("ledger", probe(() -> ledger.treeSize() >= 0, "not readable"));
        if (draining) {
            checks.put("server", "shutting down");
        }
        boolean ready = checks.values().stream().allMatch("ok"::equals);
        return new Readiness(ready, checks);
    }

    private static String probe(java.util.function.BooleanSupplier check, String failure) {
        try {
            return check.getAsBoolean() ? "ok" : failure;
        } catch (RuntimeException e) {
            return failure + ": " + e.getMessage();
        }
    }

    /** Marks the node as shutting down: not ready from now on. */
    void draining() {
        draining = true;
    }
}
