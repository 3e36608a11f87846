package dev.hallmark.cli;

import dev.hallmark.authority.CaException;
import dev.hallmark.config.ConfigException;
import dev.hallmark.db.DatabaseException;
import dev.hallmark.hsm.TokenException;
import dev.hallmark.ledger.LedgerException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code hallmark} command. Exit codes: 0 success, 1 failure (one clear line on stderr), 2 usage error.
 */
@Command(name = "hallmark", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Hallmark: a self-hosted certificate authority.",
        subcommands = {InitCommand.class, CaCommand.class, IssueCommand.class, RevokeCommand.class, CertCommand.class,
                LedgerCommand.class, VerifyCommand.class, TokenCommand.class, ServeCommand.class, DemoCommand.class,
                CrlCommand.class, OcspCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    /** Runs the CLI and exits with its code. */
    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the CLI with the given streams and returns the exit code (for tests and embedding). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        for (CliExtension extension : java.util.ServiceLoader.load(CliExtension.class)) {
            cl.addSubcommand(extension.command());
        }
        ConfigFlags.addTo(cl.getSubcommands().get("serve").getCommandSpec());
        ConfigFlags.addTo(cl.getSubcommands().get("demo").getCommandSpec());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            line.getErr().println("hallmark: " + oneLine(e));
            if (!(e instanceof CaException || e instanceof ConfigException || e instanceof TokenException
                    || e instanceof LedgerException || e instanceof Cli.CliException || e instanceof DatabaseException)) {
                if (System.getenv("HALLMARK_DEBUG") != null) {
                    e.printStackTrace(line.getErr());
                } else {
                    line.getErr().println("hallmark: (set HALLMARK_DEBUG=1 for the stack trace)");
                }
            }
            line.getErr().flush();
            return 1;
        });
        return cl.execute(args);
    }

    private static String oneLine(Exception e) {
        String kind = e instanceof CaException ce ? ce.kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + ": " : "";
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        // A multi-line message (a policy decision's explanation) already lists every reason.
        if (e instanceof CaException ce && !ce.subproblems().isEmpty() && !message.contains("\n")) {
            StringBuilder sb = new StringBuilder(message);
            for (CaException.Subproblem s : ce.subproblems()) {
                sb.append("; ").append(s.identifier() == null ? "" : s.identifier() + ": ").append(s.detail());
            }
            message = sb.toString();
        }
        return kind + message.replaceAll("\\s*\n\\s*", " ");
    }

    /** The version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {Build.version()};
        }
    }
}
