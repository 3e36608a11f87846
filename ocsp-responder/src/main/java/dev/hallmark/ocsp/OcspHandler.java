package dev.hallmark.ocsp;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.bouncycastle.cert.ocsp.OCSPResp;

/**
 * The HTTP side of OCSP (RFC 6960 Appendix A, RFC 5019 section 5): {@code POST /ocsp} with an
 * {@code application/ocsp-request} body and {@code GET /ocsp/<url-encoded base64>}. Both answer 200 with an
 * {@code application/ocsp-response} in every case (errors included, T35): a wrong media type, an empty body, bad
 * base64 or %-encoding, or a GET longer than 255 characters are {@code malformedRequest}. Cached answers are sent
 * from the event loop; the rest go to a bounded signing pool ({@code tryLater} when it is full).
 */
final class OcspHandler {
    static final String REQUEST_TYPE = "application/ocsp-request";
    static final String RESPONSE_TYPE = "application/ocsp-response";
    /** RFC 5019 5: GET is for requests whose encoding is under 255 bytes. */
    static final int MAX_GET = 255;
    /** Shared HTTP caches hold a response at most this long, so a revocation reaches them soon (RFC 5019 6.2). */
    static final Duration MAX_AGE = Duration.ofHours(1);
    private static final byte[] MALFORMED = ResponseSigner.error(OCSPResp.MALFORMED_REQUEST);
    private static final byte[] TRY_LATER = ResponseSigner.error(OCSPResp.TRY_LATER);
    private static final byte[] INTERNAL_ERROR = ResponseSigner.error(OCSPResp.INTERNAL_ERROR);
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(OcspHandler.class);

    private final OcspResponder responder;
    private final ExecutorService signing;
    private final OcspMetrics metrics;
    private final Clock clock;

    OcspHandler(OcspResponder responder, ExecutorService signing, OcspMetrics metrics, Clock clock) {
        this.responder = responder;
        this.signing = signing;
        this.metrics = metrics;
        this.clock = clock;
    }

    void post(RoutingContext ctx) {
        String type = ctx.request().getHeader("Content-Type");
        String media = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!REQUEST_TYPE.equals(media)) {
            malformed(ctx, "Content-Type is not " + REQUEST_TYPE);
            return;
        }
        Buffer body = ctx.body().buffer();
        respond(ctx, body == null ? new byte[0] : body.getBytes(), false);
    }

    void get(RoutingContext ctx) {
        String path = ctx.request().path(); // raw: still %-encoded, '/' inside the base64 intact
        String prefix = OcspEndpoint.PATH + "/";
        String encoded = path.startsWith(prefix) ? path.substring(prefix.length()) : "";
        byte[] der;
        try {
            String b64 = percentDecode(encoded);
            if (b64.isEmpty() || b64.length() > MAX_GET) {
                malformed(ctx, "GET request of " + b64.length() + " characters; 1 to " + MAX_GET + " (RFC 5019 5), else POST");
                return;
            }
            der = Base64.getDecoder().decode(b64.replace('-', '+').replace('_', '/'));
        } catch (IllegalArgumentException e) {
            malformed(ctx, "not url-encoded base64: " + e.getMessage());
            return;
        }
        respond(ctx, der, true);
    }

    private void respond(RoutingContext ctx, byte[] der, boolean get) {
        OcspResponder.Outcome outcome = responder.lookup(der);
        if (outcome instanceof OcspResponder.Ready ready) {
            send(ctx, ready);
            return;
        }
        OcspQuery query = ((OcspResponder.Pending) outcome).query();
        Context context = Vertx.currentContext();
        try {
            signing.execute(() -> {
                OcspResponder.Ready ready;
                try {
                    ready = responder.answer(query);
                } catch (RuntimeException e) {
                    LOG.error("OCSP request failed unexpectedly", e);
                    metrics.response("internalError", "error");
                    ready = new OcspResponder.Ready(INTERNAL_ERROR, null, "internalError");
                }
                OcspResponder.Ready answer = ready;
                context.runOnContext(v -> send(ctx, answer));
            });
        } catch (RejectedExecutionException e) {
            metrics.response("tryLater", "error");
            send(ctx, new OcspResponder.Ready(TRY_LATER, null, "tryLater"));
        }
    }

    private void malformed(RoutingContext ctx, String why) {
        metrics.response("malformedRequest", "error");
        ctx.put("ocsp.problem", why);
        send(ctx, new OcspResponder.Ready(MALFORMED, null, "malformedRequest"));
    }

    private void send(RoutingContext ctx, OcspResponder.Ready ready) {
        HttpServerResponse r = ctx.response();
        if (r.ended() || r.closed()) {
            return;
        }
        r.putHeader("Content-Type", RESPONSE_TYPE);
        ResponseCache.Entry e = ready.cached();
        Instant now = clock.instant();
        if (e != null && e.servableAt(now)) {
            long maxAge = Math.max(0, Math.min(Duration.between(now, e.nextUpdate()).toSeconds(), MAX_AGE.toSeconds()));
            r.putHeader("Cache-Control", "max-age=" + maxAge + ", public, no-transform, must-revalidate");
            r.putHeader("Last-Modified", e.lastModified());
            r.putHeader("Expires", e.expires());
            r.putHeader("ETag", e.etag());
            String match = ctx.request().getHeader("If-None-Match");
            if (match != null && match.contains(e.etag())) {
                r.setStatusCode(304).end();
                return;
            }
        } else {
            r.putHeader("Cache-Control", "no-cache, no-store, must-revalidate");
        }
        r.setStatusCode(200).end(Buffer.buffer(ready.der()));
    }

    /** Strict %-decoding of a path segment: every '%' must start two hex digits. */
    static String percentDecode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '%') {
                out.append(c);
                continue;
            }
            if (i + 2 >= s.length()) {
                throw new IllegalArgumentException("truncated %-escape");
            }
            int hi = Character.digit(s.charAt(i + 1), 16);
            int lo = Character.digit(s.charAt(i + 2), 16);
            if (hi < 0 || lo < 0) {
                throw new IllegalArgumentException("bad %-escape " + s.substring(i, i + 3));
            }
            out.append((char) (hi << 4 | lo));
            i += 2;
        }
        return out.toString();
    }
}
