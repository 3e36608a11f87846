package dev.hallmark.api;

import dev.hallmark.authority.Authority;
import dev.hallmark.authority.IssuedCertificate;
import dev.hallmark.server.Caller;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /api/v1/certificates}: issues a certificate through the one issuance cycle (policy, profile, lint,
 * intent, sign, store and audit) and answers 201 with the stored certificate, its chain and its {@code Location}.
 * Nothing is returned before it is stored and audited (SPEC non-negotiable): the authority returns only then.
 */
final class IssueHandler {
    private final Authority authority;
    private final String defaultCa;

    IssueHandler(Authority authority, String defaultCa) {
        this.authority = authority;
        this.defaultCa = defaultCa;
    }

    void handle(RoutingContext ctx, Caller caller) {
        IssuanceInput input = IssuanceInput.read(ctx, defaultCa);
        IssuedCertificate issued = authority.issue(input.toRequest(caller, authority.now()));
        ctx.response().putHeader("Location", AdminApiEndpoint.BASE + "/certificates/" + issued.record().serial().hex());
        Replies.json(ctx, 201, CertificateView.full(issued.record(), authority.now(), issued.chain()));
    }
}
