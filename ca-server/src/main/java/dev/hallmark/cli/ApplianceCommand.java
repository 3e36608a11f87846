package dev.hallmark.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A verb that works on an initialised data directory: opens the {@link Appliance} from {@code --data}, runs, and
 * closes it whatever happens. Subclasses implement {@link #run(Appliance)} and return the exit code.
 */
abstract class ApplianceCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    DataDir data;

    @Override
    public final Integer call() {
        var config = data.load();
        try (Appliance appliance = readOnly() ? Appliance.openReadOnly(config, Cli.clock()) : Appliance.open(config, Cli.clock())) {
            return run(appliance);
        }
    }

    /** True for verbs that only read: they append nothing to the ledger. */
    boolean readOnly() {
        return false;
    }

    /** The verb's work; returns the exit code. */
    abstract int run(Appliance appliance);

    /** Standard output. */
    PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
