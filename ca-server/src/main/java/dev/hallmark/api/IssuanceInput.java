package dev.hallmark.api;

import dev.hallmark.authority.CaException;
import dev.hallmark.authority.IssuanceRequest;
import dev.hallmark.authority.Provenance;
import dev.hallmark.server.Caller;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a client asks to have certified, read from the wire: a JSON body {@code {"csr", "profile", "ca"?}}, or a
 * raw {@code application/pkcs10} body with {@code ?profile=} and {@code ?ca=}.
 *
 * @param ca      the issuing CA's name (the configured issuing CA when the client names none)
 * @param profile the profile name
 * @param csr     the request's PEM or DER
 */
record IssuanceInput(String ca, String profile, byte[] csr) {
    /** The media type of a raw PKCS#10 body (RFC 5967). */
    static final String PKCS10 = "application/pkcs10";
    private static final Set<String> MEMBERS = Set.of("csr", "profile", "ca");
    private static final Set<String> RAW_QUERY = Set.of("profile", "ca");

    IssuanceInput {
        csr = csr.clone();
    }

    @Override
    public byte[] csr() {
        return csr.clone();
    }

    /**
     * Reads the request.
     *
     * @param defaultCa the CA used when the request names none
     * @throws CaException {@code MALFORMED} naming the missing or bad member or parameter
     */
    static IssuanceInput read(RoutingContext ctx, String defaultCa) {
        Buffer body = ctx.body() == null ? null : ctx.body().buffer();
        if (PKCS10.equals(mediaType(ctx.request().getHeader("Content-Type")))) {
            QueryParams query = QueryParams.of(ctx, RAW_QUERY);
            String profile = query.string("profile").orElseThrow(() -> QueryParams.bad("profile",
                    "is required with an " + PKCS10 + " body"));
            return new IssuanceInput(query.string("ca").orElse(defaultCa), profile,
                    CsrInput.fromBody(body == null ? new byte[0] : body.getBytes()));
        }
        QueryParams.of(ctx, Set.of());
        JsonRequest json = JsonRequest.parse(body, MEMBERS);
        byte[] csr = CsrInput.fromJson(json.requiredString("csr"));
        return new IssuanceInput(json.optionalString("ca").orElse(defaultCa), json.requiredString("profile"), csr);
    }

    /** The authority's request, made by {@code caller} through the {@code api} channel. */
    IssuanceRequest toRequest(Caller caller, Instant now) {
        return new IssuanceRequest(ca, profile, csr, List.of(), caller.actor(), Provenance.admin("api", caller.actor(), now));
    }

    private static String mediaType(String header) {
        if (header == null) {
            return null;
        }
        int semi = header.indexOf(';');
        return (semi < 0 ? header : header.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    }
}
