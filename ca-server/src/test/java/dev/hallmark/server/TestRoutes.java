package dev.hallmark.server;

import java.util.List;

/** A throw-away {@link Endpoint} serving the given routes, to exercise the server pipeline without a protocol. */
final class TestRoutes implements Endpoint {
    private final List<Route> routes;

    private TestRoutes(List<Route> routes) {
        this.routes = List.copyOf(routes);
    }

    static TestRoutes of(Route... routes) {
        return new TestRoutes(List.of(routes));
    }

    @Override
    public String name() {
        return "test";
    }

    @Override
    public List<Route> routes(ServerContext context) {
        return routes;
    }
}
