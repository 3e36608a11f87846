package dev.hallmark.authority.policy;

import dev.hallmark.authority.CaException;
import java.util.List;
import java.util.function.Predicate;

/**
 * The policy engine's answer: allowed when there is no reason against. Immutable.
 *
 * @param reasons every reason the request is refused, in evaluation order; empty when allowed
 */
public record PolicyDecision(List<Reason> reasons) {
    public PolicyDecision {
        reasons = List.copyOf(reasons);
    }

    /** An allowing decision. */
    public static PolicyDecision allow() {
        return new PolicyDecision(List.of());
    }

    /** True when nothing stands against the request. */
    public boolean allowed() {
        return reasons.isEmpty();
    }

    /**
     * Returns when allowed, else throws.
     *
     * @throws CaException with one subproblem per reason, of kind {@code REJECTED_IDENTIFIER} when every reason
     *                     is about an identifier, {@code BAD_PUBLIC_KEY} when every reason is about the key,
     *                     {@code BAD_CSR} when every reason is about what the CSR asks for, else
     *                     {@code POLICY_DENIED}
     */
    public void enforce() {
        if (allowed()) {
            return;
        }
        List<CaException.Subproblem> subproblems = reasons.stream()
                .map(r -> new CaException.Subproblem(r.kind(), r.identifier(), "[" + r.rule() + "] " + r.detail()))
                .toList();
        throw new CaException(kind(), explain(), subproblems);
    }

    /** The kind {@link #enforce()} throws. */
    public CaException.Kind kind() {
        for (CaException.Kind k : List.of(CaException.Kind.REJECTED_IDENTIFIER, CaException.Kind.BAD_PUBLIC_KEY,
                CaException.Kind.BAD_CSR)) {
            Predicate<Reason> same = r -> r.kind() == k;
            if (!reasons.isEmpty() && reasons.stream().allMatch(same)) {
                return k;
            }
        }
        return CaException.Kind.POLICY_DENIED;
    }

    /** A human explanation: "allowed", or one line per reason. */
    public String explain() {
        if (allowed()) {
            return "allowed by policy";
        }
        StringBuilder b = new StringBuilder("refused by policy (" + reasons.size() + " reason"
                + (reasons.size() == 1 ? "" : "s") + "):");
        for (Reason r : reasons) {
            b.append("\n  - ").append(r);
        }
        return b.toString();
    }
}
