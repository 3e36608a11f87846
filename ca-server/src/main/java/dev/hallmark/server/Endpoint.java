package dev.hallmark.server;

import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A protocol endpoint (admin API, OCSP/CRL, ACME, EST, SCEP, kiosk). Implementations are discovered with
 * {@link java.util.ServiceLoader} ({@code META-INF/services/dev.hallmark.server.Endpoint}); they need a public
 * no-argument constructor and receive everything else through {@link #routes(ServerContext)}.
 *
 * <p>An endpoint translates wire messages into authority calls and back. It holds no SQL (its stores live
 * elsewhere) and never blocks an event loop outside {@linkplain Route#blocking() blocking} routes.
 */
public interface Endpoint {
    /** A short name for logs and metrics, e.g. {@code api}, {@code acme}. */
    String name();

    /** The node roles that serve this endpoint ({@code hallmark serve --role}). */
    default Set<ServerRole> roles() {
        return EnumSet.of(ServerRole.ALL, ServerRole.CA);
    }

    /** The endpoint's routes; called once, at start, through {@link #routes(ServerContext, List)}. */
    List<Route> routes(ServerContext context);

    /**
     * The endpoint's routes, knowing every endpoint this server runs; this is what the server calls, once, at start.
     * The default returns {@link #routes(ServerContext)}. Only an endpoint that describes the others overrides it:
     * the admin API merges their {@linkplain #openApiResource OpenAPI fragments} into the document it serves.
     *
     * @param active the endpoints this server runs for its role, this one included, in route-table order; read-only
     */
    default List<Route> routes(ServerContext context, List<Endpoint> active) {
        return routes(context);
    }

    /**
     * The OpenAPI fragment that documents this endpoint's admin API routes ({@code /api/v1/…} on the HTTPS
     * listener); the admin API merges it into {@code /api/v1/openapi.json} once, at start. The fragment is a JSON
     * object holding {@code paths} and, optionally, {@code components.schemas} and {@code tags}, written like the
     * admin API's own paths ({@code operationId} = {@link Route#operationId()}, {@code x-hallmark-roles},
     * {@code security}); it may refer to the document's shared components, e.g.
     * {@code #/components/responses/Unauthenticated}. A path, schema or tag that is already documented, or a
     * reference that does not resolve, fails the start.
     *
     * <p>Return a fragment exactly when {@link #routes(ServerContext)} returns the routes it documents (so empty when
     * configuration disables the endpoint): the contract test holds the document equal to the route table.
     *
     * @param context the context the routes are built from
     * @return the fragment's class-path resource name, resolved against this endpoint's class (absolute: starting
     *         with {@code /}); empty (the default) for an endpoint without admin API routes
     */
    default Optional<String> openApiResource(ServerContext context) {
        return Optional.empty();
    }

    /** Stops background work the endpoint started; called once at shutdown after the listeners drained. */
    default void close() {
    }
}
