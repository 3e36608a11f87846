package dev.hallmark.ledger;

import java.util.List;

/**
 * The result of {@link AuditLedger#verify()}.
 *
 * @param ok                  true when no problem was found
 * @param entries             the number of integrated entries checked
 * @param checkpointsVerified the number of checkpoints whose root and signature both verified
 * @param problems            one line per problem, naming the entry id, leaf index or checkpoint
 */
public record VerificationReport(boolean ok, long entries, long checkpointsVerified, List<String> problems) {

    /** Copies the list. */
    public VerificationReport {
        problems = List.copyOf(problems);
    }
}
