package dev.hallmark.api;

import dev.hallmark.authority.Authority;
import dev.hallmark.authority.CaException;
import dev.hallmark.authority.CaRecord;
import dev.hallmark.authority.CertificateQuery;
import dev.hallmark.authority.CertificateRecord;
import dev.hallmark.authority.CertificateStatus;
import dev.hallmark.authority.Identifier;
import dev.hallmark.authority.SerialNumber;
import dev.hallmark.authority.policy.IdentifierSyntax;
import dev.hallmark.server.Caller;
import io.vertx.ext.web.RoutingContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code GET /api/v1/certificates}: certificates matching the filters, newest first, one page at a time. Filters:
 * {@code status} (valid, revoked, expired), {@code san} (exact, normalised), {@code serial} (hex), {@code profile},
 * {@code ca}, {@code expiringBefore} (RFC 3339); paging: {@code limit} (1–1000, default 100) and {@code offset}.
 * A bad value is a 400 problem naming the parameter. {@code next} is the URL of the following page, or null.
 */
final class SearchHandler {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;
    private static final int MAX_OFFSET = 10_000_000;
    private static final List<String> PARAMETERS = List.of("status", "san", "serial", "profile", "ca",
            "expiringBefore", "limit", "offset");

    private final Authority authority;
    private final CertificateLookup lookup;

    SearchHandler(Authority authority, CertificateLookup lookup) {
        this.authority = authority;
        this.lookup = lookup;
    }

    /**
     * One page (schema {@code CertificatePage}).
     *
     * @param items  the certificates, without PEM
     * @param limit  the page size asked for
     * @param offset the number of certificates skipped
     * @param next   the next page's URL, or null when this is the last page
     */
    record PageView(List<CertificateView> items, int limit, int offset, String next) {
    }

    void handle(RoutingContext ctx, Caller caller) {
        QueryParams query = QueryParams.of(ctx, Set.copyOf(PARAMETERS));
        CertificateStatus status = query.string("status").map(SearchHandler::status).orElse(null);
        String san = query.string("san").orElse(null);
        Optional<SerialNumber> serial = query.string("serial").map(SearchHandler::serial);
        String profile = query.string("profile").orElse(null);
        String ca = query.string("ca").map(this::ca).orElse(null);
        Instant expiringBefore = query.instant("expiringBefore").orElse(null);
        int limit = (int) query.integer("limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        int offset = (int) query.integer("offset", 0, 0, MAX_OFFSET);
        Instant now = authority.now();
        List<CertificateRecord> found;
        boolean more;
        if (serial.isPresent()) {
            CertificateQuery filter = new CertificateQuery(ca, status, expiringBefore, san, profile, limit, offset);
            List<CertificateRecord> all = bySerial(serial.get(), filter, now);
            found = all.stream().skip(offset).limit(limit).toList();
            more = all.size() > offset + limit;
        } else {
            // One row more than the page tells whether a next page exists (the store caps a query at 1000 rows).
            int fetch = limit < MAX_LIMIT ? limit + 1 : limit;
            found = authority.search(new CertificateQuery(ca, status, expiringBefore, san, profile, fetch, offset));
            more = found.size() > limit || (limit == MAX_LIMIT && found.size() == MAX_LIMIT);
            if (found.size() > limit) {
                found = found.subList(0, limit);
            }
        }
        List<CertificateView> items = new ArrayList<>();
        found.forEach(r -> items.add(CertificateView.summary(r, now)));
        Replies.json(ctx, new PageView(items, limit, offset, more ? next(query, limit, offset + limit) : null));
    }

    /** The certificates with {@code serial} in every CA (or the one named) that pass the other filters. */
    private List<CertificateRecord> bySerial(SerialNumber serial, CertificateQuery filter, Instant now) {
        List<String> cas = filter.issuer() != null ? List.of(filter.issuer())
                : authority.cas().stream().map(CaRecord::name).toList();
        String san = filter.identifier() == null ? null : normalised(filter.identifier());
        List<CertificateRecord> out = new ArrayList<>();
        for (String name : cas) {
            authority.certificate(name, serial)
                    .filter(r -> filter.status() == null || r.status(now) == filter.status())
                    .filter(r -> filter.profile() == null || filter.profile().equals(r.profile()))
                    .filter(r -> filter.expiringBefore() == null || r.notAfter().isBefore(filter.expiringBefore()))
                    .filter(r -> san == null || r.identifiers().stream().anyMatch(i -> i.value().equals(san)))
                    .ifPresent(out::add);
        }
        return out;
    }

    /** A SAN as the store keeps it: canonical IP literals, DNS names lower-case without a trailing dot. */
    private static String normalised(String san) {
        return IdentifierSyntax.parseIpLiteral(san.trim()).map(IdentifierSyntax::canonicalIp)
                .orElseGet(() -> Identifier.dns(san.trim()).value());
    }

    private static CertificateStatus status(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "valid" -> CertificateStatus.VALID;
            case "revoked" -> CertificateStatus.REVOKED;
            case "expired" -> CertificateStatus.EXPIRED;
            default -> throw QueryParams.bad("status", "must be valid, revoked or expired");
        };
    }

    private static SerialNumber serial(String value) {
        try {
            return SerialNumber.parse(value);
        } catch (CaException e) {
            throw QueryParams.bad("serial", "must be a positive hexadecimal serial number of at most 20 octets");
        }
    }

    private String ca(String value) {
        try {
            return lookup.requireCa(value);
        } catch (CaException e) {
            throw QueryParams.bad("ca", "names no CA; CAs: " + String.join(", ",
                    authority.cas().stream().map(CaRecord::name).toList()));
        }
    }

    /** This query with another offset, as a path relative to the server. */
    private static String next(QueryParams query, int limit, int offset) {
        Map<String, String> params = new LinkedHashMap<>();
        for (String name : PARAMETERS) {
            query.string(name).ifPresent(v -> params.put(name, v));
        }
        params.put("limit", Integer.toString(limit));
        params.put("offset", Integer.toString(offset));
        StringBuilder url = new StringBuilder(AdminApiEndpoint.BASE + "/certificates");
        char sep = '?';
        for (Map.Entry<String, String> e : params.entrySet()) {
            url.append(sep).append(e.getKey()).append('=').append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
            sep = '&';
        }
        return url.toString();
    }
}
