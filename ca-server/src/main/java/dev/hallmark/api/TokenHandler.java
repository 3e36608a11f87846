package dev.hallmark.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.hallmark.admin.AdminCredentials;
import dev.hallmark.admin.AdminRole;
import dev.hallmark.authority.CaException;
import dev.hallmark.server.Caller;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;

/**
 * {@code /api/v1/tokens}: administrator credentials. A created token is shown once, in the 201 answer (never
 * cached, never logged); only its SHA-256 is kept and the ledger records the creation without it (RELIABILITY
 * I12). Deleting revokes: the token stops working at once on every node, and a revocation is never undone.
 * The audit actor is the calling credential.
 */
final class TokenHandler {
    private static final Set<String> MEMBERS = Set.of("name", "role");

    private final AdminCredentials credentials;
    private final Clock clock;

    TokenHandler(AdminCredentials credentials, Clock clock) {
        this.credentials = credentials;
        this.clock = clock;
    }

    /**
     * A credential (schema {@code Token}); never its secret. The field names are those of
     * {@code hallmark token list --json}.
     *
     * @param id        public identifier
     * @param name      label
     * @param role      {@code admin}, {@code operator} or {@code auditor}
     * @param kind      {@code token} or {@code certificate}
     * @param createdAt RFC 3339
     * @param revokedAt RFC 3339, or null
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record TokenView(String id, String name, String role, String kind, String createdAt, String revokedAt) {
        static TokenView of(AdminCredentials.Credential c) {
            return new TokenView(c.id(), c.name(), roleName(c.role()), c.kind(), c.createdAt().toString(),
                    c.isRevoked() ? c.revokedAt().toString() : null);
        }
    }

    /**
     * A newly created token (schema {@code CreatedToken}).
     *
     * @param id    public identifier
     * @param name  label
     * @param role  its role
     * @param kind  always {@code token}
     * @param token the bearer token, shown only in this answer
     */
    record CreatedView(String id, String name, String role, String kind, String token) {
        @Override
        public String toString() {
            return "CreatedView[id=" + id + ", name=" + name + ", role=" + role + ", token=***]";
        }
    }

    void list(RoutingContext ctx, Caller caller) {
        QueryParams.of(ctx, Set.of());
        Replies.json(ctx, credentials.list().stream().map(TokenView::of).toList());
    }

    void get(RoutingContext ctx, Caller caller) {
        QueryParams.of(ctx, Set.of());
        Replies.json(ctx, TokenView.of(find(ctx.pathParam("id"))));
    }

    void create(RoutingContext ctx, Caller caller) {
        QueryParams.of(ctx, Set.of());
        JsonRequest body = JsonRequest.parse(ctx.body() == null ? null : ctx.body().buffer(), MEMBERS);
        String name = body.requiredString("name");
        AdminRole role = role(body.requiredString("role"));
        try {
            AdminCredentials.checkName(name);
        } catch (IllegalArgumentException e) {
            throw new CaException(CaException.Kind.MALFORMED, "member 'name': " + e.getMessage());
        }
        AdminCredentials.Created created = credentials.create(name, role, caller.actor(), clock.instant());
        ctx.response().putHeader("Location", AdminApiEndpoint.BASE + "/tokens/" + created.id());
        Replies.json(ctx, 201, new CreatedView(created.id(), created.name(), roleName(created.role()), "token",
                created.token()));
    }

    void revoke(RoutingContext ctx, Caller caller) {
        QueryParams.of(ctx, Set.of());
        AdminCredentials.Credential credential = find(ctx.pathParam("id"));
        if (!credential.isRevoked()) {
            credentials.revoke(credential.id(), caller.actor(), clock.instant());
        }
        Replies.noContent(ctx);
    }

    private AdminCredentials.Credential find(String id) {
        if (!id.matches("[0-9a-f]{1,64}")) {
            throw new CaException(CaException.Kind.NOT_FOUND, "no admin credential has this id");
        }
        return credentials.find(id).orElseThrow(() -> new CaException(CaException.Kind.NOT_FOUND,
                "no admin credential has id '" + id + "'"));
    }

    private static AdminRole role(String text) {
        return Arrays.stream(AdminRole.values()).filter(r -> r.name().equalsIgnoreCase(text.trim())).findFirst()
                .orElseThrow(() -> new CaException(CaException.Kind.MALFORMED, "member 'role' must be one of "
                        + String.join(", ", Arrays.stream(AdminRole.values()).map(TokenHandler::roleName).toList())));
    }

    static String roleName(AdminRole role) {
        return role.name().toLowerCase(Locale.ROOT);
    }
}
