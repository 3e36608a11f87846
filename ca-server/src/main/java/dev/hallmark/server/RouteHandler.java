package dev.hallmark.server;

import io.vertx.ext.web.RoutingContext;

/**
 * Answers one request. A handler of a {@linkplain Route#blocking() blocking} route runs on the server's named worker
 * pool and may use JDBC and the token; an event-loop handler must not block. Throwing ends the request with a
 * problem document ({@link Problems}): {@link dev.hallmark.authority.CaException} maps by its kind, anything else
 * is an internal error whose details only reach the log.
 */
@FunctionalInterface
public interface RouteHandler {
    void handle(RoutingContext ctx, Caller caller) throws Exception;
}
