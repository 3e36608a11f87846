package dev.hallmark.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.hallmark.authority.Authority;
import dev.hallmark.authority.CaException;
import dev.hallmark.authority.CaRecord;
import dev.hallmark.authority.CertificationRequest;
import dev.hallmark.authority.policy.PolicyDecision;
import dev.hallmark.authority.policy.Reason;
import dev.hallmark.server.Caller;
import io.vertx.ext.web.RoutingContext;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.asn1.x509.Certificate;

/**
 * {@code POST /api/v1/policy/dry-run}: what the one policy engine would decide for a request, without signing or
 * writing anything. A refusal is an answer (200, {@code allowed: false}): the policy engine's reasons, and the
 * authority's own refusals (a key blocked after keyCompromise or the CA's own key, a root CA, a revoked CA chain, a
 * CSR asking for CA rights, a profile closed to the {@code api} channel). A CSR that cannot be used at all
 * ({@code malformed}, {@code badCSR}, {@code badSignatureAlgorithm}, an undecodable key), or an unknown profile or
 * CA, is still a problem (400/404), exactly as issuance would fail.
 */
final class DryRunHandler {
    /** Refusals the authority throws that are decisions about a usable request, not faults of the request. */
    private static final Set<CaException.Kind> DECISIONS = EnumSet.of(CaException.Kind.POLICY_DENIED,
            CaException.Kind.BAD_PUBLIC_KEY, CaException.Kind.REJECTED_IDENTIFIER, CaException.Kind.UNAUTHORIZED);
    /** Rule ids of the authority's own refusals, which carry none. */
    static final String RULE_PROFILE_CHANNEL = "profile_channel_closed";
    static final String RULE_ROOT_CA = "root_ca_signs_no_leaf";
    static final String RULE_CSR_ASKS_CA = "csr_asks_ca_rights";
    static final String RULE_CA_KEY = "ca_own_key";
    static final String RULE_KEY_BLOCKED = "key_blocked";
    static final String RULE_REFUSED = "issuance_refused";

    private final Authority authority;
    private final String defaultCa;

    DryRunHandler(Authority authority, String defaultCa) {
        this.authority = authority;
        this.defaultCa = defaultCa;
    }

    void handle(RoutingContext ctx, Caller caller) {
        IssuanceInput input = IssuanceInput.read(ctx, defaultCa);
        // The CSR is parsed first so that a CSR unusable in itself is a problem whatever else the request names.
        Optional<CertificationRequest> csr = usableCsr(input.csr());
        PolicyDecision decision;
        try {
            decision = authority.dryRun(input.toRequest(caller, authority.now()));
        } catch (CaException e) {
            if (!DECISIONS.contains(e.kind())) {
                throw e;
            }
            Replies.json(ctx, new DecisionView(false, typeName(e.kind()), reasonsOf(e, input, csr)));
            return;
        }
        Replies.json(ctx, new DecisionView(decision.allowed(), decision.allowed() ? null : typeName(decision.kind()),
                decision.reasons().stream().map(ReasonView::of).toList()));
    }

    /**
     * The parsed CSR, or empty when it asks for CA rights (a policy decision, answered by the dry-run in the
     * authority's order).
     *
     * @throws CaException when the CSR cannot be used at all
     */
    private static Optional<CertificationRequest> usableCsr(byte[] der) {
        try {
            return Optional.of(CertificationRequest.parse(der));
        } catch (CaException e) {
            if (e.kind() == CaException.Kind.POLICY_DENIED) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** The reasons of one refusal the authority threw: its subproblems, else the refusal itself under a rule id. */
    private List<ReasonView> reasonsOf(CaException e, IssuanceInput input, Optional<CertificationRequest> csr) {
        if (!e.subproblems().isEmpty()) {
            return e.subproblems().stream().map(ReasonView::of).toList();
        }
        return List.of(new ReasonView(typeName(e.kind()), ruleOf(e.kind(), input, csr), null, e.detail()));
    }

    /** Which of the authority's checks refused, recovered from the request (the exception carries no rule). */
    private String ruleOf(CaException.Kind kind, IssuanceInput input, Optional<CertificationRequest> csr) {
        Optional<CaRecord> ca = authority.cas().stream().filter(c -> c.name().equals(input.ca())).findFirst();
        return switch (kind) {
            case UNAUTHORIZED -> RULE_PROFILE_CHANNEL;
            case BAD_PUBLIC_KEY -> ca.isPresent() && csr.isPresent() && Certificate.getInstance(ca.get().certificateDer())
                    .getSubjectPublicKeyInfo().equals(csr.get().subjectPublicKeyInfo()) ? RULE_CA_KEY : RULE_KEY_BLOCKED;
            case POLICY_DENIED -> ca.isPresent() && ca.get().parentName() == null ? RULE_ROOT_CA
                    : csr.isEmpty() ? RULE_CSR_ASKS_CA : RULE_REFUSED;
            default -> RULE_REFUSED;
        };
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

        /** A subproblem as {@link PolicyDecision#enforce()} words it: {@code "[rule] detail"}. */
        static ReasonView of(CaException.Subproblem s) {
            String rule = RULE_REFUSED;
            String detail = s.detail();
            int close = detail.indexOf("] ");
            if (detail.startsWith("[") && close > 1) {
                rule = detail.substring(1, close);
                detail = detail.substring(close + 2);
            }
            return new ReasonView(typeName(s.kind()), rule,
                    s.identifier() == null ? null : CertificateView.San.of(s.identifier()), detail);
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
