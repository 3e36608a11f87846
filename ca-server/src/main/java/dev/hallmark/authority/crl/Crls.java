package dev.hallmark.authority.crl;

import dev.hallmark.authority.Authority;
import dev.hallmark.authority.CaException;
import dev.hallmark.authority.DistributionUrls;
import dev.hallmark.authority.RevocationReason;
import dev.hallmark.authority.SerialRecord;
import dev.hallmark.authority.SigningCa;
import dev.hallmark.config.RevocationSettings;
import dev.hallmark.hsm.CryptoToken;
import dev.hallmark.hsm.TokenContentSigner;
import dev.hallmark.hsm.TokenException;
import dev.hallmark.ledger.AuditEvent;
import dev.hallmark.ledger.AuditEventType;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.IssuingDistributionPoint;

/**
 * Builds, signs and publishes a CA's CRLs (RFC 5280 section 5): the complete CRL, its partitions when
 * {@code crl.shards} &gt; 1, and delta CRLs when enabled. Every CRL lists each revoked certificate of the CA,
 * including "outcome unknown" serials, from its revocation until one CRL validity period after it expired, so it
 * stays listed until after its expiry (RELIABILITY I8, N5); certificateHold never appears.
 *
 * <p>Coordination across nodes goes through the database: a builder lease per CA (one builder at a time), and one
 * strictly increasing CRL number sequence per CA, each number committed with a {@code CRL_SIGNING} audit entry before
 * the CA key signs (RELIABILITY I1) and each CRL published with a {@code CRL_SIGNED} entry. Entries stream from the
 * database through {@link CrlWriter} to a temporary file, so a million revocations never sit in memory as objects.
 * Blocking (JDBC, token); thread-safe.
 */
public final class Crls {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Crls.class);
    /** How long a builder lease lasts: far longer than any build, short enough for a crashed builder. */
    static final Duration LEASE = Duration.ofMinutes(15);
    /**
     * Revocations stamped this long before a CRL's thisUpdate may have committed after its entries were read (a
     * revocation is one short transaction). Such a revocation causes one more build after {@code crl.afterRevocation};
     * delta CRLs list changes from this long before their base.
     */
    static final Duration LATE_COMMIT = Duration.ofSeconds(30);
    /** A delta CRL lists at most this many changes; beyond that a new complete CRL is the cheaper answer. */
    static final int MAX_DELTA_CHANGES = 100_000;

    private final Authority authority;
    private final CrlStore store;
    private final CryptoToken token;
    private final RevocationSettings.Crl settings;
    private final DistributionUrls urls;
    private final Clock clock;
    private final String node;
    private final Path tmpDir;

    /**
     * @param node   this node's name, recorded as the builder and lease holder
     * @param tmpDir where CRLs are assembled before publication
     */
    public Crls(Authority authority, CrlStore store, CryptoToken token, RevocationSettings settings, Clock clock,
                String node, Path tmpDir) {
        this.authority = authority;
        this.store = store;
        this.token = token;
        this.settings = settings.crl();
        this.urls = settings.urls();
        this.clock = clock;
        this.node = node;
        this.tmpDir = tmpDir;
    }

    /**
     * The CRL builder of an appliance: CRLs stored in its database, assembled in {@code DATA/tmp}.
     *
     * @param node this process, as recorded in the lease and the CRLs it builds
     */
    public static Crls onDatabase(Authority authority, dev.hallmark.db.Database database, dev.hallmark.ledger.AuditLedger ledger,
                                  CryptoToken token, dev.hallmark.config.HallmarkConfig config, Clock clock, String node) {
        return new Crls(authority, new dev.hallmark.authority.store.JdbcCrlStore(database, ledger), token,
                config.revocation(), clock, node, config.dataDir().resolve("tmp"));
    }

    /** The newest CRL published for a scope. */
    public Optional<PublishedCrl> latest(String ca, CrlKind kind, int shard) {
        return store.latest(ca, kind, shard);
    }

    /** The newest CRL of a scope if it is newer than {@code knownNumber}. */
    public Optional<PublishedCrl> newerThan(String ca, CrlKind kind, int shard, long knownNumber) {
        return store.newerThan(ca, kind, shard, knownNumber);
    }

    /** The newest CRL of every scope, without DER. */
    public List<PublishedCrl> published() {
        return store.latestOfEach();
    }

    /** The settings in force. */
    public RevocationSettings.Crl settings() {
        return settings;
    }

    /**
     * Builds and publishes CA {@code ca}'s complete CRL and, when partitioned, every shard.
     *
     * @param actor who asked ({@code system:crl-schedule}, {@code cli:...})
     * @return what was published
     * @throws CaException {@code CONFLICT} while another node builds this CA's CRLs, {@code NOT_FOUND} for an unknown
     *                     CA, {@code TOKEN_UNAVAILABLE} when the CA key cannot sign
     */
    public List<PublishedCrl> buildComplete(String ca, String actor) {
        return leased(ca, () -> {
            SigningCa signing = authority.signingCa(ca);
            Instant thisUpdate = now();
            List<PublishedCrl> out = new ArrayList<>();
            out.add(build(signing, actor, CrlKind.COMPLETE, -1, null, thisUpdate, settings.validity(), k -> true));
            if (settings.shards() > 1) {
                for (int shard = 0; shard < settings.shards(); shard++) {
                    int k = shard;
                    out.add(build(signing, actor, CrlKind.SHARD, k, null, thisUpdate, settings.validity(), s -> s == k));
                }
            }
            return out;
        });
    }

    /**
     * Builds and publishes CA {@code ca}'s delta CRL against its newest complete CRL (RFC 5280 5.2.4): every
     * revocation and reason change since a little before that CRL's thisUpdate.
     *
     * @throws CaException {@code CONFLICT} as for {@link #buildComplete}, or when delta CRLs are off or there is no
     *                     complete CRL yet, or too many changes for a delta (build a complete CRL instead)
     */
    public PublishedCrl buildDelta(String ca, String actor) {
        if (!settings.delta()) {
            throw new CaException(CaException.Kind.CONFLICT, "delta CRLs are off (crl.delta.enabled)");
        }
        return leased(ca, () -> {
            SigningCa signing = authority.signingCa(ca);
            PublishedCrl base = store.latestMetadata(ca, CrlKind.COMPLETE, -1).orElseThrow(() -> new CaException(
                    CaException.Kind.CONFLICT, "CA '" + ca + "' has no complete CRL yet to base a delta CRL on"));
            Instant thisUpdate = now();
            List<SerialRecord> changed = changesSince(ca, base.thisUpdate().minus(LATE_COMMIT), thisUpdate);
            return sign(signing, actor, CrlKind.DELTA, -1, base, thisUpdate, settings.deltaValidity(),
                    sink -> changed.forEach(s -> sink.accept(entry(s))));
        });
    }

    /**
     * Builds whatever is due for CA {@code ca}: the complete CRL (and shards) when there is none, when the newest is
     * {@code crl.interval} old, or {@code crl.afterRevocation} after a revocation it may not list; the delta CRL when
     * enabled and {@code crl.delta.interval} old or behind a revocation. Quietly does nothing while another node
     * holds the lease.
     *
     * @return what was published (often nothing)
     */
    public List<PublishedCrl> buildDue(String ca, String actor) {
        Instant now = now();
        Optional<PublishedCrl> complete = store.latestMetadata(ca, CrlKind.COMPLETE, -1);
        List<PublishedCrl> out = new ArrayList<>();
        try {
            // With delta CRLs, revocations go out in deltas and the complete CRL follows its interval.
            if (complete.isEmpty() || aged(complete.get(), settings.interval(), now)
                    || !settings.delta() && revokedSince(ca, complete.get(), now)) {
                out.addAll(buildComplete(ca, actor));
            } else if (settings.delta()) {
                Optional<PublishedCrl> delta = store.latestMetadata(ca, CrlKind.DELTA, -1);
                if (delta.isEmpty() || delta.get().baseNumber() < complete.get().number()
                        || aged(delta.get(), settings.deltaInterval(), now) || revokedSince(ca, delta.get(), now)) {
                    out.add(buildDelta(ca, actor));
                }
            }
        } catch (CaException e) {
            if (e.kind() != CaException.Kind.CONFLICT) {
                throw e;
            }
        }
        return out;
    }

    /**
     * The reconciler's CRL checks for CA {@code ca}; see {@link CrlAudit}.
     *
     * @return the problems found, empty when all is well (also when no CRL was published yet)
     */
    public List<String> audit(String ca) {
        return new CrlAudit(authority, store, settings, urls, clock).audit(ca);
    }

    private static boolean aged(PublishedCrl latest, Duration interval, Instant now) {
        return !now.isBefore(latest.thisUpdate().plus(interval));
    }

    /**
     * A revocation {@code latest} may not list, once {@code crl.afterRevocation} has passed. Revocations stamped a little
     * before its thisUpdate count too (they may have committed after its entries were read), so a revocation can cause
     * one extra build, never a missed one.
     */
    private boolean revokedSince(String ca, PublishedCrl latest, Instant now) {
        if (now.isBefore(latest.thisUpdate().plus(settings.afterRevocation()))) {
            return false;
        }
        return !changesSince(ca, latest.thisUpdate().minus(LATE_COMMIT), latest.thisUpdate()).isEmpty();
    }

    /** Revoked serials of {@code ca} whose status changed at or after {@code since}, among those that matter at {@code at}. */
    private List<SerialRecord> changesSince(String ca, Instant since, Instant at) {
        Instant listedFrom = at.minus(settings.validity());
        List<SerialRecord> all = authority.statusChangedSince(since, MAX_DELTA_CHANGES + 1);
        if (all.size() > MAX_DELTA_CHANGES) {
            throw new CaException(CaException.Kind.CONFLICT, "more than " + MAX_DELTA_CHANGES
                    + " revocations since the last complete CRL; build a complete CRL instead");
        }
        return all.stream().filter(s -> s.intent().issuer().equals(ca) && s.isRevoked()
                && s.intent().notAfter().isAfter(listedFrom)).toList();
    }

    private interface Work<T> {
        T run();
    }

    private <T> T leased(String ca, Work<T> work) {
        Instant now = now();
        if (!store.acquireLease(ca, node, now, now.plus(LEASE))) {
            throw new CaException(CaException.Kind.CONFLICT, "another node is building the CRLs of CA '" + ca
                    + "' right now; try again in a moment");
        }
        try {
            return work.run();
        } finally {
            store.releaseLease(ca, node);
        }
    }

    private PublishedCrl build(SigningCa ca, String actor, CrlKind kind, int shard, PublishedCrl base,
                               Instant thisUpdate, Duration validity, java.util.function.IntPredicate inShard) {
        Instant listedFrom = thisUpdate.minus(settings.validity());
        CrlWriter.EntrySource source = sink -> authority.forEachRevoked(ca.name(), listedFrom, r -> {
            if (inShard.test(urls.shardOf(r.serial()))) {
                sink.accept(new CrlEntry(r.serial(), r.revokedAt(),
                        r.reason() == RevocationReason.UNSPECIFIED ? null : r.reason().code()));
            }
        });
        return sign(ca, actor, kind, shard, base, thisUpdate, validity, source);
    }

    private PublishedCrl sign(SigningCa ca, String actor, CrlKind kind, int shard, PublishedCrl base,
                              Instant thisUpdate, Duration validity, CrlWriter.EntrySource source) {
        Instant nextUpdate = thisUpdate.plus(validity);
        String subject = ca.name() + "/crl/" + kind.name().toLowerCase(java.util.Locale.ROOT) + (shard >= 0 ? "-" + shard : "");
        long number = store.nextNumber(ca.name(), n -> {
            Map<String, String> d = new LinkedHashMap<>();
            d.put("crlNumber", Long.toString(n));
            d.put("thisUpdate", thisUpdate.toString());
            d.put("nextUpdate", nextUpdate.toString());
            d.put("node", node);
            return new AuditEvent(AuditEventType.CRL_SIGNING, actor, subject, d);
        });
        Path file = null;
        long started = System.nanoTime();
        try {
            Files.createDirectories(tmpDir);
            file = Files.createTempFile(tmpDir, "crl-", ".der");
            CrlWriter.Result result;
            try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
                result = CrlWriter.write(ca.certificate().toASN1Structure().getSubject().getEncoded("DER"),
                        new TokenContentSigner(token, ca.key(), ca.record().signatureAlgorithm()), thisUpdate, nextUpdate,
                        extensions(ca, kind, shard, number, base), source, tmpDir, out);
            }
            long signed = System.nanoTime();
            String sha256 = HexFormat.of().formatHex(result.sha256());
            PublishedCrl crl = new PublishedCrl(ca.name(), number, kind, shard, base == null ? null : base.number(),
                    thisUpdate, nextUpdate, result.entries(), result.length(), sha256, null, node);
            Map<String, String> d = new LinkedHashMap<>();
            d.put("crlNumber", Long.toString(number));
            d.put("entries", Long.toString(result.entries()));
            d.put("sha256", sha256);
            if (base != null) {
                d.put("baseCrlNumber", Long.toString(base.number()));
            }
            store.publish(crl, file, new AuditEvent(AuditEventType.CRL_SIGNED, actor, subject, d), thisUpdate);
            LOG.info("built {} #{}: {} entries, {} bytes; read, encoded and signed in {} ms, stored in {} ms", crl.fileName(),
                    number, result.entries(), result.length(), (signed - started) / 1_000_000,
                    (System.nanoTime() - signed) / 1_000_000);
            return crl;
        } catch (TokenException e) {
            throw new CaException(CaException.Kind.TOKEN_UNAVAILABLE, "the key of CA '" + ca.name()
                    + "' cannot sign CRL " + number + " now: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot assemble CRL " + number + " of CA '" + ca.name() + "' in " + tmpDir, e);
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    // a leftover temporary file; the next build makes its own
                }
            }
        }
    }

    private Extensions extensions(SigningCa ca, CrlKind kind, int shard, long number, PublishedCrl base) throws IOException {
        ExtensionsGenerator g = new ExtensionsGenerator();
        g.addExtension(Extension.authorityKeyIdentifier, false, new AuthorityKeyIdentifier(ca.keyIdentifier()));
        g.addExtension(Extension.cRLNumber, false, new ASN1Integer(number));
        switch (kind) {
            case COMPLETE -> {
                if (urls.delta() && urls.configured()) {
                    g.addExtension(Extension.freshestCRL, false, new CRLDistPoint(new DistributionPoint[] {
                            point(urls.deltaCrl(ca.name()))}));
                }
            }
            case SHARD -> {
                if (!urls.configured()) {
                    throw new CaException(CaException.Kind.CONFLICT, "partitioned CRLs need urls.base: each partition's "
                            + "issuing distribution point must equal the distribution point in its certificates");
                }
                g.addExtension(Extension.issuingDistributionPoint, true, new IssuingDistributionPoint(
                        point(urls.shardCrl(ca.name(), shard)).getDistributionPoint(), false, false, null, false, false));
            }
            case DELTA -> g.addExtension(Extension.deltaCRLIndicator, true, new ASN1Integer(base.number()));
        }
        return g.generate();
    }

    private static DistributionPoint point(String url) {
        return new DistributionPoint(new DistributionPointName(new GeneralNames(
                new GeneralName(GeneralName.uniformResourceIdentifier, url))), null, null);
    }

    private static CrlEntry entry(SerialRecord s) {
        RevocationReason r = s.revocationReason();
        return new CrlEntry(s.intent().serial().value(), s.revokedAt(),
                r == null || r == RevocationReason.UNSPECIFIED ? null : r.code());
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.SECONDS);
    }
}
