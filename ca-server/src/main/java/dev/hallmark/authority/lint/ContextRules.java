package dev.hallmark.authority.lint;

import java.util.List;

/**
 * The lint context itself must make sense, so that a caller's mistake fails closed instead of skipping rules:
 * a leaf needs a profile and an issuer certificate; a CA certificate has no leaf profile.
 */
final class ContextRules implements LintRule {
    static final String CONTEXT = "e_lint_context_invalid";

    @Override
    public List<String> ids() {
        return List.of(CONTEXT);
    }

    @Override
    public void check(LintTarget c, List<Finding> out) {
        LintContext ctx = c.ctx;
        if (ctx.leaf() && ctx.profile() == null) {
            out.add(new Finding(CONTEXT, "an end-entity certificate is linted without its profile"));
        }
        if (ctx.leaf() && ctx.selfSigned()) {
            out.add(new Finding(CONTEXT, "an end-entity certificate cannot be self-signed by a root"));
        }
        if (!ctx.leaf() && ctx.profile() != null) {
            out.add(new Finding(CONTEXT, "a CA certificate is linted with a leaf profile"));
        }
    }
}
