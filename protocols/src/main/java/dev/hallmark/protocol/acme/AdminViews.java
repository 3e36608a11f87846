package dev.hallmark.protocol.acme;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.admin.AdminRole;
import dev.hallmark.server.Access;
import dev.hallmark.server.Listener;
import dev.hallmark.server.Problems;
import dev.hallmark.server.Route;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * The administrators' view of ACME state in the admin API: {@code GET /api/v1/acme/accounts} and
 * {@code GET /api/v1/acme/orders[?account=ID]}, newest first, {@code offset}/{@code limit} paging (limit ≤ 500).
 * Read-only; every admin role may read. Account keys are shown by thumbprint only.
 */
final class AdminViews {
    private static final int MAX_LIMIT = 500;
    private final AcmeStore store;

    AdminViews(AcmeStore store) {
        this.store = store;
    }

    List<Route> routes() {
        Access readers = Access.roles(AdminRole.ADMIN, AdminRole.OPERATOR, AdminRole.AUDITOR);
        return List.of(
                Route.on(Listener.HTTPS, HttpMethod.GET, "/api/v1/acme/accounts").access(readers)
                        .operationId("listAcmeAccounts").handler((ctx, caller) -> accounts(ctx)),
                Route.on(Listener.HTTPS, HttpMethod.GET, "/api/v1/acme/orders").access(readers)
                        .operationId("listAcmeOrders").handler((ctx, caller) -> orders(ctx)));
    }

    private void accounts(RoutingContext ctx) {
        int[] page = page(ctx);
        if (page == null) {
            return;
        }
        ObjectNode o = AcmeJson.newObject();
        ArrayNode arr = o.putArray("accounts");
        for (AcmeAccount a : store.accounts(page[0], page[1])) {
            ObjectNode n = arr.addObject();
            n.put("id", a.id());
            n.put("status", a.status().label());
            n.put("thumbprint", a.thumbprint());
            ArrayNode c = n.putArray("contact");
            a.contacts().forEach(c::add);
            n.put("termsOfServiceAgreed", a.termsAgreed());
            if (a.eabKid() != null) {
                n.put("eabKid", a.eabKid());
            }
            n.put("createdAt", AcmeViews.time(a.createdAt()));
        }
        send(ctx, o);
    }

    private void orders(RoutingContext ctx) {
        int[] page = page(ctx);
        if (page == null) {
            return;
        }
        Long account = null;
        String a = ctx.request().getParam("account");
        if (a != null) {
            try {
                account = Long.parseLong(a);
            } catch (NumberFormatException e) {
                Problems.send(ctx, Problems.ofStatus(400, "account must be a number"));
                return;
            }
        }
        ObjectNode o = AcmeJson.newObject();
        ArrayNode arr = o.putArray("orders");
        for (AcmeOrder order : store.orders(account, page[0], page[1])) {
            ObjectNode n = arr.addObject();
            n.put("id", order.id());
            n.put("account", order.accountId());
            n.put("status", order.status().label());
            ArrayNode ids = n.putArray("identifiers");
            order.identifiers().forEach(i -> ids.add(AcmeViews.identifier(i)));
            n.put("profile", order.profile());
            n.put("expires", AcmeViews.time(order.expires()));
            n.put("createdAt", AcmeViews.time(order.createdAt()));
            if (order.certSerial() != null) {
                n.put("ca", order.certIssuer());
                n.put("serial", order.certSerial());
            }
            if (order.replaces() != null) {
                n.put("replaces", order.replaces());
            }
        }
        send(ctx, o);
    }

    /** {offset, limit}, or null after answering 400. */
    private static int[] page(RoutingContext ctx) {
        try {
            String off = ctx.request().getParam("offset");
            String lim = ctx.request().getParam("limit");
            int offset = off == null ? 0 : Integer.parseInt(off);
            int limit = lim == null ? 100 : Integer.parseInt(lim);
            if (offset < 0 || limit < 1 || limit > MAX_LIMIT) {
                throw new NumberFormatException();
            }
            return new int[] {offset, limit};
        } catch (NumberFormatException e) {
            Problems.send(ctx, Problems.ofStatus(400, "offset must be 0 or more and limit 1 to " + MAX_LIMIT));
            return null;
        }
    }

    private static void send(RoutingContext ctx, ObjectNode body) {
        // Account contacts and orders are not for caches, as no admin API answer is.
        ctx.response().putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store")
                .end(AcmeJson.write(body));
    }
}
