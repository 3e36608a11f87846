package dev.hallmark.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * One in-process run of the CLI, with what it printed.
 *
 * @param exit the exit code
 * @param out  standard output
 * @param err  standard error
 */
record Run(int exit, String out, String err) {
    /** Runs {@code hallmark ARGS} through {@link Main#run}. */
    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }
}
