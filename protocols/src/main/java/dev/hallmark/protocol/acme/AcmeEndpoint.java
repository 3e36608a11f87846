package dev.hallmark.protocol.acme;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.protocol.acme.AcmeReplies.Reply;
import dev.hallmark.protocol.acme.RequestVerifier.KeyMode;
import dev.hallmark.protocol.acme.validation.Validator;
import dev.hallmark.server.Access;
import dev.hallmark.server.Endpoint;
import dev.hallmark.server.Listener;
import dev.hallmark.server.Route;
import dev.hallmark.server.ServerContext;
import dev.hallmark.store.acme.JdbcAcmeStore;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ACME server (RFC 8555 with RFC 8737 tls-alpn-01, RFC 8738 IP identifiers, RFC 9773 renewal information and the
 * profiles extension) under {@code /acme/} on the HTTPS listener. Design and limits: docs/ACME.md.
 */
public final class AcmeEndpoint implements Endpoint {
    private static final Logger LOG = LoggerFactory.getLogger(AcmeEndpoint.class);
    /** The media type of every ACME POST (RFC 8555 §6.2). */
    public static final String JOSE = "application/jose+json";
    /** The largest request body: far above any legitimate request (a 64 KiB CSR in base64url). */
    static final int MAX_BODY = 96 * 1024;
    /** The key-encryption key of EAB keys, in the data directory (share it between nodes like the soft token file). */
    public static final String EAB_KEK_FILE = "acme-eab.key";

    private Validator validator;
    private ScheduledExecutorService housekeeping;

    /** For {@link java.util.ServiceLoader}. */
    public AcmeEndpoint() {
    }

    @Override
    public String name() {
        return "acme";
    }

    /** The admin views ({@link AdminViews}) in the admin API's OpenAPI document, while ACME is served. */
    @Override
    public Optional<String> openApiResource(ServerContext c) {
        return AcmeSettings.from(c.config()).enabled() ? Optional.of("/dev/hallmark/protocol/acme/admin-openapi.json")
                : Optional.empty();
    }

    @Override
    public List<Route> routes(ServerContext c) {
        AcmeSettings settings = AcmeSettings.from(c.config());
        if (!settings.enabled()) {
            return List.of();
        }
        Clock clock = c.clock();
        AcmeStore store = new JdbcAcmeStore(c.database());
        AcmeMetrics metrics = new AcmeMetrics(c.metrics());
        Nonces nonces = new Nonces(store, clock, settings.nonceLifetime());
        validator = new Validator(settings.validation());
        RateLimiter limiter = new RateLimiter(store, clock, settings.limits().window(), metrics);
        EabKeys eab = new EabKeys(store, c.config().dataDir().resolve(AcmeEndpoint.EAB_KEK_FILE), clock);
        AcmeServices s = new AcmeServices(settings, store, AcmeAuthority.of(c.authority()), validator, eab, limiter,
                metrics, clock);
        AcmeReplies replies = new AcmeReplies(nonces, metrics);
        RequestVerifier verifier = new RequestVerifier(store, nonces, settings.baseUrl());
        Ari ari = new Ari(s);
        AccountHandlers accounts = new AccountHandlers(s);
        OrderHandlers orders = new OrderHandlers(s, ari);
        AuthorizationHandlers authz = new AuthorizationHandlers(s);
        CertificateHandlers certs = new CertificateHandlers(s);
        Directory directory = new Directory(settings, c.config().profiles());

        housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hallmark-acme-housekeeping");
            t.setDaemon(true);
            return t;
        });
        StuckProcessing stuck = new StuckProcessing(s);
        housekeeping.scheduleWithFixedDelay(() -> {
            try {
                stuck.settle();
                nonces.purge();
                store.purgeRateWindows(clock.instant().minus(settings.limits().window().multipliedBy(2)));
            } catch (RuntimeException e) {
                LOG.warn("ACME housekeeping failed: {}", e.toString());
            }
        }, 1, 1, TimeUnit.MINUTES);

        String root = AcmeUrls.ROOT;
        List<Route> routes = new ArrayList<>();
        routes.add(Route.on(Listener.HTTPS, HttpMethod.GET, root + "/directory").access(Access.open()).eventLoop()
                .operationId("acmeDirectory").handler((ctx, caller) -> directory.get(ctx)));
        routes.add(Route.on(Listener.HTTPS, HttpMethod.HEAD, root + "/new-nonce").access(Access.open())
                .operationId("acmeNonceHead").handler((ctx, caller) -> nonce(ctx, replies, settings, 200)));
        routes.add(Route.on(Listener.HTTPS, HttpMethod.GET, root + "/new-nonce").access(Access.open())
                .operationId("acmeNonceGet").handler((ctx, caller) -> nonce(ctx, replies, settings, 204)));
        routes.add(Route.on(Listener.HTTPS, HttpMethod.GET, root + "/renewal-info/:certid").access(Access.open())
                .operationId("acmeRenewalInfo").handler((ctx, caller) -> {
                    AcmeUrls urls = null;
                    try {
                        urls = AcmeUrls.of(ctx, settings.baseUrl());
                        sendPlain(ctx, urls, ari.renewalInfo(ctx));
                    } catch (Throwable t) {
                        replies.failure(ctx, urls, t);
                    }
                }));
        routes.add(post(root + "/new-account", "acmeNewAccount", KeyMode.JWK, verifier, replies, settings, accounts::newAccount));
        routes.add(post(root + "/acct/:id", "acmeAccount", KeyMode.KID, verifier, replies, settings, accounts::account));
        routes.add(post(root + "/acct/:id/orders", "acmeAccountOrders", KeyMode.KID, verifier, replies, settings, accounts::orders));
        routes.add(post(root + "/key-change", "acmeKeyChange", KeyMode.KID, verifier, replies, settings, accounts::keyChange));
        routes.add(post(root + "/new-order", "acmeNewOrder", KeyMode.KID, verifier, replies, settings, orders::newOrder));
        routes.add(post(root + "/order/:id", "acmeOrder", KeyMode.KID, verifier, replies, settings, orders::order));
        routes.add(post(root + "/order/:id/finalize", "acmeFinalize", KeyMode.KID, verifier, replies, settings, orders::finalizeOrder));
        routes.add(post(root + "/authz/:id", "acmeAuthorization", KeyMode.KID, verifier, replies, settings, authz::authorization));
        routes.add(post(root + "/chall/:id", "acmeChallenge", KeyMode.KID, verifier, replies, settings, authz::challenge));
        routes.add(post(root + "/cert/:ca/:serial", "acmeCertificate", KeyMode.KID, verifier, replies, settings, certs::download));
        routes.addAll(new AdminViews(store).routes());
        routes.add(post(root + "/revoke-cert", "acmeRevokeCert", KeyMode.EITHER, verifier, replies, settings, certs::revoke));
        return routes;
    }

    /** A handler of a verified ACME POST. */
    @FunctionalInterface
    interface AcmeHandler {
        Reply handle(RoutingContext ctx, AcmeRequest request);
    }

    private static Route post(String path, String operationId, KeyMode mode, RequestVerifier verifier, AcmeReplies replies,
                              AcmeSettings settings, AcmeHandler handler) {
        // Any media type reaches the handler, so that a wrong one is answered as ACME (a problem with a nonce).
        return Route.on(Listener.HTTPS, HttpMethod.POST, path).access(Access.open()).body(MAX_BODY, Route.ANY_MEDIA_TYPE)
                .operationId(operationId).handler((ctx, caller) -> {
                    AcmeUrls urls = null;
                    try {
                        urls = AcmeUrls.of(ctx, settings.baseUrl());
                        requireJose(ctx);
                        AcmeRequest req = verifier.verify(ctx, urls, mode);
                        replies.send(ctx, urls, handler.handle(ctx, req));
                    } catch (Throwable t) {
                        replies.failure(ctx, urls, t);
                    }
                });
    }

    /** RFC 8555 §6.2: a POST must be {@code application/jose+json}, else 415. */
    private static void requireJose(RoutingContext ctx) {
        String type = ctx.request().getHeader("Content-Type");
        String bare = type == null ? "" : type.split(";", 2)[0].trim();
        if (!bare.equalsIgnoreCase(JOSE)) {
            throw AcmeProblem.of("malformed", 415, "ACME requests are JWS sent as Content-Type: " + JOSE
                    + " (RFC 8555 §6.2), not " + (type == null ? "without a Content-Type" : "'" + bare + "'"));
        }
    }

    /** newNonce (RFC 8555 §7.2): HEAD answers 200, GET 204, both with {@code Cache-Control: no-store}. */
    private static void nonce(RoutingContext ctx, AcmeReplies replies, AcmeSettings settings, int status) {
        AcmeUrls urls = null;
        try {
            urls = AcmeUrls.of(ctx, settings.baseUrl());
            replies.send(ctx, urls, new Reply(status, null, null, null, null, List.of(), null));
        } catch (Throwable t) {
            replies.failure(ctx, urls, t);
        }
    }

    private static void sendPlain(RoutingContext ctx, AcmeUrls urls, Reply reply) {
        ctx.response().setStatusCode(reply.status()).putHeader("Content-Type", AcmeReplies.JSON)
                .putHeader("Link", "<" + urls.directory() + ">;rel=\"index\"")
                .end(AcmeJson.write(reply.json()));
    }

    /** The directory (RFC 8555 §7.1.1) with {@code meta}, {@code renewalInfo} (RFC 9773) and profiles. */
    static final class Directory {
        private final AcmeSettings settings;
        private final dev.hallmark.authority.profile.ProfileCatalog profiles;

        Directory(AcmeSettings settings, dev.hallmark.authority.profile.ProfileCatalog profiles) {
            this.settings = settings;
            this.profiles = profiles;
        }

        void get(RoutingContext ctx) {
            AcmeUrls urls;
            try {
                urls = AcmeUrls.of(ctx, settings.baseUrl());
            } catch (AcmeProblem p) {
                ctx.response().setStatusCode(400).putHeader("Content-Type", AcmeReplies.PROBLEM)
                        .end(AcmeJson.write(AcmeReplies.body(p, ctx.request().path())));
                return;
            }
            ObjectNode o = AcmeJson.newObject();
            o.put("newNonce", urls.newNonce());
            o.put("newAccount", urls.newAccount());
            o.put("newOrder", urls.newOrder());
            o.put("revokeCert", urls.revokeCert());
            o.put("keyChange", urls.keyChange());
            o.put("renewalInfo", urls.renewalInfo());
            ObjectNode meta = o.putObject("meta");
            if (settings.termsOfService() != null) {
                meta.put("termsOfService", settings.termsOfService());
            }
            if (settings.website() != null) {
                meta.put("website", settings.website());
            }
            if (!settings.validation().caaIdentities().isEmpty()) {
                ArrayNode caa = meta.putArray("caaIdentities");
                settings.validation().caaIdentities().forEach(caa::add);
            }
            meta.put("externalAccountRequired", settings.externalAccountRequired());
            ObjectNode ps = meta.putObject("profiles");
            for (String p : settings.profiles()) {
                var profile = profiles.profiles().get(p);
                ps.put(p, profile == null || profile.description().isEmpty() ? p : profile.description());
            }
            ctx.response().putHeader("Content-Type", AcmeReplies.JSON).putHeader("Cache-Control", "public, max-age=60")
                    .end(AcmeJson.write(o));
        }
    }

    @Override
    public void close() {
        if (housekeeping != null) {
            housekeeping.shutdownNow();
        }
        if (validator != null) {
            validator.close();
        }
    }
}
