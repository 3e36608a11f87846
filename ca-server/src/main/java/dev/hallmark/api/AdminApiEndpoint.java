package dev.hallmark.api;

import dev.hallmark.admin.AdminRole;
import dev.hallmark.authority.Authority;
import dev.hallmark.authority.CertificationRequest;
import dev.hallmark.server.Access;
import dev.hallmark.server.Endpoint;
import dev.hallmark.server.Listener;
import dev.hallmark.server.Route;
import dev.hallmark.server.ServerContext;
import io.vertx.core.http.HttpMethod;
import java.util.List;

/**
 * The admin REST API, {@code /api/v1/…} on the HTTPS listener: the route table. Every route declares its roles
 * (reads: admin, operator, auditor; issue, revoke and dry-run: admin, operator; tokens: admin), its body limit
 * and media types, and the operationId the OpenAPI document uses. Handlers block (JDBC, token) and so run on the
 * server's worker pool. The document at {@code /api/v1/openapi.json} also describes the admin routes of the other
 * endpoints the server runs, from their {@linkplain Endpoint#openApiResource fragments}.
 */
public final class AdminApiEndpoint implements Endpoint {
    /** The API's base path. */
    public static final String BASE = "/api/v1";
    /** Largest JSON body carrying a CSR, and largest raw PKCS#10 body. */
    static final int CSR_BODY_LIMIT = CertificationRequest.MAX_BYTES;
    /** Largest body of the small JSON requests (revoke, token). */
    static final int SMALL_BODY_LIMIT = 4 * 1024;

    private static final Access READ = Access.roles(AdminRole.ADMIN, AdminRole.OPERATOR, AdminRole.AUDITOR);
    private static final Access WRITE = Access.roles(AdminRole.ADMIN, AdminRole.OPERATOR);
    private static final Access ADMIN = Access.roles(AdminRole.ADMIN);

    /** For {@link java.util.ServiceLoader}. */
    public AdminApiEndpoint() {
    }

    @Override
    public String name() {
        return "api";
    }

    /** The routes with a document that has no other endpoint's fragment. */
    @Override
    public List<Route> routes(ServerContext context) {
        return routes(context, List.of(this));
    }

    /** The routes; the OpenAPI document merges the fragments of the other {@code active} endpoints. */
    @Override
    public List<Route> routes(ServerContext context, List<Endpoint> active) {
        OpenApiHandler openApi = new OpenApiHandler(context, active.stream().filter(e -> e != this).toList());
        Authority authority = context.authority();
        String defaultCa = context.config().issuingCa();
        CertificateLookup lookup = new CertificateLookup(authority);
        IssueHandler issue = new IssueHandler(authority, defaultCa);
        SearchHandler search = new SearchHandler(authority, lookup);
        CertificateHandler certificate = new CertificateHandler(authority, lookup);
        RevokeHandler revoke = new RevokeHandler(authority, lookup, context.credentials());
        InclusionProofHandler inclusion = new InclusionProofHandler(context.ledger(), context.token(), lookup,
                context.settings().checkpointInterval());
        CaHandler cas = new CaHandler(authority, lookup, defaultCa);
        ProfileHandler profiles = new ProfileHandler(authority.profiles());
        DryRunHandler dryRun = new DryRunHandler(authority, defaultCa);
        LedgerHandler ledger = new LedgerHandler(context.ledger(), context.token());
        TokenHandler tokens = new TokenHandler(context.credentials(), context.clock());
        return List.of(
                route(HttpMethod.POST, "/certificates").access(WRITE)
                        .body(CSR_BODY_LIMIT, Replies.JSON, IssuanceInput.PKCS10)
                        .operationId("issueCertificate").handler(issue::handle),
                route(HttpMethod.GET, "/certificates").access(READ)
                        .operationId("searchCertificates").handler(search::handle),
                route(HttpMethod.GET, "/certificates/:serial").access(READ)
                        .operationId("getCertificate").handler(certificate::handle),
                route(HttpMethod.POST, "/certificates/:serial/revoke").access(WRITE)
                        .body(SMALL_BODY_LIMIT, Replies.JSON)
                        .operationId("revokeCertificate").handler(revoke::handle),
                route(HttpMethod.GET, "/certificates/:serial/inclusion-proof").access(READ)
                        .operationId("getInclusionProof").handler(inclusion::handle),
                route(HttpMethod.GET, "/cas").access(READ).operationId("listCas").handler(cas::list),
                route(HttpMethod.GET, "/cas/:name").access(READ).operationId("getCa").handler(cas::get),
                route(HttpMethod.GET, "/profiles").access(READ).operationId("listProfiles").handler(profiles::list),
                route(HttpMethod.GET, "/profiles/:name").access(READ).operationId("getProfile").handler(profiles::get),
                route(HttpMethod.POST, "/policy/dry-run").access(WRITE)
                        .body(CSR_BODY_LIMIT, Replies.JSON)
                        .operationId("dryRunPolicy").handler(dryRun::handle),
                route(HttpMethod.GET, "/ledger/checkpoint").access(READ)
                        .operationId("getLedgerCheckpoint").handler(ledger::checkpoint),
                route(HttpMethod.GET, "/ledger/consistency").access(READ)
                        .operationId("getLedgerConsistency").handler(ledger::consistency),
                route(HttpMethod.GET, "/tokens").access(ADMIN).operationId("listTokens").handler(tokens::list),
                route(HttpMethod.POST, "/tokens").access(ADMIN).body(SMALL_BODY_LIMIT, Replies.JSON)
                        .operationId("createToken").handler(tokens::create),
                route(HttpMethod.GET, "/tokens/:id").access(ADMIN).operationId("getToken").handler(tokens::get),
                route(HttpMethod.DELETE, "/tokens/:id").access(ADMIN).operationId("revokeToken").handler(tokens::revoke),
                route(HttpMethod.GET, "/openapi.json").access(Access.open()).eventLoop()
                        .operationId("getOpenApi").handler(openApi::handle));
    }

    private static Route.Builder route(HttpMethod method, String path) {
        return Route.on(Listener.HTTPS, method, BASE + path);
    }
}
