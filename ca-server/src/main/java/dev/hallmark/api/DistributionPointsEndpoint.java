package dev.hallmark.api;

import dev.hallmark.authority.Authority;
import dev.hallmark.authority.CaException;
import dev.hallmark.authority.CaRecord;
import dev.hallmark.authority.IssuedCertificate;
import dev.hallmark.server.Access;
import dev.hallmark.server.Caller;
import dev.hallmark.server.Endpoint;
import dev.hallmark.server.Listener;
import dev.hallmark.server.Route;
import dev.hallmark.server.ServerContext;
import dev.hallmark.server.ServerRole;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CA certificate distribution points on the plain HTTP listener (SPEC "Listeners"), the targets of the
 * caIssuers URLs of issued certificates (RFC 5280 4.2.2.1): {@code /ca/<ca>.crt} as DER
 * ({@code application/pkix-cert}, RFC 2585) and {@code /ca/<ca>.pem} ({@code application/x-pem-file}). Public
 * data, open access, cacheable for an hour. Served by every node that answers revocation traffic too.
 */
public final class DistributionPointsEndpoint implements Endpoint {
    /** The path prefix. */
    public static final String PREFIX = "/ca/";
    private static final Pattern FILE = Pattern.compile("([a-z0-9][a-z0-9-]{0,62})\\.(crt|pem)");
    private static final String CACHE = "public, max-age=3600";

    /** For {@link java.util.ServiceLoader}. */
    public DistributionPointsEndpoint() {
    }

    @Override
    public String name() {
        return "distribution-points";
    }

    @Override
    public Set<ServerRole> roles() {
        return EnumSet.of(ServerRole.ALL, ServerRole.OCSP);
    }

    @Override
    public List<Route> routes(ServerContext context) {
        Authority authority = context.authority();
        return List.of(Route.on(Listener.HTTP, HttpMethod.GET, PREFIX + ":file").access(Access.open())
                .operationId("getCaCertificateFile").handler((ctx, caller) -> serve(authority, ctx, caller)));
    }

    private static void serve(Authority authority, RoutingContext ctx, Caller caller) {
        String file = ctx.pathParam("file");
        Matcher m = FILE.matcher(file == null ? "" : file);
        if (!m.matches()) {
            throw new CaException(CaException.Kind.NOT_FOUND, "no such file; CA certificates are at /ca/<ca>.crt and /ca/<ca>.pem");
        }
        CaRecord ca = authority.cas().stream().filter(c -> c.name().equals(m.group(1))).findFirst()
                .orElseThrow(() -> new CaException(CaException.Kind.NOT_FOUND, "no CA '" + m.group(1) + "'"));
        if (m.group(2).equals("crt")) {
            Replies.bytes(ctx, "application/pkix-cert", ca.certificateDer(), CACHE);
        } else {
            Replies.bytes(ctx, "application/x-pem-file",
                    IssuedCertificate.pem(ca.certificateDer()).getBytes(StandardCharsets.US_ASCII), CACHE);
        }
    }
}
