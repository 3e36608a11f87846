package dev.hallmark.authority.lint;

import java.util.List;

/**
 * The subject public key (BR 6.1.5, 6.1.6): of a type Hallmark accepts ({@link dev.hallmark.authority.policy.SubjectKey}),
 * and for a leaf one of its profile's key types.
 */
final class SubjectKeyRules implements LintRule {
    static final String INVALID = "e_subject_key_invalid";
    static final String NOT_IN_PROFILE = "e_subject_key_not_in_profile";

    @Override
    public List<String> ids() {
        return List.of(INVALID, NOT_IN_PROFILE);
    }

    @Override
    public void check(LintTarget c, List<Finding> out) {
        if (c.subjectKey == null) {
            for (String problem : c.subjectKeyProblems) {
                out.add(new Finding(INVALID, "subject key: " + problem));
            }
            return;
        }
        if (c.ctx.leaf() && c.ctx.profile() != null && !c.ctx.profile().keyTypes().contains(c.subjectKey.type())) {
            out.add(new Finding(NOT_IN_PROFILE, "subject key type " + c.subjectKey.type().cliName()
                    + " is not allowed by profile '" + c.ctx.profile().name() + "'"));
        }
    }
}
