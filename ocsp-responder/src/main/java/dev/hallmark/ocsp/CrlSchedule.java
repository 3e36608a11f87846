package dev.hallmark.ocsp;

import dev.hallmark.authority.Authority;
import dev.hallmark.authority.CaRecord;
import dev.hallmark.authority.crl.CrlKind;
import dev.hallmark.authority.crl.Crls;
import dev.hallmark.authority.crl.PublishedCrl;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds each CA's CRLs when due ({@link Crls#buildDue}): at the first start, every {@code crl.interval}, and
 * {@code crl.afterRevocation} after a revocation. Every node running the revocation endpoints runs this; the database
 * lease lets one of them build at a time. Publishes the age, remaining validity, size and number of the newest CRL
 * of every scope as gauges (T42: an alert fires before a served CRL's nextUpdate).
 */
final class CrlSchedule implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CrlSchedule.class);
    static final String ACTOR = "system:crl-schedule";

    private final Crls crls;
    private final Authority authority;
    private final Clock clock;
    private final MeterRegistry registry;
    private final ScheduledExecutorService schedule = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "hallmark-crl");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, PublishedCrl> latest = new ConcurrentHashMap<>();
    private volatile String lastFailure;

    CrlSchedule(Crls crls, Authority authority, Clock clock, MeterRegistry registry) {
        this.crls = crls;
        this.authority = authority;
        this.clock = clock;
        this.registry = registry;
    }

    /** How often it checks what is due (a few cheap queries): at least every 5 s, more often for a shorter afterRevocation. */
    Duration tick() {
        Duration after = crls.settings().afterRevocation();
        Duration tick = after.compareTo(Duration.ofSeconds(5)) < 0 ? after : Duration.ofSeconds(5);
        return tick.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : tick;
    }

    void start() {
        schedule.scheduleWithFixedDelay(this::runSafely, 0, tick().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void runSafely() {
        try {
            run();
            lastFailure = null;
        } catch (RuntimeException e) {
            String why = e.toString();
            if (!why.equals(lastFailure)) {
                LOG.warn("CRL building failed (retrying every {} s): {}", tick().toSeconds(), why);
            }
            lastFailure = why;
        }
    }

    /** Builds what is due for every CA and refreshes the gauges. */
    void run() {
        for (CaRecord ca : authority.cas()) {
            for (PublishedCrl crl : crls.buildDue(ca.name(), ACTOR)) {
                LOG.info("published {} number {} ({} entries, {} bytes)", crl.fileName(), crl.number(), crl.entries(),
                        crl.length());
            }
        }
        List<PublishedCrl> published = crls.published();
        for (PublishedCrl crl : published) {
            if (latest.put(crl.fileName(), crl) == null) {
                register(crl.fileName(), crl);
            }
        }
    }

    private void register(String file, PublishedCrl first) {
        Tags tags = Tags.of("ca", first.issuer(), "kind", first.kind().name().toLowerCase(Locale.ROOT),
                "shard", first.kind() == CrlKind.SHARD ? Integer.toString(first.shard()) : "");
        Gauge.builder("hallmark.crl.age", latest, m -> seconds(clock, m.get(file), true)).tags(tags).baseUnit("seconds")
                .description("Seconds since the newest published CRL's thisUpdate").register(registry);
        Gauge.builder("hallmark.crl.next.update", latest, m -> seconds(clock, m.get(file), false)).tags(tags)
                .baseUnit("seconds").description("Seconds until the newest published CRL's nextUpdate (negative: stale)")
                .register(registry);
        Gauge.builder("hallmark.crl.entries", latest, m -> m.get(file).entries()).tags(tags)
                .description("Revoked certificates listed on the newest published CRL").register(registry);
        Gauge.builder("hallmark.crl.size", latest, m -> m.get(file).length()).tags(tags).baseUnit("bytes")
                .description("Size of the newest published CRL").register(registry);
        Gauge.builder("hallmark.crl.number", latest, m -> m.get(file).number()).tags(tags)
                .description("CRL number of the newest published CRL").register(registry);
    }

    private static double seconds(Clock clock, PublishedCrl crl, boolean age) {
        return age ? Duration.between(crl.thisUpdate(), clock.instant()).toSeconds()
                : Duration.between(clock.instant(), crl.nextUpdate()).toSeconds();
    }

    @Override
    public void close() {
        schedule.shutdownNow();
    }
}
