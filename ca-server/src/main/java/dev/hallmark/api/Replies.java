package dev.hallmark.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hallmark.authority.CaException;
import dev.hallmark.server.Problems;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;

/** Writing the API's answers: JSON views, raw certificate bytes, empty answers and problems with a retry hint. */
final class Replies {
    /** The media type of every JSON view. */
    static final String JSON = "application/json";
    private static final ObjectMapper WRITER = new ObjectMapper();

    private Replies() {
    }

    /** Answers {@code status} with {@code view} as JSON; API answers are never cached (they carry live status). */
    static void json(RoutingContext ctx, int status, Object view) {
        byte[] body;
        try {
            body = WRITER.writeValueAsBytes(view);
        } catch (JsonProcessingException e) {
            throw new CaException(CaException.Kind.INTERNAL, "a view cannot be written as JSON", e);
        }
        ctx.response().setStatusCode(status).putHeader("Content-Type", JSON).putHeader("Cache-Control", "no-store")
                .end(Buffer.buffer(body));
    }

    /** Answers 200 with {@code view} as JSON. */
    static void json(RoutingContext ctx, Object view) {
        json(ctx, 200, view);
    }

    /** Answers 200 with {@code body} of {@code mediaType}. */
    static void bytes(RoutingContext ctx, String mediaType, byte[] body, String cacheControl) {
        ctx.response().setStatusCode(200).putHeader("Content-Type", mediaType).putHeader("Cache-Control", cacheControl)
                .end(Buffer.buffer(body));
    }

    /** Answers 204. */
    static void noContent(RoutingContext ctx) {
        ctx.response().setStatusCode(204).putHeader("Cache-Control", "no-store").end();
    }

    /**
     * Answers a problem the authority has no kind for, with {@code Retry-After}: the state the client waits for
     * (a ledger checkpoint) arrives by itself.
     */
    static void retryLater(RoutingContext ctx, Problems.Problem problem, Duration after) {
        HttpServerResponse response = ctx.response();
        response.putHeader("Retry-After", Long.toString(Math.max(1, (after.toMillis() + 999) / 1000)));
        Problems.send(ctx, problem);
    }

    /** A JSON mapper for views that embed JSON stored as text (provenance). */
    static ObjectMapper mapper() {
        return WRITER;
    }
}
