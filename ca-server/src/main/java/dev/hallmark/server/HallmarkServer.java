package dev.hallmark.server;

import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.TrustOptions;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.PlatformHandler;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The Vert.x server base: the three listeners of SPEC, the routes of every {@link Endpoint}, and what every route
 * gets before its handler runs, in this order: connection cap, request-line and header limits (414/431, by the HTTP
 * codec), request id, request deadline, method and path (404/405), media type (415), declared body length (413),
 * authentication and role ({@link Access}: 401/403), the body limit while reading (413), then the handler — on the
 * named worker pool when it blocks. Failures become problem documents ({@link Problems}).
 *
 * <p>Closing drains: readiness turns false, the listeners stop accepting and in-flight requests finish within
 * {@link ServerSettings#shutdownGrace()}, then endpoints, workers and Vert.x close.
 */
public final class HallmarkServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HallmarkServer.class);
    private static final Logger ACCESS = LoggerFactory.getLogger("dev.hallmark.access");
    private static final String CALLER = "hallmark.caller";
    private static final String OPERATION = "hallmark.operation";
    /** Blocking tasks waiting for a worker at most; beyond, requests get 503 rather than unbounded queueing. */
    private static final int WORKER_QUEUE = 4096;
    private static final String LISTENER = "hallmark.listener";
    private static final Pattern PATH_PARAMETER = Pattern.compile(":[A-Za-z0-9_]+");

    private final ServerContext context;
    private final ServerSettings settings;
    private final List<Endpoint> endpoints;
    private final List<Route> routes;
    private final WorkerPool worker;
    private final Authenticator authenticator;
    private final ServerMetrics metrics;
    private final HttpsIdentity https;
    private final Health health;
    private final Map<Listener, HttpServer> servers = new EnumMap<>(Listener.class);
    private final Map<Listener, AtomicInteger> connections = new EnumMap<>(Listener.class);
    private final Map<HttpConnection, Long> headerDeadlines = new ConcurrentHashMap<>();
    private final List<Long> timers = new ArrayList<>();
    private volatile boolean closed;

    private HallmarkServer(ServerContext context, List<Endpoint> endpoints, List<Route> routes, HttpsIdentity https,
                           ServerMetrics metrics, Health health) {
        this.context = context;
        this.settings = context.settings();
        this.endpoints = List.copyOf(endpoints);
        this.routes = List.copyOf(routes);
        this.https = https;
        this.metrics = metrics;
        this.health = health;
        this.worker = new WorkerPool(context.vertx(), settings.workerThreads(), WORKER_QUEUE, context.metrics());
        this.authenticator = new Authenticator(context.credentials(), context.authority());
        for (Listener l : Listener.values()) {
            connections.put(l, new AtomicInteger());
        }
    }

    /**
     * Starts the listeners that have routes for {@code role}. Blocks until they listen.
     *
     * @param endpoints  the protocol endpoints ({@link #discover()}); the server adds its own management routes
     * @param https      the HTTPS certificate and its renewal
     * @param background work run periodically on the worker pool (ledger checkpoints, certificate renewal), each
     *                   with its interval
     * @throws IllegalStateException when a listener cannot bind, or two routes collide
     */
    public static HallmarkServer start(ServerContext context, ServerRole role, List<Endpoint> endpoints,
                                       HttpsIdentity https, Health health, List<Periodic> background) {
        ServerMetrics metrics = new ServerMetrics(context.metrics());
        List<Endpoint> active = new ArrayList<>();
        active.add(new ManagementEndpoint(health));
        for (Endpoint e : endpoints) {
            if (e.roles().contains(role)) {
                active.add(e);
            }
        }
        List<Route> routes = routeTable(active, context);
        HallmarkServer server = new HallmarkServer(context, active, routes, https, metrics, health);
        try {
            server.listen(role == ServerRole.OCSP ? EnumSet.of(Listener.HTTP, Listener.MANAGEMENT) : EnumSet.allOf(Listener.class));
            for (Periodic p : background) {
                server.schedule(p);
            }
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** Background work: {@code task} runs on the worker pool every {@code intervalMillis}; failures are logged. */
    public record Periodic(String name, long intervalMillis, Runnable task) {
    }

    /** Every {@link Endpoint} on the class path ({@code META-INF/services/dev.hallmark.server.Endpoint}). */
    public static List<Endpoint> discover() {
        List<Endpoint> out = new ArrayList<>();
        java.util.ServiceLoader.load(Endpoint.class).forEach(out::add);
        return out;
    }

    /**
     * The routes of {@code endpoints}, checked: no two share a listener, method and path, and every one declares its
     * access (enforced by {@link Route.Builder}).
     */
    public static List<Route> routeTable(List<Endpoint> endpoints, ServerContext context) {
        List<Route> all = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        List<Endpoint> active = List.copyOf(endpoints);
        for (Endpoint e : endpoints) {
            for (Route r : e.routes(context, active)) {
                if (!seen.add(r.listener() + " " + r.method() + " " + r.path())) {
                    throw new IllegalStateException("two routes for " + r.method() + " " + r.path() + " on " + r.listener());
                }
                all.add(r);
            }
        }
        return all;
    }

    /** The route table as served. */
    public List<Route> routes() {
        return routes;
    }

    /** The bound port of a listener (useful with port 0), or -1 when the listener is not running. */
    public int port(Listener listener) {
        HttpServer s = servers.get(listener);
        return s == null ? -1 : s.actualPort();
    }

    private void listen(Set<Listener> listeners) {
        Map<Listener, Router> routers = new EnumMap<>(Listener.class);
        for (Listener l : listeners) {
            routers.put(l, newRouter(l));
        }
        for (Route r : routes) {
            Router router = routers.get(r.listener());
            if (router == null) {
                throw new IllegalStateException(r.operationId() + " lives on " + r.listener() + ", which this role does not run");
            }
            mount(router, r);
        }
        for (Map.Entry<Listener, Router> e : routers.entrySet()) {
            Listener listener = e.getKey();
            HttpServerOptions options = options(listener);
            HttpServer server = context.vertx().createHttpServer(options);
            AtomicInteger open = connections.get(listener);
            server.connectionHandler(conn -> onConnection(listener, conn, open));
            server.requestHandler(e.getValue());
            String host = host(listener);
            try {
                servers.put(listener, server.listen(port(listener, true), host).await());
            } catch (Exception ex) {
                throw new IllegalStateException("cannot listen on " + host + ":" + port(listener, true) + " for "
                        + listener.name().toLowerCase(Locale.ROOT) + " (" + ex.getMessage() + "); set "
                        + listener.name().toLowerCase(Locale.ROOT) + ".port or .host", ex);
            }
            LOG.info("{} listening on {}:{}", listener.name().toLowerCase(Locale.ROOT), host, port(listener));
        }
    }

    private HttpServerOptions options(Listener listener) {
        HttpServerOptions o = new HttpServerOptions()
                .setMaxHeaderSize(settings.maxHeaderBytes())
                .setMaxInitialLineLength(settings.maxRequestLineBytes())
                .setIdleTimeout((int) settings.idleTimeout().toSeconds())
                .setIdleTimeoutUnit(TimeUnit.SECONDS)
                .setMaxFormAttributeSize(8192)
                .setDecompressionSupported(false)
                .setCompressionSupported(false)
                // HTTP/1.1 only: the request-line, header and connection limits are the HTTP/1.1 codec's, and h2c
                // sniffing delays the connection (and so the slow-client deadline and the cap) to the first bytes.
                .setHttp2ClearTextEnabled(false);
        if (listener == Listener.HTTPS) {
            ServerSSLOptions tls = tlsOptions();
            o.setSsl(true)
                    .setSslHandshakeTimeout(tls.getSslHandshakeTimeout())
                    .setSslHandshakeTimeoutUnit(tls.getSslHandshakeTimeoutUnit())
                    .setEnabledSecureTransportProtocols(tls.getEnabledSecureTransportProtocols())
                    .setKeyCertOptions(tls.getKeyCertOptions());
            tls.getEnabledCipherSuites().forEach(o::addEnabledCipherSuite);
            if (tls.getClientAuth() != ClientAuth.NONE) {
                o.setClientAuth(tls.getClientAuth()).setTrustOptions(tls.getTrustOptions());
            }
        }
        return o;
    }

    /**
     * The HTTPS listener's TLS settings, the same at start and after every renewal: TLS 1.2 and 1.3 only, TLS 1.2
     * with forward-secret AEAD suites only, the handshake inside the header deadline, and an optional client
     * certificate. The client certificate is accepted whatever it is at the TLS layer (a foreign or expired one must
     * not break ACME, EST or the kiosk on the same listener); {@link Authenticator} decides whether it is an admin.
     */
    private ServerSSLOptions tlsOptions() {
        ServerSSLOptions tls = new ServerSSLOptions().setKeyCertOptions(https.keyCertOptions())
                .setEnabledSecureTransportProtocols(Set.of("TLSv1.2", "TLSv1.3"))
                .setSslHandshakeTimeout(settings.headerTimeout().toMillis())
                .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS);
        for (String suite : CIPHER_SUITES) {
            tls.addEnabledCipherSuite(suite);
        }
        if (settings.clientCertificates()) {
            tls.setClientAuth(ClientAuth.REQUEST).setTrustOptions(TrustOptions.wrap(AnyClientCertificate.INSTANCE));
        }
        return tls;
    }

    /** TLS 1.3 suites and the TLS 1.2 ECDHE AEAD suites (no CBC, no SHA-1, no RSA key exchange). */
    static final List<String> CIPHER_SUITES = List.of(
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    /** Lets any client certificate through the handshake (whose CertificateVerify still proves the key). */
    private enum AnyClientCertificate implements javax.net.ssl.X509TrustManager {
        INSTANCE;

        @Override
        public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {
            // Decided per request by Authenticator: registered fingerprint, Hallmark's issuer, validity, revocation.
        }

        @Override
        public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType)
                throws java.security.cert.CertificateException {
            throw new java.security.cert.CertificateException("the server trusts no server certificates");
        }

        @Override
        public java.security.cert.X509Certificate[] getAcceptedIssuers() {
            return new java.security.cert.X509Certificate[0];
        }
    }

    /** Puts a renewed HTTPS certificate in service; connections already open keep theirs. */
    public Future<Boolean> updateHttpsCertificate() {
        HttpServer s = servers.get(Listener.HTTPS);
        if (s == null) {
            return Future.succeededFuture(false);
        }
        return s.updateSSLOptions(tlsOptions(), true);
    }

    private String host(Listener l) {
        return switch (l) {
            case HTTPS -> settings.httpsHost();
            case HTTP -> settings.httpHost();
            case MANAGEMENT -> settings.managementHost();
        };
    }

    private int port(Listener l, boolean configured) {
        if (!configured) {
            return port(l);
        }
        return switch (l) {
            case HTTPS -> settings.httpsPort();
            case HTTP -> settings.httpPort();
            case MANAGEMENT -> settings.managementPort();
        };
    }

    private void onConnection(Listener listener, HttpConnection conn, AtomicInteger open) {
        int now = open.incrementAndGet();
        metrics.connectionOpened(listener);
        conn.closeHandler(v -> {
            open.decrementAndGet();
            Long t = headerDeadlines.remove(conn);
            if (t != null) {
                context.vertx().cancelTimer(t);
            }
        });
        if (now > settings.maxConnections() || closed) {
            metrics.connectionRefused(listener);
            conn.close();
            return;
        }
        armHeaderDeadline(conn, settings.headerTimeout().toMillis());
    }

    /**
     * Slow-client protection: a connection must deliver a complete request head within the deadline after it opens,
     * and within the idle timeout after each response; dripping bytes does not extend it.
     */
    private void armHeaderDeadline(HttpConnection conn, long millis) {
        long timer = context.vertx().setTimer(millis, id -> {
            if (headerDeadlines.remove(conn, id)) {
                conn.close();
            }
        });
        Long previous = headerDeadlines.put(conn, timer);
        if (previous != null) {
            context.vertx().cancelTimer(previous);
        }
    }

    private Router newRouter(Listener listener) {
        Router router = Router.router(context.vertx());
        String listenerName = listener.name().toLowerCase(Locale.ROOT);
        router.route().handler(ctx -> {
            ctx.put(LISTENER, listenerName); // also for requests no route matches (404/405), so they are metered
            begin(ctx);
        });
        router.route().failureHandler(ctx -> {
            if (ctx.failure() instanceof io.vertx.core.http.HttpClosedException || ctx.response().closed()) {
                // The client went away mid-request (a load generator stopping, a browser tab closed): nobody to answer.
                LOG.debug("[{}] client closed the connection before the answer", RequestIds.of(ctx));
                return;
            }
            ctx.next();
        });
        router.errorHandler(404, ctx -> sendAndClose(ctx, Problems.ofStatus(404, "no resource at " + ctx.request().path())));
        router.errorHandler(405, ctx -> {
            String allow = allowedMethods(listener, ctx.normalizedPath());
            if (!allow.isEmpty()) {
                ctx.response().putHeader("Allow", allow); // RFC 9110 15.5.6: a 405 names what the resource supports
            }
            sendAndClose(ctx, Problems.ofStatus(405, methodLabel(ctx.request().method()) + " is not allowed on "
                    + ctx.request().path() + (allow.isEmpty() ? "" : " (allowed: " + allow + ")")));
        });
        router.errorHandler(413, ctx -> sendAndClose(ctx, Problems.ofStatus(413, "the request body is larger than this route accepts")));
        router.errorHandler(400, ctx -> {
            Route raw = undecodablePathRoute(listener, ctx);
            if (raw != null) {
                try {
                    raw.handler().handle(ctx, Caller.ANONYMOUS);
                } catch (Exception e) {
                    fail(ctx, e, 500);
                }
                return;
            }
            fail(ctx, ctx.failure() != null ? ctx.failure() : null, 400);
        });
        router.errorHandler(500, ctx -> fail(ctx, ctx.failure(), 500));
        return router;
    }

    /**
     * The route that answers a request whose path Vert.x could not decode, if one declared {@link Route#anyPathBytes()}
     * for this listener, method and raw path prefix.
     */
    private Route undecodablePathRoute(Listener listener, RoutingContext ctx) {
        String raw = ctx.request().path();
        if (raw == null || ctx.failure() != null && !(ctx.failure() instanceof IllegalArgumentException)) {
            return null;
        }
        for (Route r : routes) {
            if (r.anyPathBytes() && r.listener() == listener && r.method().equals(ctx.request().method())
                    && raw.startsWith(r.path().substring(0, r.path().length() - 1))) {
                return r;
            }
        }
        return null;
    }

    /** The methods of the routes on {@code listener} whose path matches {@code path}, e.g. {@code GET, HEAD}. */
    private String allowedMethods(Listener listener, String path) {
        Set<String> methods = new java.util.TreeSet<>();
        for (Route r : routes) {
            if (r.listener() == listener && path != null && pathPattern(r.path()).matcher(path).matches()) {
                methods.add(r.method().name());
                if (r.method() == HttpMethod.GET) {
                    methods.add(HttpMethod.HEAD.name());
                }
            }
        }
        return String.join(", ", methods);
    }

    /**
     * A Vert.x route path as a regular expression: {@code :name} matches one segment, a trailing {@code /*} the rest
     * of the path, or nothing ({@code /ocsp/*} also matches {@code /ocsp}, as in Vert.x).
     */
    static Pattern pathPattern(String routePath) {
        boolean wildcard = routePath.endsWith("/*");
        String p = wildcard ? routePath.substring(0, routePath.length() - 2) : routePath;
        StringBuilder re = new StringBuilder();
        Matcher m = PATH_PARAMETER.matcher(p);
        int at = 0;
        while (m.find()) {
            re.append(Pattern.quote(p.substring(at, m.start()))).append("[^/]+");
            at = m.end();
        }
        re.append(Pattern.quote(p.substring(at)));
        if (wildcard) {
            re.append("(/.*)?");
        }
        return Pattern.compile(re.toString());
    }

    /** First handler of every request: id, deadline, access log and latency. */
    private void begin(RoutingContext ctx) {
        String requestId = RequestIds.of(ctx);
        HttpConnection conn = ctx.request().connection();
        Long deadline = headerDeadlines.remove(conn);
        if (deadline != null) {
            context.vertx().cancelTimer(deadline);
        }
        ctx.response().putHeader(RequestIds.HEADER, requestId);
        Timer.Sample sample = Timer.start();
        long started = System.nanoTime();
        long timeout = context.vertx().setTimer(settings.requestTimeout().toMillis(), id -> onTimeout(ctx));
        ctx.addEndHandler(v -> {
            context.vertx().cancelTimer(timeout);
            String operation = ctx.get(OPERATION, "unmatched");
            // A request that ended without a complete answer (the client went away) is not a 200: nginx's 499.
            int status = ctx.response().ended() ? ctx.response().getStatusCode() : CLIENT_CLOSED;
            metrics.requestEnded(sample, ctx.get(LISTENER, "unknown"), operation, methodLabel(ctx.request().method()), status);
            Caller caller = ctx.get(CALLER, Caller.ANONYMOUS);
            ACCESS.info("[{}] {} {} {} {} {}ms {}", requestId, ctx.request().remoteAddress(), ctx.request().method(),
                    ctx.request().path(), status, (System.nanoTime() - started) / 1_000_000, caller.actor());
            if (!closed) {
                armHeaderDeadline(conn, settings.idleTimeout().toMillis());
            }
        });
        ctx.next();
    }

    /** Status recorded for a request whose client closed the connection before the answer. */
    static final int CLIENT_CLOSED = 499;
    private static final Set<String> STANDARD_METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH",
            "OPTIONS", "TRACE", "CONNECT");

    /** The method as a metric label: any token is a valid method, so unknown ones share one label. */
    static String methodLabel(HttpMethod method) {
        return STANDARD_METHODS.contains(method.name()) ? method.name() : "other";
    }

    private void onTimeout(RoutingContext ctx) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        if (!ctx.request().isEnded()) {
            metrics.slowClient();
            sendAndClose(ctx, Problems.ofStatus(408, "the request was not received within " + settings.requestTimeout().toSeconds() + "s"));
        } else {
            java.util.concurrent.atomic.AtomicInteger state = ctx.get(TASK_STATE);
            if (state != null && !state.compareAndSet(QUEUED, EXPIRED)) {
                // The work has started and may commit (an issuance, a revocation): answering 503 now would invite a
                // retry that duplicates it. The client gets the real answer when the work ends.
                LOG.warn("[{}] still working after {}s", RequestIds.of(ctx), settings.requestTimeout().toSeconds());
                return;
            }
            LOG.warn("[{}] not started within {}s: refused", RequestIds.of(ctx), settings.requestTimeout().toSeconds());
            Problems.send(ctx, Problems.ofStatus(503, "the server could not start the request within "
                    + settings.requestTimeout().toSeconds() + "s; nothing was done, retry later"));
        }
    }

    private void mount(Router router, Route route) {
        io.vertx.ext.web.Route r = router.route(route.method(), route.path());
        if (route.method() == HttpMethod.GET) {
            r.method(HttpMethod.HEAD); // RFC 9110 9.1: HEAD wherever GET; Vert.x sends the headers without the body
        }
        r.handler(new BeforeBody(ctx -> precheck(ctx, route)));
        r.handler(new BeforeBody(ctx -> authorize(ctx, route)));
        if (route.maxBodyBytes() > 0) {
            r.handler(BodyHandler.create(false).setBodyLimit(route.maxBodyBytes()).setPreallocateBodyBuffer(false));
        }
        r.handler(ctx -> run(ctx, route));
    }

    /**
     * A check that must run before the body is read. Vert.x Web orders a route's handlers by kind and refuses a
     * {@link BodyHandler} after a plain one; marking the checks as platform handlers keeps our order (media type,
     * declared length, authentication, then the body) instead of reading bodies for unauthenticated callers.
     */
    private record BeforeBody(Handler<RoutingContext> check) implements PlatformHandler {
        @Override
        public void handle(RoutingContext ctx) {
            check.handle(ctx);
        }
    }

    /** Media type and declared length, before authentication and before any byte of the body is read. */
    private void precheck(RoutingContext ctx, Route route) {
        ctx.put(OPERATION, route.operationId());
        if (route.maxBodyBytes() > 0) {
            ctx.request().pause(); // nothing is read before authentication; the body handler resumes
        }
        String length = ctx.request().getHeader("Content-Length");
        boolean hasBody = declaresBody(ctx);
        if (route.maxBodyBytes() == 0) {
            if (hasBody) { // GET included: nothing reads it, so it would hold the connection while it trickles in
                sendAndClose(ctx, Problems.ofStatus(413, route.method() + " " + route.path() + " takes no request body"));
                return;
            }
        } else {
            String type = mediaType(ctx.request().getHeader("Content-Type"));
            if (!route.consumes().contains(Route.ANY_MEDIA_TYPE) && (type == null || !route.consumes().contains(type))) {
                sendAndClose(ctx, Problems.ofStatus(415, "Content-Type must be one of " + String.join(", ", new java.util.TreeSet<>(route.consumes()))
                        + (type == null ? "" : "; got " + type)));
                return;
            }
            if (length != null) {
                long declared;
                try {
                    declared = Long.parseLong(length.trim());
                } catch (NumberFormatException e) {
                    sendAndClose(ctx, Problems.ofStatus(400, "Content-Length is not a number"));
                    return;
                }
                if (declared > route.maxBodyBytes()) {
                    sendAndClose(ctx, Problems.ofStatus(413, "the body is " + declared + " bytes; this route accepts at most "
                            + route.maxBodyBytes()));
                    return;
                }
            }
        }
        ctx.next();
    }

    /** The media type without parameters, lower case; null when absent or unparseable. */
    static String mediaType(String header) {
        if (header == null) {
            return null;
        }
        int semi = header.indexOf(';');
        String t = (semi < 0 ? header : header.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
        return MEDIA_TYPE.matcher(t).matches() ? t : null;
    }

    private static final Pattern MEDIA_TYPE = Pattern.compile("[a-z0-9!#$&^_.+\\-]+/[a-z0-9!#$&^_.+\\-]+");

    private void authorize(RoutingContext ctx, Route route) {
        if (route.access().isOpen()) {
            ctx.put(CALLER, Caller.ANONYMOUS);
            ctx.next();
            return;
        }
        String authorization = ctx.request().getHeader("Authorization");
        byte[] clientCert = authorization == null ? clientCertificate(ctx) : null;
        if (authorization == null && clientCert == null) {
            sendAndClose(ctx, Problems.ofStatus(401, "send 'Authorization: Bearer <token>' (see 'hallmark token create') "
                    + "or an admin client certificate"));
            return;
        }
        worker.submit(() -> authorization != null ? authenticator.bearer(authorization)
                        : authenticator.certificate(clientCert))
                .onComplete(ar -> {
                    if (ar.failed()) {
                        fail(ctx, ar.cause(), 500);
                        return;
                    }
                    Optional<Caller> caller = ar.result();
                    if (caller.isEmpty()) {
                        invalidCredential(ctx);
                    } else if (!route.access().allows(caller.get().role())) {
                        ctx.put(CALLER, caller.get());
                        sendAndClose(ctx, Problems.ofStatus(403, "role " + caller.get().role().name().toLowerCase(Locale.ROOT)
                                + " may not " + route.method() + " " + route.openApiPath() + " (allowed: "
                                + roles(route.access()) + ")"));
                    } else {
                        ctx.put(CALLER, caller.get());
                        ctx.next();
                    }
                });
    }

    /** 401 for a credential that was presented but is not (or no longer) valid: RFC 6750 3.1 {@code invalid_token}. */
    private void invalidCredential(RoutingContext ctx) {
        metrics.authenticationFailed();
        ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"hallmark\", error=\"invalid_token\"");
        sendAndClose(ctx, Problems.ofStatus(401, "the credential is not valid (unknown, malformed or revoked)"));
    }

    private static String roles(Access access) {
        return String.join(", ", access.roles().stream().map(r -> r.name().toLowerCase(Locale.ROOT)).sorted().toList());
    }

    private static byte[] clientCertificate(RoutingContext ctx) {
        if (!ctx.request().isSSL()) {
            return null;
        }
        try {
            List<Certificate> chain = ctx.request().connection().peerCertificates();
            return chain == null || chain.isEmpty() ? null : chain.get(0).getEncoded();
        } catch (SSLPeerUnverifiedException e) {
            return null;
        } catch (CertificateEncodingException e) {
            return null;
        }
    }

    private void run(RoutingContext ctx, Route route) {
        Caller caller = ctx.get(CALLER, Caller.ANONYMOUS);
        if (!route.blocking()) {
            try {
                route.handler().handle(ctx, caller);
            } catch (Exception e) {
                fail(ctx, e, 500);
            }
            return;
        }
        String requestId = RequestIds.of(ctx);
        java.util.concurrent.atomic.AtomicInteger state = new java.util.concurrent.atomic.AtomicInteger(QUEUED);
        ctx.put(TASK_STATE, state);
        worker.submit(() -> {
            if (ctx.response().closed() || !state.compareAndSet(QUEUED, STARTED)) {
                return null; // the client left, or the deadline passed while queued: nothing to do, nothing done
            }
            MDC.put(RequestIds.KEY, requestId);
            try {
                if (!caller.isAnonymous() && !authenticator.stillValid(caller)) {
                    // Revoked after the headers were checked (a slow body, a long queue): refused at execution time.
                    throw new Unauthenticated();
                }
                route.handler().handle(ctx, caller);
            } finally {
                MDC.remove(RequestIds.KEY);
            }
            return null;
        }).onComplete(ar -> {
            if (state.get() != STARTED) {
                return;
            }
            if (ar.failed()) {
                fail(ctx, ar.cause(), 500);
            } else if (!ctx.response().ended() && !ctx.response().closed()) {
                LOG.error("[{}] {} returned without answering", requestId, route.operationId());
                Problems.send(ctx, Problems.internal(requestId));
            }
        });
    }

    private static final String TASK_STATE = "hallmark.task";
    private static final int QUEUED = 0;
    private static final int STARTED = 1;
    private static final int EXPIRED = 2;

    /** The credential was revoked between the request's head and its execution. */
    private static final class Unauthenticated extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unauthenticated() {
            super("the credential was revoked", null, false, false);
        }
    }

    private void fail(RoutingContext ctx, Throwable failure, int status) {
        String requestId = RequestIds.of(ctx);
        if (failure instanceof Unauthenticated) {
            invalidCredential(ctx);
            return;
        }
        if (failure == null) {
            Problems.send(ctx, Problems.ofStatus(status, status == 400 ? "the request is malformed" : "request failed"));
            return;
        }
        if (failure instanceof io.vertx.ext.web.handler.HttpException he) {
            Problems.send(ctx, Problems.ofStatus(he.getStatusCode(), he.getPayload() != null ? he.getPayload() : "request refused"));
            return;
        }
        Problems.send(ctx, Problems.of(failure, requestId));
    }

    /**
     * Answers and, while the request body is still unread, closes the connection once the answer is written: the
     * client must not be left uploading into a paused request, and the rest of the body is never read. Vert.x keeps
     * an HTTP/1.1 connection open despite a {@code Connection: close} response header, so the close is explicit.
     */
    private static void sendAndClose(RoutingContext ctx, Problems.Problem problem) {
        if (declaresBody(ctx) && !ctx.request().isEnded()) {
            HttpConnection conn = ctx.request().connection();
            ctx.response().putHeader("Connection", "close");
            ctx.addEndHandler(ar -> lingerThenClose(ctx, conn));
        }
        Problems.send(ctx, problem);
    }

    /** How long, and how many more body bytes, a refused request's connection is drained before it is closed. */
    static final long LINGER_MILLIS = 2_000;
    static final long LINGER_BYTES = 1 << 20;

    /**
     * Lingering close, as Apache and nginx do it: closing a socket that still has unread bytes makes the kernel reset
     * the connection, and the reset can destroy the answer before the client has read it (a client still uploading
     * then sees "no response" instead of the 413). So the rest of the body is read and discarded, up to
     * {@link #LINGER_BYTES} or {@link #LINGER_MILLIS}, and the connection closed when it ends or either bound is hit.
     */
    private static void lingerThenClose(RoutingContext ctx, HttpConnection conn) {
        try {
            long timer = ctx.vertx().setTimer(LINGER_MILLIS, t -> conn.close());
            long[] drained = {0};
            ctx.request().exceptionHandler(e -> conn.close());
            ctx.request().endHandler(v -> {
                ctx.vertx().cancelTimer(timer);
                conn.close();
            });
            ctx.request().handler(b -> {
                drained[0] += b.length();
                if (drained[0] > LINGER_BYTES) {
                    conn.close();
                }
            });
            ctx.request().resume();
        } catch (IllegalStateException e) { // the body was already consumed or the request is gone
            conn.close();
        }
    }

    /** Whether the request announced a body (a request without one may not have seen its end event yet). */
    private static boolean declaresBody(RoutingContext ctx) {
        String length = ctx.request().getHeader("Content-Length");
        return (length != null && !length.trim().equals("0")) || ctx.request().getHeader("Transfer-Encoding") != null;
    }

    /** Runs {@code p} every interval on the worker pool; a run still going when the next is due makes that one skip. */
    private void schedule(Periodic p) {
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean();
        long id = context.vertx().setPeriodic(p.intervalMillis(), t -> {
            if (!running.compareAndSet(false, true)) {
                return;
            }
            worker.submit(() -> {
                try {
                    p.task().run();
                } catch (RuntimeException e) {
                    LOG.warn("{} failed: {}", p.name(), e.getMessage(), e);
                    metrics.backgroundFailure(p.name());
                } finally {
                    running.set(false);
                }
                return null;
            }).onFailure(e -> running.set(false));
        });
        synchronized (timers) {
            timers.add(id);
        }
    }

    /** Health of the running server, for tests and the CLI. */
    public Health health() {
        return health;
    }

    /** Drains in-flight requests (up to the grace period), then stops everything. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        health.draining();
        synchronized (timers) {
            timers.forEach(context.vertx()::cancelTimer);
        }
        // One budget for the whole drain. Protocol listeners first; the management listener stays up meanwhile, so
        // /readyz visibly answers 503 "shutting down" to load balancers until the end.
        long deadline = System.nanoTime() + settings.shutdownGrace().toNanos();
        List<Future<Void>> shutdowns = new ArrayList<>();
        servers.forEach((listener, s) -> {
            if (listener != Listener.MANAGEMENT) {
                shutdowns.add(s.shutdown(settings.shutdownGrace()));
            }
        });
        try {
            Future.join(shutdowns).await(remainingMillis(deadline) + 1_000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.warn("listeners did not drain within the grace period: {}", e.getMessage());
        }
        HttpServer management = servers.get(Listener.MANAGEMENT);
        if (management != null) {
            try {
                management.close().await(2, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.warn("management listener did not close: {}", e.getMessage());
            }
        }
        for (Endpoint e : endpoints) {
            try {
                e.close();
            } catch (RuntimeException ex) {
                LOG.warn("endpoint {} did not close cleanly", e.name(), ex);
            }
        }
        worker.close(Math.max(1_000, remainingMillis(deadline)));
        LOG.info("server stopped");
    }

    private static long remainingMillis(long deadlineNanos) {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
    }

    /** A description for logs: listener → URL. */
    public Map<Listener, String> urls() {
        Map<Listener, String> urls = new LinkedHashMap<>();
        for (Listener l : servers.keySet()) {
            String host = host(l);
            if (host.equals("0.0.0.0") || host.equals("::")) {
                host = "localhost";
            } else if (host.contains(":") && !host.startsWith("[")) {
                host = "[" + host + "]";
            }
            urls.put(l, (l == Listener.HTTPS ? "https://" : "http://") + host + ":" + port(l));
        }
        return urls;
    }
}
