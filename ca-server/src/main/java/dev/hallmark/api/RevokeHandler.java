package dev.hallmark.api;

import dev.hallmark.admin.AdminCredentials;
import dev.hallmark.admin.AdminRole;
import dev.hallmark.authority.Authority;
import dev.hallmark.authority.CaException;
import dev.hallmark.authority.RevocationReason;
import dev.hallmark.authority.RevocationRequest;
import dev.hallmark.server.Caller;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * {@code POST /api/v1/certificates/{serial}/revoke} with {@code {"reason": "keyCompromise"}} (RFC 5280 names;
 * {@code unspecified} when absent). Acknowledged only after the revocation and its audit entries commit
 * (RELIABILITY I8); a second revocation is 409 {@code alreadyRevoked} unless it raises the reason to
 * keyCompromise. Answers with the certificate as it now stands. A CA's own certificate, and a certificate registered
 * as an active mutual-TLS admin credential, may only be revoked by an admin.
 */
final class RevokeHandler {
    private static final Set<String> MEMBERS = Set.of("reason");

    private final Authority authority;
    private final CertificateLookup lookup;
    private final AdminCredentials credentials;

    RevokeHandler(Authority authority, CertificateLookup lookup, AdminCredentials credentials) {
        this.authority = authority;
        this.lookup = lookup;
        this.credentials = credentials;
    }

    /**
     * Revoking a CA's own certificate stops that CA (and everything below it) from issuing: only an admin may
     * (RELIABILITY T60), never an operator.
     */
    private void refuseCaCertificateUnlessAdmin(CertificateLookup.Found found, Caller caller) {
        boolean caCertificate = authority.cas().stream().anyMatch(ca -> ca.serial().equals(found.serial())
                && found.ca().equals(ca.parentName() != null ? ca.parentName() : ca.name()));
        if (caCertificate && caller.role() != AdminRole.ADMIN) {
            throw new CaException(CaException.Kind.UNAUTHORIZED, "serial " + found.serial().hex() + " is the certificate "
                    + "of a CA; revoking it stops that CA, so only an admin credential may");
        }
    }

    /**
     * Revoking a certificate registered as an active admin credential disables that credential (the authenticator
     * refuses revoked certificates): only an admin may, as only an admin manages credentials.
     */
    private void refuseAdminCredentialUnlessAdmin(CertificateLookup.Found found, Caller caller) {
        if (caller.role() == AdminRole.ADMIN || !found.hasCertificate()) {
            return;
        }
        credentials.authenticateCertificate(found.certificate().der()).ifPresent(credential -> {
            throw new CaException(CaException.Kind.UNAUTHORIZED, "serial " + found.serial().hex() + " is registered as "
                    + "admin credential " + credential.id() + "; revoking it disables that credential, so only an admin "
                    + "credential may");
        });
    }

    void handle(RoutingContext ctx, Caller caller) {
        QueryParams query = QueryParams.of(ctx, Set.of("ca"));
        JsonRequest body = JsonRequest.parseOrEmpty(ctx.body() == null ? null : ctx.body().buffer(), MEMBERS);
        RevocationReason reason = body.optionalString("reason").map(RevocationReason::parse)
                .orElse(RevocationReason.UNSPECIFIED);
        CertificateLookup.Found found = lookup.find(ctx.pathParam("serial"), query.string("ca"));
        refuseCaCertificateUnlessAdmin(found, caller);
        refuseAdminCredentialUnlessAdmin(found, caller);
        authority.revoke(new RevocationRequest(found.ca(), found.serial(), reason, caller.actor()));
        CertificateLookup.Found now = lookup.reload(found);
        if (now.hasCertificate()) {
            Replies.json(ctx, CertificateView.full(now.certificate(), authority.now(), authority.signingCaChain(now.ca())));
        } else {
            Replies.json(ctx, SerialView.of(now.record()));
        }
    }
}
