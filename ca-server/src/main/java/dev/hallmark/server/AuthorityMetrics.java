package dev.hallmark.server;

import dev.hallmark.authority.Authority;
import dev.hallmark.authority.AuthorityObserver;
import dev.hallmark.authority.CaException;
import dev.hallmark.authority.CaRecord;
import dev.hallmark.authority.CertificateRecord;
import dev.hallmark.authority.IssuanceRequest;
import dev.hallmark.authority.RevocationRequest;
import dev.hallmark.db.Database;
import dev.hallmark.ledger.AuditLedger;
import dev.hallmark.ledger.Checkpoint;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The authority's meters: issuance and revocation outcomes by profile, protocol and outcome (counted as they happen,
 * through {@link AuthorityObserver}), and gauges read from the database by {@link #refresh()} on a schedule — never on
 * a scrape, so a slow database cannot stall {@code /metrics}: ledger size and checkpoint age, seconds until each CA
 * certificate and the soonest-expiring leaf expire (in seconds, the Prometheus base unit: divide by 86400 for
 * days), and the connection pool.
 */
public final class AuthorityMetrics implements AuthorityObserver {
    private final MeterRegistry registry;
    private final Authority authority;
    private final AuditLedger ledger;
    private final Clock clock;
    private final AtomicLong treeSize = new AtomicLong(-1);
    private final AtomicReference<Instant> lastCheckpoint = new AtomicReference<>();
    private final AtomicReference<Instant> soonestLeaf = new AtomicReference<>();
    private final Map<String, AtomicReference<Instant>> caExpiry = new ConcurrentHashMap<>();

    public AuthorityMetrics(MeterRegistry registry, Authority authority, AuditLedger ledger, Database database, Clock clock) {
        this.registry = registry;
        this.authority = authority;
        this.ledger = ledger;
        this.clock = clock;
        Gauge.builder(ServerMetrics.PREFIX + "ledger.entries", treeSize, AtomicLong::get)
                .description("entries integrated into the audit ledger's Merkle tree").register(registry);
        Gauge.builder(ServerMetrics.PREFIX + "ledger.checkpoint.age", this, m -> secondsSince(m.lastCheckpoint.get()))
                .description("seconds since the latest signed ledger checkpoint").baseUnit("seconds").register(registry);
        Gauge.builder(ServerMetrics.PREFIX + "certificate.leaf.soonest.expiry", this, m -> secondsUntil(m.soonestLeaf.get()))
                .description("seconds until the soonest-expiring valid end-entity certificate expires").baseUnit("seconds")
                .register(registry);
        if (database.dataSource() instanceof com.zaxxer.hikari.HikariDataSource hikari) {
            bindPool(hikari);
        }
        authority.addObserver(this);
    }

    private void bindPool(com.zaxxer.hikari.HikariDataSource hikari) {
        String pool = ServerMetrics.PREFIX + "db.pool.connections";
        Gauge.builder(pool, hikari, h -> h.getHikariPoolMXBean() == null ? 0 : h.getHikariPoolMXBean().getActiveConnections())
                .tag("state", "active").description("database pool connections").register(registry);
        Gauge.builder(pool, hikari, h -> h.getHikariPoolMXBean() == null ? 0 : h.getHikariPoolMXBean().getIdleConnections())
                .tag("state", "idle").description("database pool connections").register(registry);
        Gauge.builder(pool, hikari, h -> h.getHikariPoolMXBean() == null ? 0 : h.getHikariPoolMXBean().getThreadsAwaitingConnection())
                .tag("state", "pending").description("database pool connections").register(registry);
        Gauge.builder(ServerMetrics.PREFIX + "db.pool.max", hikari, h -> h.getMaximumPoolSize())
                .description("database pool size limit").register(registry);
    }

    /** Reads the database-backed gauges. Blocking; called on the worker pool. */
    public void refresh() {
        treeSize.set(ledger.treeSize());
        ledger.latestCheckpoint().map(Checkpoint::signedAt).ifPresent(lastCheckpoint::set);
        soonestLeaf.set(authority.soonestLeafExpiry().orElse(null));
        for (CaRecord ca : authority.cas()) {
            caExpiry.computeIfAbsent(ca.name(), name -> {
                AtomicReference<Instant> ref = new AtomicReference<>();
                Gauge.builder(ServerMetrics.PREFIX + "ca.certificate.expiry", ref, r -> secondsUntil(r.get()))
                        .tag("ca", name).description("seconds until the CA certificate expires").baseUnit("seconds")
                        .register(registry);
                return ref;
            }).set(ca.notAfter());
        }
    }

    private double secondsSince(Instant t) {
        return t == null ? Double.NaN : Duration.between(t, clock.instant()).toMillis() / 1000.0;
    }

    private double secondsUntil(Instant t) {
        return t == null ? Double.NaN : Duration.between(clock.instant(), t).toSeconds();
    }

    @Override
    public void issued(IssuanceRequest request, CertificateRecord certificate) {
        issuance(request, "issued");
    }

    @Override
    public void refused(IssuanceRequest request, CaException.Kind kind) {
        issuance(request, kind.name().toLowerCase(Locale.ROOT));
    }

    private void issuance(IssuanceRequest request, String outcome) {
        Counter.builder(ServerMetrics.PREFIX + "issuance.requests")
                .description("issuance requests by profile, protocol and outcome (issued, or the refusal kind)")
                .tag("profile", profileLabel(request.profile())).tag("protocol", request.provenance().channel())
                .tag("outcome", outcome)
                .register(registry).increment();
    }

    /** A requested profile name as a label: only names of configured profiles, so callers cannot mint series. */
    private String profileLabel(String requested) {
        try {
            return authority.profiles().get(requested).name();
        } catch (CaException e) {
            return "unknown";
        }
    }

    @Override
    public void revoked(RevocationRequest request) {
        revocation(request, "revoked");
    }

    @Override
    public void revocationRefused(RevocationRequest request, CaException.Kind kind) {
        revocation(request, kind.name().toLowerCase(Locale.ROOT));
    }

    private void revocation(RevocationRequest request, String outcome) {
        Counter.builder(ServerMetrics.PREFIX + "revocation.requests")
                .description("revocation requests by reason and outcome")
                .tag("reason", request.reason().name().toLowerCase(Locale.ROOT)).tag("outcome", outcome)
                .register(registry).increment();
    }
}
