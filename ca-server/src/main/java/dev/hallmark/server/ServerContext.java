package dev.hallmark.server;

import dev.hallmark.admin.AdminCredentials;
import dev.hallmark.authority.Authority;
import dev.hallmark.config.HallmarkConfig;
import dev.hallmark.db.Database;
import dev.hallmark.hsm.CryptoToken;
import dev.hallmark.ledger.AuditLedger;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.Objects;

/**
 * What an {@link Endpoint} may use: the authority and its collaborators, the configuration and the server's
 * shared services. Built once per process by the composition root ({@code hallmark serve}).
 *
 * @param config      the whole configuration (endpoints read their own sections from {@link HallmarkConfig#root()})
 * @param settings    the server's listeners and limits
 * @param authority   the authority core: every certificate goes through it
 * @param ledger      the audit ledger
 * @param database    the database, for stores that live outside protocol packages
 * @param token       the key token
 * @param credentials administrator credentials
 * @param metrics     the Prometheus registry ({@code hallmark_} names)
 * @param vertx       the Vert.x instance
 * @param clock       the clock every component uses
 */
public record ServerContext(HallmarkConfig config, ServerSettings settings, Authority authority, AuditLedger ledger,
                            Database database, CryptoToken token, AdminCredentials credentials, MeterRegistry metrics,
                            Vertx vertx, Clock clock) {
    public ServerContext {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(authority, "authority");
        Objects.requireNonNull(ledger, "ledger");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(credentials, "credentials");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(vertx, "vertx");
        Objects.requireNonNull(clock, "clock");
    }
}
