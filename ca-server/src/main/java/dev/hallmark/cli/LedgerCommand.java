package dev.hallmark.cli;

import dev.hallmark.ledger.Checkpoint;
import dev.hallmark.ledger.VerificationReport;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code hallmark ledger verify|checkpoint}. */
@Command(name = "ledger", mixinStandardHelpOptions = true, description = "Verify and checkpoint the audit ledger.",
        subcommands = {LedgerCommand.Verify.class, LedgerCommand.SignCheckpoint.class})
final class LedgerCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a subcommand is required: verify or checkpoint");
    }

    /** {@code hallmark ledger verify}: exit 0 when the whole ledger verifies, 1 otherwise. */
    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Check every entry's leaf hash, the Merkle tree, and every signed checkpoint. Exit 1 on any problem.")
    static final class Verify extends ApplianceCommand {
        @Override
        boolean readOnly() {
            return true;
        }

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        int run(Appliance a) {
            VerificationReport r = a.verifyLedger();
            var out = spec.commandLine().getOut();
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("ok", r.ok());
                m.put("entries", r.entries());
                m.put("checkpointsVerified", r.checkpointsVerified());
                m.put("problems", r.problems());
                Cli.printJson(out, m);
            } else {
                out.println((r.ok() ? "ledger OK: " : "ledger FAILED: ") + r.entries() + " entries, "
                        + r.checkpointsVerified() + " checkpoints verified");
                r.problems().forEach(p -> out.println("  problem: " + p));
                out.flush();
            }
            return r.ok() ? 0 : 1;

        }
    }

    /** {@code hallmark ledger checkpoint}: integrate pending entries and sign a checkpoint. */
    @Command(name = "checkpoint", mixinStandardHelpOptions = true, description = "Integrate pending entries and sign a checkpoint.")
    static final class SignCheckpoint extends ApplianceCommand {

        @Override
        int run(Appliance a) {
            a.checkpoint();
            Checkpoint cp = a.ledger().latestCheckpoint().orElseThrow();
            spec.commandLine().getOut().println("checkpoint: tree size " + cp.treeSize() + ", root "
                    + HexFormat.of().formatHex(cp.rootHash()) + ", signed " + cp.signedAt());
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
