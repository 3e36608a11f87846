package dev.hallmark.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hallmark.server.testing.TestServer;
import io.vertx.core.http.HttpMethod;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Closing drains (SPEC "Listeners"; the CLI closes on SIGTERM): readiness turns false, new connections are refused,
 * a request in flight finishes within {@code server.shutdownGrace} (2 s in tests), and close() never waits much
 * longer than the grace period. Bounds are generous and only guard against hangs.
 */
class GracefulShutdownTest {
    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);

    private TestRoutes routes() {
        return TestRoutes.of(
                Route.on(Listener.HTTP, HttpMethod.GET, "/slow").access(Access.open()).handler((ctx, caller) -> {
                    started.countDown();
                    Thread.sleep(1_000);
                    ctx.response().end("done");
                }),
                Route.on(Listener.HTTP, HttpMethod.GET, "/forever").access(Access.open()).handler((ctx, caller) -> {
                    started.countDown();
                    release.await(60, TimeUnit.SECONDS);
                    ctx.response().end("late");
                }),
                Route.on(Listener.HTTP, HttpMethod.GET, "/hello").access(Access.open()).eventLoop()
                        .handler((ctx, caller) -> ctx.response().end("hello")));
    }

    @Test
    void aRequestInFlightCompletesWhileNewConnectionsAreRefused() throws Exception {
        try (TestServer server = TestServer.builder().endpoints(routes()).start()) {
            int port = server.port(Listener.HTTP);
            HallmarkServer http = server.runtime.server();
            try (RawHttp inFlight = RawHttp.connect(port)) {
                inFlight.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n");
                assertThat(started.await(15, TimeUnit.SECONDS)).isTrue();

                CompletableFuture<Void> closing = CompletableFuture.runAsync(http::close);
                awaitDraining(http.health());
                assertThat(newConnectionIsRefused(port)).as("a connection opened after close() began").isTrue();

                RawHttp.Response r = inFlight.read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.body()).isEqualTo("done");
                closing.get(2 + 10, TimeUnit.SECONDS); // grace + margin, a bound against a hang
            }
            assertThat(http.health().check().ready()).isFalse();
        }
    }

    /**
     * Also guards the harness: a test's own {@code server:} settings merge with the base {@code shutdownGrace: 2s}
     * (were it replaced, the 20 s default grace would blow the bound).
     */
    @Test
    void aRequestOutlivingTheGracePeriodDoesNotHoldCloseBeyondIt() throws Exception {
        try (TestServer server = TestServer.builder().endpoints(routes()).yaml("server: {requestTimeout: 30s}").start()) {
            HallmarkServer http = server.runtime.server();
            try (RawHttp inFlight = RawHttp.connect(server.port(Listener.HTTP))) {
                inFlight.send("GET /forever HTTP/1.1\r\nHost: t\r\n\r\n");
                assertThat(started.await(15, TimeUnit.SECONDS)).isTrue();
                CompletableFuture<Void> closing = CompletableFuture.runAsync(http::close);
                // The handler waits for 60 s; close() must give up on it after the 2 s grace (+ its own margin).
                closing.get(2 + 10, TimeUnit.SECONDS);
                assertThat(inFlight.closedByServer()).as("the connection is cut when the grace period ends").isTrue();
            } finally {
                release.countDown();
            }
        }
    }

    private static void awaitDraining(Health health) throws InterruptedException {
        for (int i = 0; i < 150 && !health.check().checks().containsKey("server"); i++) {
            Thread.sleep(100);
        }
        assertThat(health.check().checks()).containsEntry("server", "shutting down");
    }

    /** Refused at connect, or accepted and closed without an answer. */
    private static boolean newConnectionIsRefused(int port) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(RawHttp.READ_TIMEOUT_MILLIS);
            s.getOutputStream().write("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            return s.getInputStream().read() < 0;
        } catch (ConnectException e) {
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true; // reset
        }
    }
}
