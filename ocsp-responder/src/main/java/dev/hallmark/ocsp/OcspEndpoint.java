package dev.hallmark.ocsp;

import dev.hallmark.authority.crl.Crls;
import dev.hallmark.config.RevocationSettings;
import dev.hallmark.server.Access;
import dev.hallmark.server.Endpoint;
import dev.hallmark.server.Listener;
import dev.hallmark.server.Route;
import dev.hallmark.server.ServerContext;
import dev.hallmark.server.ServerRole;
import io.vertx.core.http.HttpMethod;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The revocation service on the plain HTTP listener: OCSP ({@code POST /ocsp}, {@code GET /ocsp/<base64>}) and CRLs
 * ({@code GET /crl/<file>}), with the background work behind them (pre-signing, the revocation feed, the CRL
 * schedule). Served by {@code --role all} and {@code --role ocsp}; a responder-only node needs the shared database
 * and the token, nothing else.
 */
public final class OcspEndpoint implements Endpoint {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(OcspEndpoint.class);
    /** The OCSP path. */
    public static final String PATH = "/ocsp";
    /** Requests waiting for a signature beyond this many get {@code tryLater}. */
    static final int SIGNING_QUEUE = 2048;
    /**
     * The body the listener buffers: far above what a request may be ({@link OcspQuery#MAX_BYTES}), so an oversized
     * request still gets an OCSP {@code malformedRequest} (T35); only beyond this does the listener answer 413.
     */
    static final int MAX_BODY = 128 * 1024;

    private PreSigner preSigner;
    private CrlSchedule crlSchedule;
    private ThreadPoolExecutor signing;

    /** For {@link java.util.ServiceLoader}. */
    public OcspEndpoint() {
    }

    @Override
    public String name() {
        return "ocsp";
    }

    @Override
    public Set<ServerRole> roles() {
        return EnumSet.of(ServerRole.ALL, ServerRole.OCSP);
    }

    @Override
    public List<Route> routes(ServerContext c) {
        RevocationSettings settings = c.config().revocation();
        int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
        ResponseCache cache = new ResponseCache(settings.ocsp().cacheMaxEntries());
        OcspMetrics metrics = new OcspMetrics(c.metrics(), cache::size);
        ResponseSigner signer = new ResponseSigner(c.token(), settings.ocsp().validity());
        ResponderKeys keys = new ResponderKeys(c.authority(), c.token(), settings.ocsp(), c.clock());
        OcspResponder responder = new OcspResponder(c.authority(), keys, cache, signer, settings.ocsp(), c.clock(), metrics);
        for (var ca : c.authority().cas()) { // before the listener opens: no first request waits for a certificate
            try {
                keys.forCa(ca.name());
            } catch (RuntimeException e) {
                LOG.warn("no OCSP signer for CA '{}' yet (retried on the first request and every sweep): {}", ca.name(),
                        e.toString());
            }
        }
        AtomicInteger n = new AtomicInteger();
        signing = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(SIGNING_QUEUE), r -> {
            Thread t = new Thread(r, "hallmark-ocsp-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        preSigner = new PreSigner(c.authority(), responder, keys, cache, signer, settings.ocsp(), c.ledger(), c.clock(),
                metrics, threads);
        c.authority().addObserver(preSigner);
        preSigner.start();
        Crls crls = Crls.onDatabase(c.authority(), c.database(), c.ledger(), c.token(), c.config(), c.clock(), nodeName());
        crlSchedule = new CrlSchedule(crls, c.authority(), c.clock(), c.metrics());
        crlSchedule.start();
        OcspHandler ocsp = new OcspHandler(responder, signing, metrics, c.clock());
        CrlHandler crl = new CrlHandler(crls, c.authority(), c.clock());
        return List.of(
                Route.on(Listener.HTTP, HttpMethod.POST, PATH).access(Access.open()).eventLoop()
                        .body(MAX_BODY, Route.ANY_MEDIA_TYPE).operationId("ocspPost")
                        .handler((ctx, caller) -> ocsp.post(ctx)),
                Route.on(Listener.HTTP, HttpMethod.GET, PATH + "/*").access(Access.open()).eventLoop().anyPathBytes()
                        .operationId("ocspGet").handler((ctx, caller) -> ocsp.get(ctx)),
                Route.on(Listener.HTTP, HttpMethod.GET, "/crl/:file").access(Access.open())
                        .operationId("getCrl").handler((ctx, caller) -> crl.get(ctx)));
    }

    /** This node's name in the CRL builder lease and the CRLs it publishes: host and process id. */
    static String nodeName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        return host + "/" + ManagementFactory.getRuntimeMXBean().getPid();
    }

    @Override
    public void close() {
        if (crlSchedule != null) {
            crlSchedule.close();
        }
        if (preSigner != null) {
            preSigner.close();
        }
        if (signing != null) {
            signing.shutdownNow();
        }
    }
}
