package dev.hallmark.server;

import dev.hallmark.admin.AdminCredentials;
import dev.hallmark.authority.Authority;
import dev.hallmark.config.HallmarkConfig;
import dev.hallmark.db.Database;
import dev.hallmark.hsm.CryptoToken;
import dev.hallmark.ledger.AuditEventType;
import dev.hallmark.ledger.AuditLedger;
import dev.hallmark.ledger.Checkpoint;
import dev.hallmark.ledger.LedgerEntry;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running appliance: Vert.x, the server with every endpoint, the HTTPS certificate and the background work
 * (ledger checkpoints, certificate renewal, metric refresh). The one place the server is assembled, for
 * {@code hallmark serve}/{@code demo} and for tests. Closing drains and stops it; the caller closes the authority's
 * database and token afterwards.
 */
public final class ServerRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServerRuntime.class);
    /** How often the HTTPS certificate is checked for renewal. */
    public static final Duration RENEWAL_CHECK = Duration.ofMinutes(5);
    /** How often the database-backed gauges are read. */
    public static final Duration METRICS_REFRESH = Duration.ofSeconds(30);
    private static final Set<AuditEventType> CHECKPOINT_EVENTS =
            EnumSet.of(AuditEventType.LEDGER_CHECKPOINT_SIGNING, AuditEventType.LEDGER_CHECKPOINT_SIGNED);

    private final Vertx vertx;
    private final HallmarkServer server;
    private final HttpsCertificates https;
    private final AuthorityMetrics authorityMetrics;
    private final AuditLedger ledger;
    private final Consumer<Checkpoint> anchor;

    /**
     * What the runtime is built from.
     *
     * @param config    the validated configuration
     * @param authority the authority core
     * @param ledger    the audit ledger
     * @param database  the database
     * @param token     the token (already wrapped in {@link MeteredToken} by the caller, who opened it)
     * @param registry  the registry the token's meters went to ({@link ServerMetrics#newRegistry()})
     * @param clock     the clock
     * @param anchor    told about every checkpoint the server signs (the CLI keeps it outside the database)
     */
    public record Parts(HallmarkConfig config, Authority authority, AuditLedger ledger, Database database,
                        CryptoToken token, MeterRegistry registry, Clock clock, Consumer<Checkpoint> anchor) {
    }

    private ServerRuntime(Vertx vertx, HallmarkServer server, HttpsCertificates https, AuthorityMetrics metrics,
                          AuditLedger ledger, Consumer<Checkpoint> anchor) {
        this.vertx = vertx;
        this.server = server;
        this.https = https;
        this.authorityMetrics = metrics;
        this.ledger = ledger;
        this.anchor = anchor;
    }

    /**
     * Validates the server configuration, obtains the HTTPS certificate and starts listening.
     *
     * @throws dev.hallmark.config.ConfigException naming the bad key
     * @throws IllegalStateException               when a listener cannot bind
     */
    public static ServerRuntime start(Parts parts, ServerRole role, List<Endpoint> endpoints) {
        // A client may not renegotiate (each renegotiation costs a server signature); read once by the JDK's TLS.
        System.setProperty("jdk.tls.rejectClientInitiatedRenegotiation", "true");
        HallmarkConfig config = parts.config();
        ServerSettings settings = ServerSettings.from(config.root(), config.database().poolSize());
        Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(false));
        try {
            AdminCredentials credentials = new AdminCredentials(parts.database(), parts.ledger());
            ServerContext context = new ServerContext(config, settings, parts.authority(), parts.ledger(), parts.database(),
                    parts.token(), credentials, parts.registry(), vertx, parts.clock());
            HttpsCertificates https = new HttpsCertificates(parts.authority(), config.issuingCa(), settings,
                    config.dataDir().resolve("https"), parts.clock());
            // Metrics first, so the HTTPS certificate issued at start is counted like every other issuance.
            AuthorityMetrics metrics = new AuthorityMetrics(parts.registry(), parts.authority(), parts.ledger(),
                    parts.database(), parts.clock());
            if (role != ServerRole.OCSP) {
                https.ensure();
            }
            metrics.refresh();
            Health health = new Health(parts.database(), parts.token(), parts.ledger());
            ServerRuntime[] self = new ServerRuntime[1];
            List<HallmarkServer.Periodic> background = new ArrayList<>();
            background.add(new HallmarkServer.Periodic("ledger-checkpoint", settings.checkpointInterval().toMillis(),
                    () -> self[0].checkpointIfNeeded()));
            background.add(new HallmarkServer.Periodic("metrics-refresh", METRICS_REFRESH.toMillis(), metrics::refresh));
            if (role != ServerRole.OCSP) {
                background.add(new HallmarkServer.Periodic("https-renewal", RENEWAL_CHECK.toMillis(),
                        () -> self[0].renewHttpsIfDue()));
            }
            HallmarkServer server = HallmarkServer.start(context, role, endpoints, https, health, background);
            self[0] = new ServerRuntime(vertx, server, https, metrics, parts.ledger(), parts.anchor());
            return self[0];
        } catch (RuntimeException e) {
            vertx.close();
            throw e;
        }
    }

    /** The server (ports, routes, health). */
    public HallmarkServer server() {
        return server;
    }

    /** The HTTPS certificate in service. */
    public HttpsCertificates https() {
        return https;
    }

    /**
     * Renews the HTTPS certificate when it is due and swaps it into the running listener. Blocking.
     *
     * @return whether it was renewed
     */
    public boolean renewHttpsIfDue() {
        if (!https.renewIfDue()) {
            return false;
        }
        try {
            server.updateHttpsCertificate().await(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the renewed HTTPS certificate could not be put in service", e);
        }
        LOG.info("https certificate renewed: serial {} valid until {}", https.serialHex(), https.notAfter());
        return true;
    }

    /**
     * Integrates the ledger and signs a checkpoint when entries other than the previous checkpoint's own records are
     * not yet covered. Blocking.
     *
     * @return the new checkpoint, if one was signed
     */
    public Optional<Checkpoint> checkpointIfNeeded() {
        ledger.integrate();
        long size = ledger.treeSize();
        Optional<Checkpoint> latest = ledger.latestCheckpoint();
        if (latest.isPresent()) {
            long covered = latest.get().treeSize();
            if (size <= covered) {
                return Optional.empty();
            }
            if (size - covered <= CHECKPOINT_EVENTS.size()) {
                List<LedgerEntry> uncovered = ledger.entries(covered, (int) (size - covered));
                if (uncovered.stream().allMatch(e -> CHECKPOINT_EVENTS.contains(e.type()))) {
                    return Optional.empty();
                }
            }
        }
        Checkpoint c = ledger.signCheckpoint();
        anchor.accept(c);
        return Optional.of(c);
    }

    /** Refreshes the database-backed gauges now. Blocking. */
    public void refreshMetrics() {
        authorityMetrics.refresh();
    }

    /** How long shutdown waits for the last ledger checkpoint. */
    static final Duration FINAL_CHECKPOINT_WAIT = Duration.ofSeconds(8);

    private void finalCheckpoint() {
        java.util.concurrent.CompletableFuture<Optional<Checkpoint>> done =
                java.util.concurrent.CompletableFuture.supplyAsync(this::checkpointIfNeeded, runnable -> {
                    Thread t = new Thread(runnable, "hallmark-final-checkpoint");
                    t.setDaemon(true);
                    t.start();
                });
        try {
            done.get(FINAL_CHECKPOINT_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            LOG.warn("final ledger checkpoint did not finish within {}s; the next start signs it", FINAL_CHECKPOINT_WAIT.toSeconds());
        } catch (java.util.concurrent.ExecutionException e) {
            LOG.warn("final ledger checkpoint failed: {}", e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Listener → base URL. */
    public Map<Listener, String> urls() {
        return server.urls();
    }

    /**
     * Drains the listeners, signs a last checkpoint (given at most {@link #FINAL_CHECKPOINT_WAIT}, so a broken
     * database cannot hold the shutdown), and stops Vert.x.
     */
    @Override
    public void close() {
        try {
            server.close();
            finalCheckpoint();
        } finally {
            try {
                vertx.close().await(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.warn("vert.x did not stop cleanly: {}", e.getMessage());
            }
        }
    }
}
