package dev.hallmark.authority.lint;

import dev.hallmark.authority.CaException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import org.bouncycastle.asn1.x509.TBSCertificate;

/**
 * The pre-signing linter (step 3 of the issuance cycle, RELIABILITY I4; BR 4.3.1.2): checks the exact
 * to-be-signed structure against RFC 5280, the Baseline Requirements and the profile, and refuses to let it be
 * signed when anything is wrong. Every finding is reported, not only the first. Rule ids are stable
 * ({@link #ruleIds()}). Stateless and thread-safe.
 */
public final class Linter {
    private final List<LintRule> rules;

    /** A linter with every rule. */
    public Linter() {
        this.rules = List.of(new ContextRules(), new CoreFieldRules(), new ValidityRules(), new ExtensionRules(),
                new KeyIdentifierRules(), new BasicConstraintsRules(), new KeyUsageRules(), new ExtendedKeyUsageRules(),
                new SubjectAltNameRules(), new SubjectKeyRules(), new OcspNoCheckRules());
    }

    /**
     * Checks {@code tbs}; returns normally when it is clean.
     *
     * @throws CaException {@code LINT_FAILED} with one {@code LINT_FAILED} subproblem per finding
     */
    public void check(TBSCertificate tbs, LintContext ctx) {
        List<Finding> findings = lint(tbs, ctx);
        if (findings.isEmpty()) {
            return;
        }
        List<CaException.Subproblem> subproblems = findings.stream()
                .map(f -> new CaException.Subproblem(CaException.Kind.LINT_FAILED, null, f.toString()))
                .toList();
        throw new CaException(CaException.Kind.LINT_FAILED, "the to-be-signed certificate failed " + findings.size()
                + " lint rule(s), so nothing was signed: "
                + findings.stream().map(Finding::rule).distinct().collect(Collectors.joining(", ")), subproblems);
    }

    /**
     * Lints without throwing (for the reconciler and reports).
     *
     * @return every finding, in rule order; empty when clean
     */
    public List<Finding> lint(TBSCertificate tbs, LintContext ctx) {
        Objects.requireNonNull(tbs, "tbs");
        Objects.requireNonNull(ctx, "ctx");
        LintTarget target = new LintTarget(tbs, ctx);
        List<Finding> out = new ArrayList<>();
        for (LintRule rule : rules) {
            try {
                rule.check(target, out);
            } catch (RuntimeException e) {
                // A rule that cannot decode what it reads fails closed, with its own finding.
                out.add(new Finding("e_lint_rule_error", rule.getClass().getSimpleName() + " could not evaluate: " + e));
            }
        }
        return List.copyOf(out);
    }

    /** Every rule id this linter can report. */
    public List<String> ruleIds() {
        List<String> ids = new ArrayList<>();
        rules.forEach(r -> ids.addAll(r.ids()));
        ids.add("e_lint_rule_error");
        return List.copyOf(ids);
    }
}
