package dev.hallmark.protocol.acme;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.authority.CaException;
import dev.hallmark.db.DatabaseException;
import dev.hallmark.hsm.TokenException;
import dev.hallmark.ledger.LedgerException;
import dev.hallmark.server.RequestIds;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes ACME answers: every response to a POST carries a fresh {@code Replay-Nonce} (RFC 8555 §6.5), every one a
 * {@code Link: <directory>;rel="index"} (§7.1), errors are {@code application/problem+json} with the ACME problem
 * type (§6.7). Internal failures reach the client as {@code serverInternal} with the request id only.
 */
final class AcmeReplies {
    static final String JSON = "application/json";
    static final String PROBLEM = "application/problem+json";
    static final String PEM_CHAIN = "application/pem-certificate-chain";
    private static final Logger LOG = LoggerFactory.getLogger(AcmeReplies.class);

    /**
     * An answer.
     *
     * @param status     HTTP status
     * @param json       a JSON body, or null
     * @param bytes      a non-JSON body (with {@code mediaType}), or null
     * @param mediaType  the media type of {@code bytes}
     * @param location   a {@code Location}, or null
     * @param links      extra {@code Link} values ({@code <url>;rel="up"})
     * @param retryAfter a {@code Retry-After}, or null
     */
    record Reply(int status, JsonNode json, byte[] bytes, String mediaType, String location, List<String> links,
                 Duration retryAfter) {
        static Reply json(int status, JsonNode body) {
            return new Reply(status, body, null, null, null, List.of(), null);
        }

        static Reply ok(JsonNode body) {
            return json(200, body);
        }

        static Reply bytes(String mediaType, byte[] body) {
            return new Reply(200, null, body, mediaType, null, List.of(), null);
        }

        Reply location(String url) {
            return new Reply(status, json, bytes, mediaType, url, links, retryAfter);
        }

        Reply link(String url, String rel) {
            List<String> l = new ArrayList<>(links);
            l.add("<" + url + ">;rel=\"" + rel + "\"");
            return new Reply(status, json, bytes, mediaType, location, l, retryAfter);
        }

        Reply retryAfter(Duration d) {
            return new Reply(status, json, bytes, mediaType, location, links, d);
        }
    }

    private final Nonces nonces;
    private final AcmeMetrics metrics;

    AcmeReplies(Nonces nonces, AcmeMetrics metrics) {
        this.nonces = nonces;
        this.metrics = metrics;
    }

    /** Sends {@code reply}; {@code urls} may be null when the request had no usable Host. */
    void send(RoutingContext ctx, AcmeUrls urls, Reply reply) {
        HttpServerResponse r = ctx.response();
        if (r.ended() || r.closed()) {
            return;
        }
        r.setStatusCode(reply.status());
        r.putHeader("Replay-Nonce", nonces.fresh());
        r.putHeader("Cache-Control", "no-store");
        List<String> links = new ArrayList<>(reply.links());
        if (urls != null) {
            links.add("<" + urls.directory() + ">;rel=\"index\"");
        }
        if (!links.isEmpty()) {
            r.headers().add("Link", links);
        }
        if (reply.location() != null) {
            r.putHeader("Location", reply.location());
        }
        if (reply.retryAfter() != null) {
            r.putHeader("Retry-After", Long.toString(Math.max(1, reply.retryAfter().toSeconds())));
        }
        if (reply.json() != null) {
            r.putHeader("Content-Type", reply.status() >= 400 ? PROBLEM : JSON);
            r.end(AcmeJson.write(reply.json()));
        } else if (reply.bytes() != null) {
            r.putHeader("Content-Type", reply.mediaType());
            r.end(io.vertx.core.buffer.Buffer.buffer(reply.bytes()));
        } else {
            r.end();
        }
    }

    /** Sends the problem for {@code failure}, logging internal ones with the request id. */
    void failure(RoutingContext ctx, AcmeUrls urls, Throwable failure) {
        AcmeProblem p = problem(failure, RequestIds.of(ctx));
        if ("badNonce".equals(p.type())) {
            metrics.nonceRejected();
        }
        Reply reply = Reply.json(p.status(), body(p, ctx.request().path()));
        if (p.location() != null) {
            reply = reply.location(p.location());
        }
        if (p.retryAfter() != null) {
            reply = reply.retryAfter(p.retryAfter());
        }
        try {
            send(ctx, urls, reply);
        } catch (RuntimeException e) { // no nonce can be stored: the database is gone; answer without one
            LOG.warn("[{}] cannot issue a nonce for an error answer: {}", RequestIds.of(ctx), e.toString());
            if (!ctx.response().ended()) {
                ctx.response().setStatusCode(503).putHeader("Content-Type", PROBLEM).putHeader("Retry-After", "5")
                        .end(AcmeJson.write(body(AcmeProblem.of("serverInternal", 503, "the server cannot answer now; retry later"),
                                ctx.request().path())));
            }
        }
    }

    /** The ACME problem for anything a handler threw. */
    static AcmeProblem problem(Throwable failure, String requestId) {
        Throwable t = failure;
        while ((t instanceof java.util.concurrent.CompletionException || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof AcmeProblem p) {
            return p;
        }
        if (t instanceof CaException e) {
            AcmeProblem p = AcmeProblem.of(e);
            if (p.status() == 500) {
                LOG.error("[{}] {}: {}", requestId, e.kind(), e.detail(), e);
                return internal(requestId);
            }
            return p;
        }
        if (t instanceof TokenException || t instanceof LedgerException
                || (t instanceof DatabaseException d && d.isTransient())) {
            LOG.warn("[{}] unavailable: {}", requestId, t.toString());
            return AcmeProblem.of("serverInternal", 503, "the CA cannot complete this now (" + (t instanceof TokenException
                    ? "key token" : t instanceof LedgerException ? "audit ledger" : "database")
                    + " unavailable); nothing was issued; retry later");
        }
        LOG.error("[{}] internal error", requestId, t);
        return internal(requestId);
    }

    private static AcmeProblem internal(String requestId) {
        return AcmeProblem.of("serverInternal", 500, "the server could not complete the request; quote request id "
                + requestId + " to the operator");
    }

    /** The problem document of RFC 8555 §6.7 / RFC 9457. */
    static ObjectNode body(AcmeProblem p, String instance) {
        ObjectNode o = AcmeJson.newObject();
        o.put("type", AcmeProblem.NAMESPACE + p.type());
        o.put("detail", p.getMessage());
        o.put("status", p.status());
        if (instance != null) {
            o.put("instance", instance);
        }
        if (!p.algorithms().isEmpty()) {
            ArrayNode a = o.putArray("algorithms");
            p.algorithms().forEach(a::add);
        }
        if (!p.subproblems().isEmpty()) {
            ArrayNode subs = o.putArray("subproblems");
            for (AcmeProblem.Sub s : p.subproblems()) {
                ObjectNode so = subs.addObject();
                so.put("type", AcmeProblem.NAMESPACE + s.type());
                so.put("detail", s.detail());
                if (s.identifier() != null) {
                    so.set("identifier", AcmeViews.identifier(s.identifier()));
                }
            }
        }
        return o;
    }
}
