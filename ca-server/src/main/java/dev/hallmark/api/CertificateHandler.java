package dev.hallmark.api;

import dev.hallmark.authority.Authority;
import dev.hallmark.authority.CaException;
import dev.hallmark.authority.IssuedCertificate;
import dev.hallmark.server.Caller;
import dev.hallmark.server.Problems;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code GET /api/v1/certificates/{serial}}: one certificate, as JSON (default), as the PEM chain leaf first
 * ({@code application/pem-certificate-chain}, RFC 8555 section 9.1) or as DER ({@code application/pkix-cert},
 * RFC 2585), chosen by {@code Accept} with q-values; anything else is 406. A serial whose issuance outcome is
 * unknown has no certificate: JSON shows its serial record, the certificate forms are 404.
 */
final class CertificateHandler {
    static final String PEM_CHAIN = "application/pem-certificate-chain";
    static final String PKIX_CERT = "application/pkix-cert";
    private static final List<String> OFFERS = List.of(Replies.JSON, PEM_CHAIN, PKIX_CERT);

    private final Authority authority;
    private final CertificateLookup lookup;

    CertificateHandler(Authority authority, CertificateLookup lookup) {
        this.authority = authority;
        this.lookup = lookup;
    }

    void handle(RoutingContext ctx, Caller caller) {
        ctx.response().putHeader("Vary", "Accept");
        Optional<String> type = AcceptHeader.choose(ctx.request().getHeader("Accept"), OFFERS);
        if (type.isEmpty()) {
            Problems.send(ctx, Problems.ofStatus(406, "this resource is available as " + String.join(", ", OFFERS)));
            return;
        }
        QueryParams query = QueryParams.of(ctx, Set.of("ca"));
        CertificateLookup.Found found = lookup.find(ctx.pathParam("serial"), query.string("ca"));
        if (!found.hasCertificate()) {
            if (!type.get().equals(Replies.JSON)) {
                throw new CaException(CaException.Kind.NOT_FOUND, "serial " + found.serial().hex() + " of CA '"
                        + found.ca() + "' has no stored certificate (issuance outcome unknown)");
            }
            Replies.json(ctx, SerialView.of(found.record()));
            return;
        }
        byte[] der = found.certificate().der();
        switch (type.get()) {
            case PKIX_CERT -> Replies.bytes(ctx, PKIX_CERT, der, "no-store");
            case PEM_CHAIN -> {
                IssuedCertificate issued = new IssuedCertificate(found.certificate(), authority.signingCaChain(found.ca()));
                Replies.bytes(ctx, PEM_CHAIN, issued.pemChain().getBytes(StandardCharsets.US_ASCII), "no-store");
            }
            default -> Replies.json(ctx, CertificateView.full(found.certificate(), authority.now(),
                    authority.signingCaChain(found.ca())));
        }
    }
}
