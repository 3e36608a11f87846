package dev.hallmark.ocsp;

import dev.hallmark.authority.Authority;
import dev.hallmark.authority.CaException;
import dev.hallmark.authority.CaRecord;
import dev.hallmark.authority.crl.CrlKind;
import dev.hallmark.authority.crl.Crls;
import dev.hallmark.authority.crl.PublishedCrl;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code GET /crl/<ca>.crl} (the complete CRL), {@code /crl/<ca>-<n>.crl} (partition n) and
 * {@code /crl/<ca>-delta.crl}: DER, {@code application/pkix-crl} (RFC 2585). Each node keeps the newest of each in
 * memory and asks the database at most every {@link #RECHECK} whether a newer one was published (by any node).
 * Served even past its nextUpdate rather than nothing, while {@code hallmark_crl_next_update_seconds} goes negative
 * and alerts (T42).
 */
final class CrlHandler {
    static final Duration RECHECK = Duration.ofSeconds(2);
    /** HTTP caches re-fetch at least this often, so a new CRL after a revocation reaches clients soon. */
    static final Duration MAX_AGE = Duration.ofMinutes(5);
    private static final Pattern FILE = Pattern.compile("([a-z0-9][a-z0-9-]{0,62}?)(?:-(\\d{1,3}|delta))?\\.crl");

    private final Crls crls;
    private final Authority authority;
    private final Clock clock;
    private final Map<String, Held> held = new ConcurrentHashMap<>();

    private record Held(PublishedCrl crl, long checkedAt) {
    }

    /** Which CRL a file name asks for. */
    record Scope(String ca, CrlKind kind, int shard) {
    }

    CrlHandler(Crls crls, Authority authority, Clock clock) {
        this.crls = crls;
        this.authority = authority;
        this.clock = clock;
    }

    void get(RoutingContext ctx) {
        String file = ctx.pathParam("file");
        PublishedCrl crl = current(file == null ? "" : file);
        HttpServerResponse r = ctx.response();
        Instant now = clock.instant();
        long maxAge = Math.max(0, Math.min(Duration.between(now, crl.nextUpdate()).toSeconds(), MAX_AGE.toSeconds()));
        String etag = '"' + crl.sha256().substring(0, 32) + '"';
        r.putHeader("Cache-Control", "max-age=" + maxAge + ", public, no-transform");
        r.putHeader("Last-Modified", HttpDates.format(crl.thisUpdate()));
        r.putHeader("Expires", HttpDates.format(crl.nextUpdate()));
        r.putHeader("ETag", etag);
        String match = ctx.request().getHeader("If-None-Match");
        if (match != null && match.contains(etag)) {
            r.setStatusCode(304).end();
            return;
        }
        r.putHeader("Content-Type", "application/pkix-crl");
        r.setStatusCode(200).end(Buffer.buffer(crl.der()));
    }

    private PublishedCrl current(String file) {
        long now = System.nanoTime();
        Held h = held.get(file);
        if (h != null && now - h.checkedAt() < RECHECK.toNanos()) {
            return h.crl();
        }
        Scope scope = scope(file);
        long known = h == null ? 0 : h.crl().number();
        PublishedCrl crl = crls.newerThan(scope.ca(), scope.kind(), scope.shard(), known).orElse(h == null ? null : h.crl());
        if (crl == null) {
            throw new CaException(CaException.Kind.NOT_FOUND, "no " + file + " has been published yet; CRLs are built "
                    + "within seconds of the first start (see hallmark_crl_next_update_seconds, or run 'hallmark crl build')");
        }
        held.put(file, new Held(crl, now));
        return crl;
    }

    /** Resolves a file name; a CA whose own name ends in {@code -<digits>} wins over a partition of a shorter name. */
    Scope scope(String file) {
        Matcher m = FILE.matcher(file);
        if (!m.matches()) {
            throw notFound();
        }
        String whole = file.substring(0, file.length() - ".crl".length());
        if (isCa(whole)) {
            return new Scope(whole, CrlKind.COMPLETE, -1);
        }
        if (m.group(2) == null || !isCa(m.group(1))) {
            throw notFound();
        }
        if (m.group(2).equals("delta")) {
            return new Scope(m.group(1), CrlKind.DELTA, -1);
        }
        int shard = Integer.parseInt(m.group(2));
        if (crls.settings().shards() < 2 || shard >= crls.settings().shards()) {
            throw notFound();
        }
        return new Scope(m.group(1), CrlKind.SHARD, shard);
    }

    private boolean isCa(String name) {
        return authority.cas().stream().map(CaRecord::name).anyMatch(name::equals);
    }

    private static CaException notFound() {
        return new CaException(CaException.Kind.NOT_FOUND, "no such CRL; CRLs are at /crl/<ca>.crl, /crl/<ca>-<n>.crl "
                + "(partitions) and /crl/<ca>-delta.crl");
    }
}
