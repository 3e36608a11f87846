package dev.hallmark.cli;

import ch.qos.logback.classic.Level;
import dev.hallmark.admin.AdminCredentials;
import dev.hallmark.admin.AdminRole;
import dev.hallmark.authority.CaRecord;
import dev.hallmark.authority.KeyIdentifiers;
import dev.hallmark.config.HallmarkConfig;
import dev.hallmark.server.HallmarkServer;
import dev.hallmark.server.Listener;
import dev.hallmark.server.MeteredToken;
import dev.hallmark.server.ServerMetrics;
import dev.hallmark.server.ServerRole;
import dev.hallmark.server.ServerRuntime;
import dev.hallmark.server.ServerSettings;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;

/** Running the server from the CLI: shared by {@code serve} and {@code demo}. */
final class Serving {
    private Serving() {
    }

    /**
     * Opens the appliance, starts the server, prints where it listens, and blocks until the process is told to stop
     * (SIGTERM/SIGINT), which drains in-flight requests and exits 0.
     */
    static int run(HallmarkConfig config, ServerRole role, PrintWriter out, PrintWriter err) {
        validate(config);
        serverLogging();
        PrometheusMeterRegistry registry = ServerMetrics.newRegistry();
        Appliance appliance = Appliance.open(config, Cli.clock(), t -> new MeteredToken(t, registry));
        ServerRuntime runtime;
        try {
            runtime = ServerRuntime.start(new ServerRuntime.Parts(config, appliance.authority(), appliance.ledger(),
                    appliance.database(), appliance.token(), registry, Cli.clock(),
                    c -> LedgerAnchor.remember(config.dataDir(), c)), role, HallmarkServer.discover());
        } catch (RuntimeException e) {
            appliance.close();
            throw e;
        }
        CountDownLatch stop = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger signals = new java.util.concurrent.atomic.AtomicInteger();
        Runnable onSignal = () -> {
            if (signals.incrementAndGet() > 1) {
                err.println("hallmark: second signal: exiting without waiting for in-flight requests");
                err.flush();
                Runtime.getRuntime().halt(130);
            }
            stop.countDown();
        };
        if (!Signals.onTermination(onSignal)) {
            // No signal API: drain in a shutdown hook instead (an H2 file database may then close under it).
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(runtime, appliance, out), "hallmark-shutdown"));
        }
        banner(config, role, runtime.urls(), rootFingerprint(appliance, config), out);
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stop(runtime, appliance, out);
        return 0;
    }

    /** Drains the listeners, then closes the database and the token. Safe to call twice. */
    private static synchronized void stop(ServerRuntime runtime, Appliance appliance, PrintWriter out) {
        try {
            runtime.close();
        } finally {
            appliance.close();
        }
        out.println("Hallmark stopped.");
        out.flush();
    }

    /** Checks the server's configuration, so a bad key fails before anything is opened or written. */
    static void validate(HallmarkConfig config) {
        ServerSettings.from(config.root(), config.database().poolSize());
    }

    private static void banner(HallmarkConfig config, ServerRole role, Map<Listener, String> urls, String fingerprint,
                               PrintWriter out) {
        out.println("Hallmark " + Build.version().replaceFirst("^hallmark/", "") + " serving " + config.dataDir().toAbsolutePath() + " (role "
                + role.label() + ")");
        String https = urls.get(Listener.HTTPS);
        if (https != null) {
            out.println("  https        " + https + "   admin API " + https + "/api/v1 (OpenAPI: /api/v1/openapi.json)");
        }
        String http = urls.get(Listener.HTTP);
        if (http != null) {
            out.println("  http         " + http + "   CA certificates " + http + "/ca/" + config.rootCa() + ".crt");
            out.println("               OCSP " + http + "/ocsp   CRL " + http + "/crl/" + config.issuingCa() + ".crl"
                    + (config.revocation().urls().configured() ? "   (certificates name " + config.revocation().urls().base() + ")"
                    : "   (urls.base unset: certificates carry no OCSP/CRL URLs)"));
        }
        out.println("  management   " + urls.get(Listener.MANAGEMENT) + "   /metrics /healthz /readyz");
        out.println("  root CA      '" + config.rootCa() + "' SHA-256 " + fingerprint);
        Path token = config.dataDir().resolve("admin.token");
        if (Files.exists(token)) {
            out.println("  admin token  " + token.toAbsolutePath() + " (Authorization: Bearer <its content>)");
        }
        out.println("Ready. Stop with Ctrl-C or SIGTERM; in-flight requests finish first.");
        out.flush();
    }

    private static String rootFingerprint(Appliance appliance, HallmarkConfig config) {
        CaRecord root = appliance.store().ca(config.rootCa()).orElseThrow(() -> new Cli.CliException(
                "root CA '" + config.rootCa() + "' is not in the database; run 'hallmark init'"));
        // The form openssl x509 -fingerprint -sha256 prints, to compare by eye.
        return KeyIdentifiers.sha256Hex(root.certificateDer()).toUpperCase(java.util.Locale.ROOT).replaceAll("(..)(?!$)", "$1:");
    }

    /** {@code demo}: makes a fresh admin credential when {@code DIR/admin.token} is gone. */
    static void ensureAdminToken(HallmarkConfig config, PrintWriter out) {
        Path file = config.dataDir().resolve("admin.token");
        if (Files.exists(file)) {
            return;
        }
        try (Appliance appliance = Appliance.open(config, Cli.clock())) {
            AdminCredentials.Created admin = new AdminCredentials(appliance.database(), appliance.ledger())
                    .create("demo-admin", AdminRole.ADMIN, Cli.actor(), Cli.clock().instant());
            Cli.writeFile(file, (admin.token() + "\n").getBytes(StandardCharsets.US_ASCII), "rw-------");
            appliance.checkpointAfterCommit(out);
            out.println("Wrote a new admin API token to " + file.toAbsolutePath() + " (mode 0600)");
        }
    }

    /** Operational logging for a long-running server: INFO from Hallmark (HALLMARK_LOG_LEVEL overrides). */
    private static void serverLogging() {
        String wanted = System.getenv("HALLMARK_LOG_LEVEL");
        Level level = wanted == null ? Level.INFO : Level.toLevel(wanted.toUpperCase(Locale.ROOT), Level.INFO);
        if (LoggerFactory.getLogger("dev.hallmark") instanceof ch.qos.logback.classic.Logger logger) {
            logger.setLevel(level);
        }
    }
}
