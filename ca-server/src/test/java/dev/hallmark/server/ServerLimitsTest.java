package dev.hallmark.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.hallmark.admin.AdminRole;
import dev.hallmark.authority.CaException;
import dev.hallmark.server.testing.TestServer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/**
 * The limits every route gets before its handler (SPEC "Listeners", RELIABILITY I11, T65): request line and header
 * size, media type, declared and actual body length, slow headers and bodies, the request deadline, the connection
 * cap, and problem documents that carry the request id and nothing internal. Raw sockets where a polite client
 * cannot misbehave; every wait is bounded and nothing asserts a duration.
 */
class ServerLimitsTest {
    private static final int BODY_LIMIT = 64;
    private static final AtomicInteger HANDLED = new AtomicInteger();
    private static TestServer server;

    private static Route.Builder on(HttpMethod method, String path) {
        return Route.on(Listener.HTTP, method, path).access(Access.open());
    }

    static TestRoutes routes() {
        return TestRoutes.of(
                on(HttpMethod.GET, "/hello").eventLoop().handler((ctx, caller) -> ctx.response().end("hello")),
                on(HttpMethod.GET, "/files/*").eventLoop().handler((ctx, caller) -> ctx.response().end("file")),
                on(HttpMethod.PUT, "/files/:name").eventLoop().handler((ctx, caller) -> ctx.response().end("put")),
                on(HttpMethod.POST, "/echo").body(BODY_LIMIT, "application/json").handler((ctx, caller) -> {
                    HANDLED.incrementAndGet();
                    ctx.response().end("got " + ctx.body().length());
                }),
                on(HttpMethod.POST, "/upload").body(1024, "application/octet-stream").handler((ctx, caller) -> {
                    HANDLED.incrementAndGet();
                    ctx.response().end("got " + ctx.body().length());
                }),
                Route.on(Listener.HTTP, HttpMethod.POST, "/protected").access(Access.roles(AdminRole.ADMIN))
                        .body(BODY_LIMIT, "application/json").handler((ctx, caller) -> {
                            HANDLED.incrementAndGet();
                            ctx.response().end(caller.name() + " got " + ctx.body().length());
                        }),
                on(HttpMethod.GET, "/stuck").handler((ctx, caller) -> {
                    Thread.sleep(4_000); // past the 2 s request deadline
                    ctx.response().end("too late");
                }),
                on(HttpMethod.GET, "/malformed").eventLoop().handler((ctx, caller) -> {
                    throw new CaException(CaException.Kind.MALFORMED, "the widget is not a widget");
                }),
                on(HttpMethod.GET, "/boom").eventLoop().handler((ctx, caller) -> {
                    throw new IllegalStateException("secret-internal-detail at db row 42");
                }),
                on(HttpMethod.GET, "/boom-blocking").handler((ctx, caller) -> {
                    throw new IllegalStateException("secret-internal-detail in a worker");
                }),
                on(HttpMethod.GET, "/silent").handler((ctx, caller) -> {
                    // returns without answering: a handler bug the server must not turn into a hung request
                }));
    }

    @BeforeAll
    static void start() {
        server = TestServer.builder().endpoints(routes())
                .yaml("server: {requestTimeout: 2s, headerTimeout: 1s, idleTimeout: 60s, maxRequestLineBytes: 256,"
                        + " maxHeaderBytes: 1024}")
                .start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static int port() {
        return server.port(Listener.HTTP);
    }

    private static RawHttp.Response hello() {
        try (RawHttp c = RawHttp.connect(port())) {
            return c.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n").read();
        }
    }

    /** A problem document whose requestId is the X-Request-Id header; returns it parsed. */
    private static JsonObject problem(RawHttp.Response r, int status) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.header("Content-Type")).isEqualTo(Problems.MEDIA_TYPE);
        JsonObject p = new JsonObject(r.body());
        assertThat(p.getInteger("status")).isEqualTo(status);
        assertThat(p.getString("type")).startsWith(Problems.TYPE_PREFIX);
        assertThat(p.getString("requestId")).isNotBlank().isEqualTo(r.header("X-Request-Id"));
        return p;
    }

    private static JsonObject problem(HttpResponse<String> r, int status) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValue(Problems.MEDIA_TYPE);
        JsonObject p = new JsonObject(r.body());
        assertThat(p.getInteger("status")).isEqualTo(status);
        assertThat(p.getString("requestId")).isNotBlank().isEqualTo(r.headers().firstValue("X-Request-Id").orElseThrow());
        return p;
    }

    @Test
    void anOverlongRequestLineGets414AndTheServerGoesOnServing() {
        try (RawHttp c = RawHttp.connect(port())) {
            RawHttp.Response r = c.send("GET /hello?" + "a".repeat(1_000) + " HTTP/1.1\r\nHost: t\r\n\r\n").read();
            // The codec answers before it knows the request's version, so the status line says HTTP/1.0.
            assertThat(r.statusLine()).matches("HTTP/1\\.[01] 414 .*");
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(hello().body()).isEqualTo("hello");
    }

    @Test
    void overlargeHeadersGet431AndTheServerGoesOnServing() {
        try (RawHttp c = RawHttp.connect(port())) {
            RawHttp.Response r = c.send("GET /hello HTTP/1.1\r\nHost: t\r\nX-Big: " + "b".repeat(4_000) + "\r\n\r\n").read();
            assertThat(r.statusLine()).matches("HTTP/1\\.[01] 431 .*");
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(hello().body()).isEqualTo("hello");
    }

    /**
     * Media type (415) and declared length (413) are checked before authentication: they need no credential
     * lookup, and no byte of the body is read. Only a request that passes both meets the 401.
     */
    @Test
    void declaredLengthOverTheLimitIs413BeforeAuthenticationAndNothingIsRead() {
        int before = HANDLED.get();
        String head = "POST /protected HTTP/1.1\r\nHost: t\r\nContent-Length: 10000000\r\n";
        try (RawHttp c = RawHttp.connect(port())) {
            // Headers only: the answer must come without the server waiting for (or reading) the 10 MB.
            JsonObject p = problem(c.send(head + "Content-Type: application/json\r\n\r\n").read(), 413);
            assertThat(p.getString("type")).isEqualTo(Problems.TYPE_PREFIX + "payloadTooLarge");
            assertThat(c.closedByServer()).as("the unread body must not be parsed as a next request").isTrue();
        }
        try (RawHttp c = RawHttp.connect(port())) {
            problem(c.send(head + "Content-Type: text/plain\r\n\r\n").read(), 415);
            assertThat(c.closedByServer()).isTrue();
        }
        try (RawHttp c = RawHttp.connect(port())) {
            problem(c.send(head + "Content-Type: application/json\r\nAuthorization: Bearer " + server.adminToken
                    + "\r\n\r\n").read(), 413);
        }
        try (RawHttp c = RawHttp.connect(port())) {
            RawHttp.Response r = c.send("POST /protected HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 2\r\n\r\n{}").read();
            problem(r, 401);
            assertThat(r.header("WWW-Authenticate")).startsWith("Bearer");
        }
        try (RawHttp c = RawHttp.connect(port())) {
            RawHttp.Response r = c.send("POST /protected HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                    + "Authorization: Bearer " + server.adminToken + "\r\nContent-Length: 2\r\n\r\n{}").read();
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("test-admin got 2");
        }
        assertThat(HANDLED.get()).isEqualTo(before + 1);
    }

    @Test
    void aChunkedBodyOverTheLimitIs413() {
        int before = HANDLED.get();
        try (RawHttp c = RawHttp.connect(port())) {
            c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
            String chunk = "x".repeat(40);
            c.send("28\r\n" + chunk + "\r\n").send("28\r\n" + chunk + "\r\n"); // 80 > 64; the last chunk never comes
            JsonObject p = problem(c.read(), 413);
            assertThat(p.getString("type")).isEqualTo(Problems.TYPE_PREFIX + "payloadTooLarge");
            assertThat(c.closedByServer()).isTrue();
        }
        try (RawHttp c = RawHttp.connect(port())) {
            RawHttp.Response r = c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n").read();
            assertThat(r.body()).isEqualTo("got 2");
        }
        assertThat(HANDLED.get()).isEqualTo(before + 1);
    }

    @ParameterizedTest(name = "Content-Type: [{0}]")
    @ValueSource(strings = {"text/plain", "application/xml", "application/json-seq", "not a type", ""})
    void aWrongOrMissingContentTypeIs415(String type) {
        int before = HANDLED.get();
        String header = type.isEmpty() ? "" : "Content-Type: " + type + "\r\n";
        try (RawHttp c = RawHttp.connect(port())) {
            JsonObject p = problem(c.send("POST /echo HTTP/1.1\r\nHost: t\r\n" + header + "Content-Length: 2\r\n\r\n{}")
                    .read(), 415);
            assertThat(p.getString("type")).isEqualTo(Problems.TYPE_PREFIX + "unsupportedMediaType");
        }
        assertThat(HANDLED.get()).isEqualTo(before);
    }

    @Test
    void mediaTypeParametersAndCaseAreAccepted() {
        try (RawHttp c = RawHttp.connect(port())) {
            RawHttp.Response r = c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Type: Application/JSON; charset=utf-8\r\n"
                    + "Content-Length: 2\r\n\r\n{}").read();
            assertThat(r.body()).isEqualTo("got 2");
        }
    }

    @Test
    void aWrongMethodIs405AndAnUnknownPathIs404() {
        HttpResponse<String> r405 = server.send(HttpRequest.newBuilder(server.http("/hello")).DELETE().build());
        JsonObject p405 = problem(r405, 405);
        assertThat(p405.getString("type")).isEqualTo(Problems.TYPE_PREFIX + "methodNotAllowed");
        // RFC 9110 15.5.6: a 405 names the methods the resource supports.
        assertThat(r405.headers().firstValue("Allow")).hasValue("GET, HEAD");
        HttpResponse<String> post405 = server.send(HttpRequest.newBuilder(server.http("/echo")).GET().build());
        problem(post405, 405);
        assertThat(post405.headers().firstValue("Allow")).hasValue("POST");
        for (String path : List.of("/files", "/files/a/b")) {
            HttpResponse<String> r = server.send(HttpRequest.newBuilder(server.http(path)).DELETE().build());
            problem(r, 405);
            assertThat(r.headers().firstValue("Allow")).as(path).hasValue("GET, HEAD");
        }
        HttpResponse<String> both = server.send(HttpRequest.newBuilder(server.http("/files/a")).DELETE().build());
        assertThat(both.headers().firstValue("Allow")).hasValue("GET, HEAD, PUT");
        JsonObject p404 = problem(server.send(HttpRequest.newBuilder(server.http("/nothing/here")).build()), 404);
        assertThat(p404.getString("type")).isEqualTo(Problems.TYPE_PREFIX + "notFound");
        assertThat(p404.getString("instance")).isEqualTo("/nothing/here");
    }

    @ParameterizedTest(name = "{0} ~ {1}: {2}")
    @org.junit.jupiter.params.provider.CsvSource({
        "/hello, /hello, true",
        "/hello, /hello/x, false",
        "/api/v1/certificates/:serial, /api/v1/certificates/0a1b, true",
        "/api/v1/certificates/:serial, /api/v1/certificates/0a1b/revoke, false",
        "/api/v1/certificates/:serial/revoke, /api/v1/certificates/0a1b/revoke, true",
        "/kiosk/*, /kiosk/app.js, true",
        "/kiosk/*, /kiosk/, true",
        "/ocsp/*, /ocsp, true",
        "/ocsp/*, /ocspx, false",
        "/a.b, /aXb, false",
    })
    void pathPatternsMatchAsVertxRoutesDo(String route, String path, boolean matches) {
        assertThat(HallmarkServer.pathPattern(route).matcher(path).matches()).isEqualTo(matches);
    }

    /** Unmatched requests are still counted under the listener that answered them (scans show up per listener). */
    @Test
    void unmatchedRequestsAreMeteredUnderTheirListener() {
        server.send(HttpRequest.newBuilder(server.http("/scanner/probe")).build());
        assertThat(server.registry.find("hallmark.http.server.requests").tag("listener", "http").tag("route", "unmatched")
                .tag("status", "404").timer()).isNotNull();
    }

    /**
     * With {@code Expect: 100-continue} a client learns of a refusal before it uploads: the 401 comes instead of the
     * interim 100, which only an authenticated caller gets.
     */
    @Test
    void expectContinueIsAnsweredOnlyAfterAuthentication() {
        String head = "POST /protected HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
                + "Expect: 100-continue\r\n";
        try (RawHttp c = RawHttp.connect(port())) {
            problem(c.send(head + "\r\n").read(), 401);
        }
        try (RawHttp c = RawHttp.connect(port())) {
            RawHttp.Response interim = c.send(head + "Authorization: Bearer " + server.adminToken + "\r\n\r\n").read();
            assertThat(interim.status()).isEqualTo(100);
            RawHttp.Response r = c.send("{}").read();
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("test-admin got 2");
        }
    }

    @Test
    void aWellFormedRequestIdIsEchoed() {
        try (RawHttp c = RawHttp.connect(port())) {
            RawHttp.Response r = c.send("GET /nothing HTTP/1.1\r\nHost: t\r\nX-Request-Id: lb-7f3a.9_Z\r\n\r\n").read();
            assertThat(problem(r, 404).getString("requestId")).isEqualTo("lb-7f3a.9_Z");
            r = c.send("GET /hello HTTP/1.1\r\nHost: t\r\nX-Request-Id: " + "a".repeat(64) + "\r\n\r\n").read();
            assertThat(r.header("X-Request-Id")).isEqualTo("a".repeat(64));
        }
    }

    @ParameterizedTest(name = "X-Request-Id: [{0}]")
    @ValueSource(strings = {"with space", "semi;colon", "quote\"d", "<script>", "tab\there", "ünïcode"})
    void aMalformedRequestIdIsReplaced(String offered) {
        try (RawHttp c = RawHttp.connect(port())) {
            RawHttp.Response r = c.send("GET /nothing HTTP/1.1\r\nHost: t\r\nX-Request-Id: " + offered + "\r\n\r\n").read();
            String id = problem(r, 404).getString("requestId");
            assertThat(id).isNotEqualTo(offered).matches("[0-9a-f]{24}");
            assertThat(r.body()).doesNotContain(offered);
        }
    }

    @Test
    void anOverlongRequestIdIsReplaced() {
        try (RawHttp c = RawHttp.connect(port())) {
            RawHttp.Response r = c.send("GET /nothing HTTP/1.1\r\nHost: t\r\nX-Request-Id: " + "a".repeat(65) + "\r\n\r\n").read();
            assertThat(problem(r, 404).getString("requestId")).matches("[0-9a-f]{24}");
        }
    }

    @Test
    void aSlowHeaderClientIsDisconnectedWhileOthersAreServed() {
        try (RawHttp slow = RawHttp.connect(port())) {
            slow.send("GET /hel"); // half a request line, then nothing
            for (int i = 0; i < 3; i++) {
                assertThat(hello().body()).isEqualTo("hello");
            }
            assertThat(slow.closedByServer()).as("closed after the 1 s header timeout (bounded wait: 15 s)").isTrue();
        }
    }

    @Test
    void aSlowBodyGets408AndTheConnectionIsClosed() {
        int before = HANDLED.get();
        try (RawHttp c = RawHttp.connect(port())) {
            c.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Type: application/octet-stream\r\nContent-Length: 100\r\n\r\n")
                    .send("0123456789");
            JsonObject p = problem(c.read(), 408);
            assertThat(p.getString("type")).isEqualTo(Problems.TYPE_PREFIX + "requestTimeout");
            assertThat(c.closedByServer()).as("closed at once, not after the 60 s idle timeout").isTrue();
        }
        assertThat(HANDLED.get()).isEqualTo(before);
    }

    /**
     * Work that has started is never answered 503 (the client would retry an issuance that then commits twice): the
     * client gets the real answer when the work ends, even past the deadline.
     */
    @Test
    void aBlockingHandlerPastTheDeadlineStillGivesItsOwnAnswer() {
        try (RawHttp c = RawHttp.connect(port())) {
            RawHttp.Response r = c.send("GET /stuck HTTP/1.1\r\nHost: t\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("too late");
        }
        assertThat(hello().body()).isEqualTo("hello");
    }

    @Test
    void aCaExceptionFromAnEventLoopHandlerIsMappedByItsKind() {
        try (RawHttp c = RawHttp.connect(port())) {
            JsonObject p = problem(c.send("GET /malformed HTTP/1.1\r\nHost: t\r\n\r\n").read(), 400);
            assertThat(p.getString("type")).isEqualTo(Problems.TYPE_PREFIX + "malformed");
            assertThat(p.getString("detail")).isEqualTo("the widget is not a widget");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/boom", "/boom-blocking"})
    void anInternalFailureIs500WithOnlyTheRequestId(String path) {
        ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(Problems.class);
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        log.addAppender(captured);
        try (RawHttp c = RawHttp.connect(port())) {
            RawHttp.Response r = c.send("GET " + path + " HTTP/1.1\r\nHost: t\r\n\r\n").read();
            JsonObject p = problem(r, 500);
            String id = p.getString("requestId");
            assertThat(p.getString("type")).isEqualTo(Problems.TYPE_PREFIX + "internal");
            assertThat(p.getString("detail")).contains(id);
            assertThat(r.body()).doesNotContain("secret-internal-detail", "IllegalStateException", "Exception", "\tat ",
                    "dev.hallmark");
            List<ILoggingEvent> events = new ArrayList<>(captured.list);
            assertThat(events).anySatisfy(e -> {
                assertThat(e.getFormattedMessage()).contains(id);
                assertThat(e.getThrowableProxy()).isNotNull();
                assertThat(e.getThrowableProxy().getMessage()).contains("secret-internal-detail");
            });
        } finally {
            log.detachAppender(captured);
        }
    }

    @Test
    void aBlockingHandlerThatDoesNotAnswerGets500() {
        try (RawHttp c = RawHttp.connect(port())) {
            JsonObject p = problem(c.send("GET /silent HTTP/1.1\r\nHost: t\r\n\r\n").read(), 500);
            assertThat(p.getString("type")).isEqualTo(Problems.TYPE_PREFIX + "internal");
        }
    }

    /** The HTTP/1.1 codec enforces the request-line and header limits; HTTP/2 in clear text would bypass them. */
    @Test
    void thePlainListenerDoesNotSpeakClearTextHttp2() {
        try (RawHttp c = RawHttp.connect(port())) {
            c.send("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
            byte[] first = new byte[9];
            int n;
            try {
                n = c.socket().getInputStream().readNBytes(first, 0, first.length);
            } catch (java.io.IOException e) {
                n = -1; // reset: not HTTP/2 either
            }
            boolean settingsFrame = n == 9 && first[3] == 0x4; // frame type SETTINGS
            assertThat(settingsFrame).as("answered the h2c preface with an HTTP/2 SETTINGS frame").isFalse();
        }
    }

    @Test
    void theConnectionCapClosesTheNextConnectionAndFreesASlotWhenOneCloses() throws Exception {
        try (TestServer capped = TestServer.builder().endpoints(routes())
                .yaml("server: {maxConnections: 4, headerTimeout: 60s, idleTimeout: 60s}").start()) {
            int port = capped.port(Listener.HTTP);
            List<RawHttp> idle = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    RawHttp c = RawHttp.connect(port);
                    idle.add(c);
                    // One exchange proves the server counts the connection; it then stays open and idle.
                    assertThat(c.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n").read().body()).isEqualTo("hello");
                }
                try (RawHttp fifth = RawHttp.connect(port)) {
                    assertThat(fifth.closedByServer()).as("over the cap: closed at once").isTrue();
                }
                idle.remove(0).close();
                assertThat(eventuallyServed(port)).as("a slot is free again after a connection closed").isTrue();
                for (RawHttp c : idle) {
                    assertThat(c.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n").read().body()).isEqualTo("hello");
                }
            } finally {
                idle.forEach(RawHttp::close);
            }
            assertThat(capped.registry.find("hallmark.http.server.connections.refused").tag("listener", "http")
                    .counter().count()).isGreaterThanOrEqualTo(1);
        }
    }

    /** The server notices a closed connection asynchronously: retry, bounded. */
    private static boolean eventuallyServed(int port) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            try (RawHttp c = RawHttp.connect(port)) {
                try {
                    if (c.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n").read().status() == 200) {
                        return true;
                    }
                } catch (RuntimeException closed) {
                    // refused over the cap: try again
                }
            }
            Thread.sleep(100);
        }
        return false;
    }

    @Test
    void aPoliteClientIsServedOverHttpClientToo() {
        HttpResponse<String> r = server.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + "/echo"))
                .timeout(Duration.ofSeconds(15)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"a\":1}")).build());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("got 7");
        assertThat(r.headers().firstValue("X-Request-Id")).isPresent();
    }
}
