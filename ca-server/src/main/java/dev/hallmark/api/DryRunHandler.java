package dev.hallmark.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.hallmark.authority.Authority;
import dev.hallmark.authority.CaException;
import dev.hallmark.authority.policy.PolicyDecision;
import dev.hallmark.authority.policy.Reason;
import dev.hallmark.server.Caller;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Locale;

/**
 * {@code POST /api/v1/policy/dry-run}: what the one policy engine would decide for a request, without signing or
 * writing anything. A refusal is an answer (200, {@code allowed: false}); a CSR that cannot be used at all, or an
 * unknown profile or CA, is still a problem (400/404), exactly as issuance would fail.
 */
final class DryRunHandler {
    private final Authority authority;
    private final String defaultCa;

    DryRunHandler(Authority authority, String defaultCa) {
        this.authority = authority;
        this.defaultCa = defaultCa;
    }

    void handle(RoutingContext ctx, Caller caller) {
        IssuanceInput input = IssuanceInput.read(ctx, defaultCa);
        PolicyDecision decision = authority.dryRun(input.toRequest(caller, authority.now()));
        Replies.json(ctx, new DecisionView(decision.allowed(), decision.allowed() ? null : typeName(decision.kind()),
                decision.reasons().stream().map(ReasonView::of).toList()));
    }

    /**
     * The decision (schema {@code PolicyDecision}).
     *
     * @param allowed whether the request would be issued
     * @param kind    the problem type issuance would answer with (e.g. {@code rejectedIdentifier}), or null
     * @param reasons every reason against, in evaluation order
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record DecisionView(boolean allowed, String kind, List<ReasonView> reasons) {
    }

    /**
     * One reason against (schema {@code PolicyReason}).
     *
     * @param kind       problem type of this reason ({@code rejectedIdentifier}, {@code badPublicKey}, …)
     * @param rule       stable rule id ({@code identifier_syntax}, {@code rsa_too_small}, …)
     * @param identifier the identifier concerned, or null
     * @param detail     a sentence for the requester
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ReasonView(String kind, String rule, CertificateView.San identifier, String detail) {
        static ReasonView of(Reason r) {
            return new ReasonView(typeName(r.kind()), r.rule(),
                    r.identifier() == null ? null : CertificateView.San.of(r.identifier()), r.detail());
        }
    }

    /** The problem type name of a kind, as {@link dev.hallmark.server.Problems} spells it ({@code badCSR}). */
    static String typeName(CaException.Kind kind) {
        String[] words = kind.name().toLowerCase(Locale.ROOT).split("_");
        StringBuilder sb = new StringBuilder(words[0]);
        for (int i = 1; i < words.length; i++) {
            sb.append(Character.toUpperCase(words[i].charAt(0))).append(words[i].substring(1));
        }
        return sb.toString().replace("badCsr", "badCSR");
    }
}
