package dev.hallmark.server;

import io.vertx.ext.web.RoutingContext;
import java.util.HexFormat;

/**
 * Request ids: taken from a well-formed {@code X-Request-Id} header (so a load balancer's id follows the request),
 * otherwise generated; echoed in the response header, in every problem document and in every log line.
 */
public final class RequestIds {
    /** The header carrying the id both ways. */
    public static final String HEADER = "X-Request-Id";
    /** The key under which the id is stored in the routing context and the logging MDC. */
    public static final String KEY = "requestId";
    private static final java.util.regex.Pattern OFFERED = java.util.regex.Pattern.compile("[A-Za-z0-9._\\-]+");

    private RequestIds() {
    }

    /** The request's id, assigning one if the request has none yet. */
    public static String of(RoutingContext ctx) {
        String id = ctx.get(KEY);
        if (id == null) {
            id = accept(ctx.request().getHeader(HEADER));
            ctx.put(KEY, id);
        }
        return id;
    }

    /** {@code offered} when it is 1–64 characters of {@code [A-Za-z0-9._-]}, otherwise a fresh id. */
    static String accept(String offered) {
        if (offered != null && offered.length() <= 64 && OFFERED.matcher(offered).matches()) {
            return offered;
        }
        // A correlation id, not a secret: a per-thread generator (no lock, no entropy pool) keeps it off the hot path.
        java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
        return HexFormat.of().formatHex(java.nio.ByteBuffer.allocate(12).putLong(r.nextLong()).putInt(r.nextInt()).array());
    }
}
