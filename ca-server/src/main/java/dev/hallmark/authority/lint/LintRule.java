package dev.hallmark.authority.lint;

import java.util.List;

/**
 * One family of lint rules. Implementations are stateless and thread-safe; each finding carries a stable rule id.
 */
interface LintRule {

    /** The rule ids this family can report (documentation and tests). */
    List<String> ids();

    /** Appends a finding to {@code out} for each problem of {@code cert}. */
    void check(LintTarget cert, List<Finding> out);
}
