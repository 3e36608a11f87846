package dev.hallmark.protocol.acme.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.bouncycastle.asn1.x509.GeneralName;

/**
 * An http-01 responder on {@code 127.0.0.1} with a free port (JDK {@code com.sun.net.httpserver}): serves
 * {@code /.well-known/acme-challenge/<token>} with whatever each token is set to, and records every request.
 * Unknown paths get 404.
 *
 * <p>Knobs per token (or per path): a body, a status, a redirect, a slow drip (one byte per interval, forever),
 * an endless fast body, a stall (headers never sent). {@link #startHttps()} serves the same over TLS with a
 * self-signed certificate, as an https redirect target. Each exchange runs on its own daemon thread, so one
 * stalled client never blocks another. Thread-safe; close it to stop.
 */
public final class Http01Server implements AutoCloseable {
    /** The http-01 path prefix (RFC 8555 §8.3). */
    public static final String PREFIX = "/.well-known/acme-challenge/";
    /** Upper bound for drip and endless responses, so a test bug cannot leave a thread streaming for ever. */
    private static final long MAX_STREAM_MILLIS = 30_000;

    /** One received request. */
    public record Request(String method, String path, String host) {
    }

    private sealed interface Behaviour {
    }

    private record Body(int status, byte[] body) implements Behaviour {
    }

    private record Redirect(int status, String location) implements Behaviour {
    }

    private record Drip(byte[] body, Duration interval) implements Behaviour {
    }

    private record Endless() implements Behaviour {
    }

    private record Stall() implements Behaviour {
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final Map<String, Behaviour> paths = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    private Http01Server(HttpServer server) {
        this.server = server;
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "test-http01-" + server.getAddress().getPort());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts a plain HTTP responder. */
    public static Http01Server start() {
        try {
            return new Http01Server(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts an HTTPS responder with a self-signed certificate for {@code localhost}. */
    public static Http01Server startHttps() {
        try {
            HttpsServer https = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
            https.setHttpsConfigurator(new HttpsConfigurator(TestCertificates.serverContext(
                    TestCertificates.selfSigned(List.of(new GeneralName(GeneralName.dNSName, "localhost")),
                            List.of()))));
            return new Http01Server(https);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Serves {@code body} with 200 for the token. */
    public Http01Server put(String token, String body) {
        return putPath(PREFIX + token, new Body(200, body.getBytes(StandardCharsets.UTF_8)));
    }

    /** Forgets the token (404 again). */
    public Http01Server remove(String token) {
        paths.remove(PREFIX + token);
        return this;
    }

    /** Answers the token with {@code status} and a short text body. */
    public Http01Server status(String token, int status) {
        return putPath(PREFIX + token, new Body(status, ("status " + status).getBytes(StandardCharsets.UTF_8)));
    }

    /** Answers the token with 302 and {@code location} (absolute or relative). */
    public Http01Server redirect(String token, String location) {
        return redirectPath(PREFIX + token, location);
    }

    /** Answers {@code path} (any path, such as {@code /elsewhere}) with 302 and {@code location}. */
    public Http01Server redirectPath(String path, String location) {
        return putPath(path, new Redirect(302, location));
    }

    /** Serves {@code body} with 200 at an arbitrary path (a redirect target). */
    public Http01Server putPath(String path, String body) {
        return putPath(path, new Body(200, body.getBytes(StandardCharsets.UTF_8)));
    }

    /** Sends 200 headers, then {@code body} one byte per {@code interval}, repeated for ever (slowloris). */
    public Http01Server drip(String token, String body, Duration interval) {
        return putPath(PREFIX + token, new Drip(body.getBytes(StandardCharsets.UTF_8), interval));
    }

    /** Sends 200 and an endless body as fast as the client reads it. */
    public Http01Server endless(String token) {
        return putPath(PREFIX + token, new Endless());
    }

    /** Accepts the request and never answers. */
    public Http01Server stall(String token) {
        return putPath(PREFIX + token, new Stall());
    }

    /** Requests received so far. */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private Http01Server putPath(String path, Behaviour behaviour) {
        paths.put(path, behaviour);
        return this;
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        requests.add(new Request(exchange.getRequestMethod(), path, exchange.getRequestHeaders().getFirst("Host")));
        Behaviour behaviour = paths.get(path);
        try (exchange; OutputStream out = exchange.getResponseBody()) {
            if (behaviour == null) {
                send(exchange, 404, "not found".getBytes(StandardCharsets.UTF_8));
            } else if (behaviour instanceof Body b) {
                send(exchange, b.status(), b.body());
            } else if (behaviour instanceof Redirect r) {
                exchange.getResponseHeaders().set("Location", r.location());
                exchange.sendResponseHeaders(r.status(), -1);
            } else if (behaviour instanceof Drip d) {
                exchange.sendResponseHeaders(200, 0);
                long end = System.currentTimeMillis() + MAX_STREAM_MILLIS;
                for (int i = 0; System.currentTimeMillis() < end; i++) {
                    out.write(d.body()[i % d.body().length]);
                    out.flush();
                    Thread.sleep(d.interval().toMillis());
                }
            } else if (behaviour instanceof Endless) {
                exchange.sendResponseHeaders(200, 0);
                byte[] chunk = "x".repeat(4096).getBytes(StandardCharsets.US_ASCII);
                long end = System.currentTimeMillis() + MAX_STREAM_MILLIS;
                while (System.currentTimeMillis() < end) {
                    out.write(chunk);
                    out.flush();
                }
            } else if (behaviour instanceof Stall) {
                Thread.sleep(MAX_STREAM_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // The client went away (the VA gave up): that is what these knobs are for.
        }
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            exchange.getResponseBody().write(body);
        }
    }
}
