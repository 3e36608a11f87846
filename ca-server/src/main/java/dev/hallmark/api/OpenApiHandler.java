package dev.hallmark.api;

import dev.hallmark.server.Caller;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code GET /api/v1/openapi.json}: the hand-written OpenAPI document (resource {@value #RESOURCE}), the contract
 * of this API. Open: it describes the API, it grants nothing. Loaded once; served from memory on the event loop.
 */
final class OpenApiHandler {
    /** Where the document lives on the class path. */
    static final String RESOURCE = "/dev/hallmark/api/openapi.json";

    private final Buffer document;

    OpenApiHandler() {
        this.document = Buffer.buffer(load());
    }

    /** The document's bytes. */
    static byte[] load() {
        try (InputStream in = OpenApiHandler.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    void handle(RoutingContext ctx, Caller caller) {
        ctx.response().putHeader("Content-Type", Replies.JSON).putHeader("Cache-Control", "public, max-age=300")
                .end(document);
    }
}
