package dev.hallmark.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hallmark.admin.AdminCredentials;
import dev.hallmark.admin.AdminRole;
import dev.hallmark.server.testing.TestServer;
import io.vertx.core.http.HttpMethod;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Defects a review of the server base found, each pinned. */
class ReviewFindingsTest {
    static TestServer server;
    static final CountDownLatch RELEASE = new CountDownLatch(1);

    @BeforeAll
    static void start() {
        server = TestServer.builder().endpoints(TestRoutes.of(
                        Route.on(Listener.HTTP, HttpMethod.GET, "/hello").access(Access.open()).eventLoop()
                                .handler((ctx, caller) -> ctx.response().end("hello")),
                        Route.on(Listener.HTTP, HttpMethod.GET, "/hold").access(Access.open())
                                .handler((ctx, caller) -> {
                                    RELEASE.await(10, TimeUnit.SECONDS);
                                    ctx.response().end("held");
                                }),
                        Route.on(Listener.HTTP, HttpMethod.POST, "/admin").access(Access.roles(AdminRole.ADMIN))
                                .body(1024, "application/json").handler((ctx, caller) -> ctx.response().end("done")),
                        Route.on(Listener.HTTPS, HttpMethod.GET, "/whoami").access(Access.open())
                                .handler((ctx, caller) -> ctx.response().end("anyone")),
                        Route.on(Listener.HTTPS, HttpMethod.GET, "/admin-only").access(Access.roles(AdminRole.ADMIN))
                                .handler((ctx, caller) -> ctx.response().end(caller.name()))))
                .yaml("server: {requestTimeout: 2s, workerThreads: 1}")
                .start();
    }

    @AfterAll
    static void stop() {
        RELEASE.countDown();
        server.close();
    }

    private static int http() {
        return server.port(Listener.HTTP);
    }

    @Test
    void unknownMethodsShareOneMetricLabel() {
        for (int i = 0; i < 5; i++) {
            try (RawHttp c = RawHttp.connect(http())) {
                assertThat(c.send("QZ" + i + "Z /x HTTP/1.1\r\nHost: t\r\n\r\n").read().status()).isBetween(400, 501);
            }
        }
        String scrape = server.send(HttpRequest.newBuilder(server.management("/metrics")).build()).body();
        assertThat(scrape).doesNotContain("QZ0Z").contains("method=\"other\"");
    }

    @Test
    void aTokenRevokedWhileItsBodyArrivesIsRefusedAtExecution() {
        AdminCredentials credentials = new AdminCredentials(server.pki.database, server.pki.ledger);
        AdminCredentials.Created c = credentials.create("short-lived", AdminRole.ADMIN, "test", server.pki.clock.instant());
        try (RawHttp conn = RawHttp.connect(http())) {
            conn.send("POST /admin HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " + c.token()
                    + "\r\nContent-Type: application/json\r\nContent-Length: 20\r\n\r\n{\"a\": ");
            sleep(300); // the head passed authentication; the body is still arriving
            credentials.revoke(c.id(), "test", server.pki.clock.instant());
            RawHttp.Response r = conn.send("\"bbbbbbbbbbbb\"}").read();
            assertThat(r.status()).as(r.body()).isEqualTo(401);
            assertThat(r.header("WWW-Authenticate")).contains("invalid_token");
        }
    }

    @Test
    void workQueuedPastTheDeadlineIsRefusedWithoutRunning() throws Exception {
        // The single worker is held; the second request waits in the queue past the 2 s deadline.
        try (RawHttp holder = RawHttp.connect(http()); RawHttp queued = RawHttp.connect(http())) {
            holder.send("GET /hold HTTP/1.1\r\nHost: t\r\n\r\n");
            sleep(200);
            queued.send("GET /hold HTTP/1.1\r\nHost: t\r\n\r\n");
            RawHttp.Response r = queued.read();
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.body()).contains("nothing was done");
            RELEASE.countDown();
            assertThat(holder.read().body()).isEqualTo("held");
        }
    }

    @Test
    void headIsAnsweredWhereverGetIs() {
        try (RawHttp c = RawHttp.connect(http())) {
            c.send("HEAD /hello HTTP/1.1\r\nHost: t\r\n\r\n");
            RawHttp.Response r = c.readHead();
            assertThat(r.status()).isEqualTo(200);
        }
        try (RawHttp c = RawHttp.connect(http())) {
            RawHttp.Response r = c.send("DELETE /hello HTTP/1.1\r\nHost: t\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(405);
            assertThat(r.header("Allow")).contains("GET").contains("HEAD");
        }
    }

    @Test
    void aBodyOnARouteThatTakesNoneIsRefusedAndTheConnectionClosed() {
        try (RawHttp c = RawHttp.connect(http())) {
            RawHttp.Response r = c.send("GET /hello HTTP/1.1\r\nHost: t\r\nContent-Length: 100000000\r\n\r\nxx").read();
            assertThat(r.status()).isEqualTo(413);
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void aForeignClientCertificateDoesNotBreakTheHandshake() throws Exception {
        KeyPair key = Tls.newKeyPair();
        X509Certificate selfSigned = Tls.selfSigned(key, "CN=someone else's device");
        SSLContext ssl = server.trustingRoot(server.pki.clock.instant(),
                Tls.keyManagers(key, List.of(selfSigned.getEncoded())));
        java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().sslContext(ssl).build();
        HttpResponse<String> open = client.send(HttpRequest.newBuilder(server.https("/whoami")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(open.statusCode()).isEqualTo(200);
        HttpResponse<String> admin = client.send(HttpRequest.newBuilder(server.https("/admin-only")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(admin.statusCode()).isEqualTo(401);
    }

    @Test
    void theServedChainLeavesTheRootOutAndTls12OffersOnlyAeadSuites() throws Exception {
        try (SSLSocket s = Tls.connect(server.trustingRoot(), server.port(Listener.HTTPS), "TLSv1.3")) {
            java.security.cert.Certificate[] chain = s.getSession().getPeerCertificates();
            assertThat(chain).hasSize(2);
            for (java.security.cert.Certificate c : chain) {
                X509Certificate x = (X509Certificate) c;
                assertThat(x.getSubjectX500Principal()).isNotEqualTo(x.getIssuerX500Principal());
            }
        }
        SSLSocket cbc = (SSLSocket) server.trustingRoot().getSocketFactory().createSocket("localhost", server.port(Listener.HTTPS));
        cbc.setEnabledProtocols(new String[] {"TLSv1.2"});
        cbc.setEnabledCipherSuites(new String[] {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"});
        try (cbc) {
            org.assertj.core.api.Assertions.assertThatThrownBy(cbc::startHandshake).isInstanceOf(SSLHandshakeException.class);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
