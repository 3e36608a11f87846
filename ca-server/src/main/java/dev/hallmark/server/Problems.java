package dev.hallmark.server;

import dev.hallmark.authority.CaException;
import dev.hallmark.config.ConfigException;
import dev.hallmark.db.DatabaseException;
import dev.hallmark.hsm.TokenException;
import dev.hallmark.ledger.LedgerException;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code application/problem+json} answers (RFC 9457), the one mapping from {@link CaException.Kind} to HTTP for the
 * admin API and the server's own refusals (docs/ERRORS.md). Internal failures are logged with the request id and the
 * client gets only that id.
 */
public final class Problems {
    /** The media type of every problem document. */
    public static final String MEDIA_TYPE = "application/problem+json";
    /** Prefix of every problem type URI. */
    public static final String TYPE_PREFIX = "urn:hallmark:problem:";
    private static final Logger LOG = LoggerFactory.getLogger(Problems.class);

    private Problems() {
    }

    /**
     * A problem to send.
     *
     * @param status HTTP status
     * @param type   short type name, e.g. {@code badCSR} (the URI is {@value #TYPE_PREFIX} + type)
     * @param title  a short human summary of the type
     * @param detail what went wrong with this request
     */
    public record Problem(int status, String type, String title, String detail, JsonArray subproblems) {
        public Problem(int status, String type, String title, String detail) {
            this(status, type, title, detail, null);
        }
    }

    /** The problem for a failure thrown by a handler; logs internal ones with the request id. */
    public static Problem of(Throwable failure, String requestId) {
        Throwable t = failure;
        if (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof CaException e) {
            return ofKind(e, requestId);
        }
        if (t instanceof WorkerPool.Overloaded) {
            LOG.warn("[{}] refused: the worker pool is saturated", requestId);
            return new Problem(503, "unavailable", "Service unavailable", "the server is saturated; retry later");
        }
        if (t instanceof TokenException e && e.reason() == TokenException.Reason.UNAVAILABLE) {
            return new Problem(503, "tokenUnavailable", "Token unavailable", "the key token cannot sign now; retry later");
        }
        if (t instanceof LedgerException) {
            LOG.warn("[{}] audit ledger failure", requestId, t);
            return new Problem(503, "ledgerUnavailable", "Audit ledger unavailable",
                    "the audit ledger cannot be written, so nothing was signed; retry later");
        }
        if (t instanceof DatabaseException e && e.isTransient()) {
            LOG.warn("[{}] database unavailable", requestId, t);
            return new Problem(503, "unavailable", "Service unavailable", "the database is unavailable; retry later");
        }
        if (t instanceof ConfigException) {
            LOG.error("[{}] configuration error", requestId, t);
        } else {
            LOG.error("[{}] internal error", requestId, t);
        }
        return internal(requestId);
    }

    private static Problem ofKind(CaException e, String requestId) {
        String detail = e.detail();
        Problem p = switch (e.kind()) {
            case MALFORMED -> new Problem(400, "malformed", "Malformed request", detail);
            case BAD_CSR -> new Problem(400, "badCSR", "Unusable CSR", detail);
            case BAD_PUBLIC_KEY -> new Problem(400, "badPublicKey", "Refused public key", detail);
            case BAD_SIGNATURE_ALGORITHM -> new Problem(400, "badSignatureAlgorithm", "Refused signature algorithm", detail);
            case REJECTED_IDENTIFIER -> new Problem(400, "rejectedIdentifier", "Identifier refused by policy", detail);
            case UNAUTHORIZED -> new Problem(403, "unauthorized", "Not allowed", detail);
            case NOT_FOUND -> new Problem(404, "notFound", "Not found", detail);
            case ALREADY_REVOKED -> new Problem(409, "alreadyRevoked", "Already revoked", detail);
            case BAD_REVOCATION_REASON -> new Problem(400, "badRevocationReason", "Refused revocation reason", detail);
            case CONFLICT -> new Problem(409, "conflict", "Conflict", detail);
            case RATE_LIMITED -> new Problem(429, "rateLimited", "Rate limited", detail);
            case POLICY_DENIED -> new Problem(403, "policyDenied", "Refused by policy", detail);
            case PENDING_APPROVAL -> new Problem(403, "pendingApproval", "Approval required", detail);
            case TOKEN_UNAVAILABLE -> new Problem(503, "tokenUnavailable", "Token unavailable", detail);
            case LEDGER_UNAVAILABLE -> new Problem(503, "ledgerUnavailable", "Audit ledger unavailable", detail);
            case LINT_FAILED, INTERNAL -> null;
        };
        if (p == null) {
            LOG.error("[{}] {}: {}", requestId, e.kind(), detail, e);
            return internal(requestId);
        }
        if (!e.subproblems().isEmpty()) {
            JsonArray subs = new JsonArray();
            for (CaException.Subproblem s : e.subproblems()) {
                JsonObject o = new JsonObject().put("type", TYPE_PREFIX + typeOf(s.kind())).put("detail", s.detail());
                if (s.identifier() != null) {
                    o.put("identifier", new JsonObject().put("type", s.identifier().type().label())
                            .put("value", s.identifier().value()));
                }
                subs.add(o);
            }
            p = new Problem(p.status(), p.type(), p.title(), p.detail(), subs);
        }
        return p;
    }

    private static String typeOf(CaException.Kind kind) {
        String[] words = kind.name().toLowerCase(Locale.ROOT).split("_");
        StringBuilder sb = new StringBuilder(words[0]);
        for (int i = 1; i < words.length; i++) {
            sb.append(Character.toUpperCase(words[i].charAt(0))).append(words[i].substring(1));
        }
        return sb.toString().replace("badCsr", "badCSR");
    }

    /** The answer to an internal failure: the request id, nothing else. */
    public static Problem internal(String requestId) {
        return new Problem(500, "internal", "Internal error",
                "the server could not complete the request; quote request id " + requestId + " to the operator");
    }

    /** The problem for a status the server itself answers (404, 405, 413, 415, …). */
    public static Problem ofStatus(int status, String detail) {
        return switch (status) {
            case 400 -> new Problem(400, "malformed", "Malformed request", detail);
            case 401 -> new Problem(401, "unauthenticated", "Authentication required", detail);
            case 403 -> new Problem(403, "forbidden", "Forbidden", detail);
            case 404 -> new Problem(404, "notFound", "Not found", detail);
            case 405 -> new Problem(405, "methodNotAllowed", "Method not allowed", detail);
            case 406 -> new Problem(406, "notAcceptable", "Not acceptable", detail);
            case 408 -> new Problem(408, "requestTimeout", "Request timeout", detail);
            case 413 -> new Problem(413, "payloadTooLarge", "Payload too large", detail);
            case 414 -> new Problem(414, "uriTooLong", "URI too long", detail);
            case 415 -> new Problem(415, "unsupportedMediaType", "Unsupported media type", detail);
            case 429 -> new Problem(429, "rateLimited", "Too many requests", detail);
            case 431 -> new Problem(431, "headersTooLarge", "Request header fields too large", detail);
            case 503 -> new Problem(503, "unavailable", "Service unavailable", detail);
            default -> new Problem(status, "http" + status, "HTTP " + status, detail);
        };
    }

    /** Sends {@code problem} unless the response has already started. */
    public static void send(RoutingContext ctx, Problem problem) {
        HttpServerResponse response = ctx.response();
        if (response.headWritten() || response.ended() || response.closed()) {
            return;
        }
        String requestId = RequestIds.of(ctx);
        JsonObject body = new JsonObject()
                .put("type", TYPE_PREFIX + problem.type())
                .put("title", problem.title())
                .put("status", problem.status())
                .put("detail", problem.detail())
                .put("instance", ctx.request().path())
                .put("requestId", requestId);
        if (problem.subproblems() != null) {
            body.put("subproblems", problem.subproblems());
        }
        response.setStatusCode(problem.status()).putHeader("Content-Type", MEDIA_TYPE);
        if (problem.status() == 503) {
            response.putHeader("Retry-After", "5");
        }
        if (problem.status() == 401 && response.headers().get("WWW-Authenticate") == null) {
            response.putHeader("WWW-Authenticate", "Bearer realm=\"hallmark\"");
        }
        response.end(body.encode());
    }
}
