package dev.hallmark.protocol.acme;

import io.vertx.ext.web.RoutingContext;
import java.net.URI;

/**
 * The URLs of ACME resources as one client sees them. The base is {@code acme.baseUrl} when configured, else the
 * scheme and {@code Host} of the request (so the directory names the host the client used); the JWS {@code url}
 * must equal the request's URL built the same way (RFC 8555 §6.4).
 *
 * @param base {@code https://host[:port]}
 */
public record AcmeUrls(String base) {
    /** Path prefix of every ACME resource. */
    public static final String ROOT = "/acme";

    /** The URLs for {@code ctx}'s request. */
    public static AcmeUrls of(RoutingContext ctx, URI configured) {
        if (configured != null) {
            return new AcmeUrls(configured.toString());
        }
        String host = ctx.request().authority() == null ? null : ctx.request().authority().toString();
        if (host == null || host.isEmpty()) {
            throw AcmeProblem.malformed("the request has no Host header");
        }
        return new AcmeUrls((ctx.request().isSSL() ? "https://" : "http://") + host);
    }

    /**
     * The URL of the request itself, query included (what its JWS {@code url} must be, so that the query is signed
     * too: the orders list's {@code next} links carry one).
     */
    public String request(RoutingContext ctx) {
        String query = ctx.request().query();
        return base + ctx.request().path() + (query == null ? "" : "?" + query);
    }

    public String directory() {
        return base + ROOT + "/directory";
    }

    public String newNonce() {
        return base + ROOT + "/new-nonce";
    }

    public String newAccount() {
        return base + ROOT + "/new-account";
    }

    public String newOrder() {
        return base + ROOT + "/new-order";
    }

    public String revokeCert() {
        return base + ROOT + "/revoke-cert";
    }

    public String keyChange() {
        return base + ROOT + "/key-change";
    }

    public String renewalInfo() {
        return base + ROOT + "/renewal-info";
    }

    public String account(long id) {
        return base + ROOT + "/acct/" + id;
    }

    public String orders(long accountId) {
        return account(accountId) + "/orders";
    }

    public String order(String id) {
        return base + ROOT + "/order/" + id;
    }

    public String finalizeUrl(String orderId) {
        return order(orderId) + "/finalize";
    }

    public String authorization(String id) {
        return base + ROOT + "/authz/" + id;
    }

    public String challenge(String id) {
        return base + ROOT + "/chall/" + id;
    }

    public String certificate(String ca, String serialHex) {
        return base + ROOT + "/cert/" + ca + "/" + serialHex;
    }

    /**
     * The account id a {@code kid} names, or -1 when it is not one of this server's account URLs.
     */
    public long accountId(String kid) {
        String prefix = base + ROOT + "/acct/";
        if (kid == null || !kid.startsWith(prefix)) {
            return -1;
        }
        String rest = kid.substring(prefix.length());
        if (rest.isEmpty() || rest.length() > 18 || !rest.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        return Long.parseLong(rest);
    }
}
