package dev.hallmark.server;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** The management listener: liveness, readiness and Prometheus metrics. Not discovered: the server always adds it. */
final class ManagementEndpoint implements Endpoint {
    private final Health health;

    ManagementEndpoint(Health health) {
        this.health = health;
    }

    @Override
    public String name() {
        return "management";
    }

    @Override
    public List<Route> routes(ServerContext context) {
        return List.of(
                Route.on(Listener.MANAGEMENT, HttpMethod.GET, "/healthz").access(Access.open()).eventLoop()
                        .operationId("healthz")
                        .handler((ctx, caller) -> ctx.response().putHeader("Content-Type", "application/json")
                                .putHeader("Cache-Control", "no-store").end("{\"status\":\"alive\"}")),
                Route.on(Listener.MANAGEMENT, HttpMethod.GET, "/readyz").access(Access.open()).operationId("readyz")
                        .handler((ctx, caller) -> {
                            Health.Readiness r = health.check();
                            JsonObject body = new JsonObject().put("ready", r.ready());
                            JsonObject checks = new JsonObject();
                            r.checks().forEach(checks::put);
                            body.put("checks", checks);
                            ctx.response().setStatusCode(r.ready() ? 200 : 503)
                                    .putHeader("Content-Type", "application/json")
                                    .putHeader("Cache-Control", "no-store").end(body.encode());
                        }),
                Route.on(Listener.MANAGEMENT, HttpMethod.GET, "/metrics").access(Access.open()).operationId("metrics")
                        .handler((ctx, caller) -> {
                            if (!(context.metrics() instanceof PrometheusMeterRegistry prometheus)) {
                                throw new IllegalStateException("the metrics registry is not a Prometheus registry");
                            }
                            ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                                    .end(prometheus.scrape());
                        }));
    }
}
