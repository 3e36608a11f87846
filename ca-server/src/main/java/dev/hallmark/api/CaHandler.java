package dev.hallmark.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.hallmark.authority.Authority;
import dev.hallmark.authority.CaRecord;
import dev.hallmark.authority.IssuedCertificate;
import dev.hallmark.authority.KeyIdentifiers;
import dev.hallmark.server.Caller;
import io.vertx.ext.web.RoutingContext;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code GET /api/v1/cas} and {@code GET /api/v1/cas/{name}}: the CAs, roots first, with their certificates. */
final class CaHandler {
    private final Authority authority;
    private final CertificateLookup lookup;
    private final String defaultCa;

    CaHandler(Authority authority, CertificateLookup lookup, String defaultCa) {
        this.authority = authority;
        this.lookup = lookup;
        this.defaultCa = defaultCa;
    }

    /**
     * A CA (schema {@code Ca}); the field names are those of {@code hallmark ca list --json}.
     *
     * @param name               its name
     * @param parent             the CA that certified it, or null for a root
     * @param subject            RFC 4514 subject
     * @param keyType            {@code ec-p256}, {@code rsa-3072}, …
     * @param signatureAlgorithm JCA name of the algorithm it signs with
     * @param serial             its certificate's serial (hex)
     * @param notBefore          RFC 3339
     * @param notAfter           RFC 3339
     * @param sha256             hex SHA-256 of its certificate
     * @param defaultIssuer      whether it is the issuing CA used when a request names none
     * @param certificate        its certificate, PEM
     * @param certificateUrl     where the HTTP listener serves its certificate (DER)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record CaView(String name, String parent, String subject, String keyType, String signatureAlgorithm, String serial,
                  String notBefore, String notAfter, String sha256, boolean defaultIssuer, String certificate,
                  String certificateUrl) {
        static CaView of(CaRecord ca, String defaultCa) {
            return new CaView(ca.name(), ca.parentName(), ca.subject(), ca.keyType().cliName(),
                    ca.signatureAlgorithm().jcaName(), ca.serial().hex(), ca.notBefore().toString(),
                    ca.notAfter().toString(), KeyIdentifiers.sha256Hex(ca.certificateDer()), ca.name().equals(defaultCa),
                    IssuedCertificate.pem(ca.certificateDer()), DistributionPointsEndpoint.PREFIX + ca.name() + ".crt");
        }
    }

    void list(RoutingContext ctx, Caller caller) {
        QueryParams.of(ctx, Set.of());
        List<CaRecord> cas = authority.cas();
        Map<String, String> parents = new HashMap<>();
        cas.forEach(ca -> parents.put(ca.name(), ca.parentName()));
        // Roots first, then each CA after its parent; the store's order (creation time, name) within a level.
        List<CaView> views = cas.stream().sorted(Comparator.comparingInt(ca -> depth(ca.name(), parents)))
                .map(ca -> CaView.of(ca, defaultCa)).toList();
        Replies.json(ctx, views);
    }

    private static int depth(String name, Map<String, String> parents) {
        int depth = 0;
        String parent = parents.get(name);
        while (parent != null && depth < parents.size()) {
            depth++;
            parent = parents.get(parent);
        }
        return depth;
    }

    void get(RoutingContext ctx, Caller caller) {
        QueryParams.of(ctx, Set.of());
        Replies.json(ctx, CaView.of(lookup.caRecord(ctx.pathParam("name")), defaultCa));
    }
}
