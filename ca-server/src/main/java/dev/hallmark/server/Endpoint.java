package dev.hallmark.server;

import java.util.EnumSet;
import java.util.List;
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

    /** The endpoint's routes; called once, at start. */
    List<Route> routes(ServerContext context);

    /** Stops background work the endpoint started; called once at shutdown after the listeners drained. */
    default void close() {
    }
}
