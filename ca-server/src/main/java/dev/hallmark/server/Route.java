package dev.hallmark.server;

import io.vertx.core.http.HttpMethod;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * One route of an {@link Endpoint}: where it lives, who may call it and what it accepts. The server applies, in
 * this order: the connection and header limits, the request deadline, the content type (415) and the declared body
 * length (413) — both before authentication, as they need no credential lookup — then authentication and
 * {@link Access} (401/403), and only then reads the body, refusing it past the limit (413).
 *
 * @param listener     the listener the route lives on
 * @param method       the HTTP method
 * @param path         a Vert.x path ({@code /api/v1/certificates/:serial}; a trailing {@code *} matches the rest)
 * @param access       who may call it
 * @param blocking     whether the handler runs on the worker pool (anything touching JDBC or the token)
 * @param maxBodyBytes the largest body accepted; 0 for a route that takes no body
 * @param consumes     the media types a body may have (lower case, without parameters); empty when no body
 * @param operationId  a stable name, used in metrics and matched against the OpenAPI document
 * @param handler      the handler
 * @param anyPathBytes an open route ending in {@code /*} that also gets requests whose path Vert.x cannot decode (a
 *                     bad %-escape), so its protocol answers them itself (OCSP GET: {@code malformedRequest}, T35)
 *                     instead of the server's 400; the handler must read {@code request().path()} raw
 */
public record Route(Listener listener, HttpMethod method, String path, Access access, boolean blocking,
                    int maxBodyBytes, Set<String> consumes, String operationId, RouteHandler handler, boolean anyPathBytes) {
    /**
     * Declares a body route that checks the media type itself and answers in its own protocol (OCSP answers a
     * wrong Content-Type with {@code malformedRequest}, RELIABILITY T35), instead of the server's 415.
     */
    public static final String ANY_MEDIA_TYPE = "*/*";

    public Route {
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(access, "access");
        Objects.requireNonNull(operationId, "operationId");
        Objects.requireNonNull(handler, "handler");
        consumes = Set.copyOf(consumes);
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("route path must start with '/': " + path);
        }
        if (anyPathBytes && (!path.endsWith("/*") || !access.isOpen() || blocking)) {
            throw new IllegalArgumentException(operationId + ": only an open event-loop route ending in /* takes undecodable paths");
        }
        if (maxBodyBytes < 0 || (maxBodyBytes > 0) == consumes.isEmpty()) {
            throw new IllegalArgumentException(operationId + ": a route with a body names its media types, and only then");
        }
    }

    /** The path in OpenAPI form: {@code /api/v1/certificates/{serial}}. */
    public String openApiPath() {
        return path.replaceAll(":([A-Za-z0-9_]+)", "{$1}");
    }

    /** Starts a route; {@link Builder#build()} refuses one without an {@link Access} decision. */
    public static Builder on(Listener listener, HttpMethod method, String path) {
        return new Builder(listener, method, path);
    }

    /** Builds a {@link Route}. */
    public static final class Builder {
        private final Listener listener;
        private final HttpMethod method;
        private final String path;
        private Access access;
        private boolean blocking = true;
        private int maxBodyBytes;
        private Set<String> consumes = Set.of();
        private String operationId;
        private boolean anyPathBytes;

        private Builder(Listener listener, HttpMethod method, String path) {
            this.listener = listener;
            this.method = method;
            this.path = path;
        }

        public Builder access(Access a) {
            this.access = a;
            return this;
        }

        /** The handler does not block and runs on the event loop. */
        public Builder eventLoop() {
            this.blocking = false;
            return this;
        }

        /** Accepts a body of at most {@code maxBytes} of one of {@code mediaTypes}. */
        public Builder body(int maxBytes, String... mediaTypes) {
            if (maxBytes <= 0 || mediaTypes.length == 0) {
                throw new IllegalArgumentException("a body needs a positive limit and at least one media type");
            }
            this.maxBodyBytes = maxBytes;
            this.consumes = Set.copyOf(List.of(mediaTypes).stream().map(t -> t.toLowerCase(Locale.ROOT)).toList());
            return this;
        }

        /** See {@link Route#anyPathBytes()}. */
        public Builder anyPathBytes() {
            this.anyPathBytes = true;
            return this;
        }

        public Builder operationId(String id) {
            this.operationId = id;
            return this;
        }

        /**
         * @throws IllegalStateException when no {@link Access} was declared: authorisation fails closed
         */
        public Route handler(RouteHandler handler) {
            if (access == null) {
                throw new IllegalStateException(method + " " + path + " declares no access: every route must say who may call it");
            }
            String id = operationId != null ? operationId
                    : method.name().toLowerCase(Locale.ROOT) + path.replaceAll("[^A-Za-z0-9]+", "_");
            return new Route(listener, method, path, access, blocking, maxBodyBytes, consumes, id, handler, anyPathBytes);
        }
    }
}
