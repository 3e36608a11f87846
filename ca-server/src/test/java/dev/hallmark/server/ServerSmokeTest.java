package dev.hallmark.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hallmark.server.testing.TestServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ServerSmokeTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.builder().endpoints().start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void healthReadinessAndMetrics() {
        HttpResponse<String> health = server.send(HttpRequest.newBuilder(server.management("/healthz")).build());
        assertThat(health.statusCode()).isEqualTo(200);
        HttpResponse<String> ready = server.send(HttpRequest.newBuilder(server.management("/readyz")).build());
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        HttpResponse<String> metrics = server.send(HttpRequest.newBuilder(server.management("/metrics")).build());
        assertThat(metrics.body()).contains("hallmark_jvm_memory_used_bytes").contains("hallmark_ledger_entries");
    }

    @Test
    void unknownPathIsAProblem() {
        HttpResponse<String> r = server.send(HttpRequest.newBuilder(server.https("/nothing")).build());
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(r.headers().firstValue("X-Request-Id")).isPresent();
        assertThat(r.body()).contains("urn:hallmark:problem:notFound");
    }
}
