package dev.hallmark.api;

import dev.hallmark.authority.CaException;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The query parameters of one request, read strictly: each at most once, only the names the route knows, values
 * parsed with a {@code MALFORMED} (400) problem that names the parameter.
 */
final class QueryParams {
    /** The first and last instants of RFC 3339's four-digit years, in UTC. */
    private static final Instant FIRST_INSTANT = OffsetDateTime.of(1, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC).toInstant();
    private static final Instant LAST_INSTANT = OffsetDateTime.of(9999, 12, 31, 23, 59, 59, 999_999_999, ZoneOffset.UTC)
            .toInstant();

    private final MultiMap params;

    private QueryParams(MultiMap params) {
        this.params = params;
    }

    /**
     * The request's query, which may only use {@code allowed} names.
     *
     * @throws CaException {@code MALFORMED} for an unknown name or undecodable query
     */
    static QueryParams of(RoutingContext ctx, Set<String> allowed) {
        MultiMap params;
        try {
            params = ctx.queryParams();
        } catch (RuntimeException e) {
            throw new CaException(CaException.Kind.MALFORMED, "the query string cannot be decoded");
        }
        for (String name : params.names()) {
            if (!allowed.contains(name)) {
                throw new CaException(CaException.Kind.MALFORMED, "unknown query parameter '" + shorten(name)
                        + "'; this resource takes " + String.join(", ", allowed.stream().sorted().toList()));
            }
        }
        return new QueryParams(params);
    }

    /** The parameter's value, empty when absent. */
    Optional<String> string(String name) {
        List<String> values = params.getAll(name);
        if (values.isEmpty()) {
            return Optional.empty();
        }
        if (values.size() > 1) {
            throw bad(name, "is given more than once");
        }
        String v = values.get(0).trim();
        if (v.isEmpty()) {
            throw bad(name, "must not be empty");
        }
        return Optional.of(v);
    }

    /** An integer in {@code [min, max]}, or {@code defaultValue} when absent. */
    long integer(String name, long defaultValue, long min, long max) {
        Optional<String> v = string(name);
        if (v.isEmpty()) {
            return defaultValue;
        }
        long n;
        try {
            n = Long.parseLong(v.get());
        } catch (NumberFormatException e) {
            throw bad(name, "must be an integer between " + min + " and " + max);
        }
        if (n < min || n > max) {
            throw bad(name, "must be between " + min + " and " + max);
        }
        return n;
    }

    /**
     * An RFC 3339 date-time with an offset ({@code 2027-01-31T00:00:00Z}), empty when absent. Only instants in
     * years 0001 to 9999 (UTC) are accepted: RFC 3339 knows no others, and the store's timestamps cannot hold them.
     *
     * @throws CaException {@code MALFORMED} naming the parameter for anything else, never a 500
     */
    Optional<Instant> instant(String name) {
        return string(name).map(v -> {
            Instant instant;
            try {
                instant = OffsetDateTime.parse(v).toInstant();
            } catch (DateTimeException | ArithmeticException e) {
                throw bad(name, "must be an RFC 3339 date-time with an offset, e.g. 2027-01-31T00:00:00Z");
            }
            if (instant.isBefore(FIRST_INSTANT) || instant.isAfter(LAST_INSTANT)) {
                throw bad(name, "must lie between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z");
            }
            return instant;
        });
    }

    /** A {@code MALFORMED} problem about parameter {@code name}. */
    static CaException bad(String name, String what) {
        return new CaException(CaException.Kind.MALFORMED, "query parameter '" + name + "' " + what);
    }

    private static String shorten(String s) {
        String t = s.length() > 64 ? s.substring(0, 64) + "…" : s;
        return t.replaceAll("\\p{Cntrl}", "?");
    }
}
