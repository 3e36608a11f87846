package dev.hallmark.cli;

import dev.hallmark.config.HallmarkConfig;
import dev.hallmark.server.ServerRole;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hallmark serve}: runs the listeners on an initialised data directory until stopped. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Run Hallmark's listeners (HTTPS API and protocols, HTTP distribution points, management) "
                + "on an initialised data directory until SIGTERM or Ctrl-C, which drains in-flight requests.",
                "Every configuration key can be set by a flag below, by HALLMARK_* environment variables or in DIR/hallmark.yaml "
                        + "(flag beats environment beats file)."})
final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;
    @Mixin
    DataDir data;
    @Option(names = "--role", defaultValue = "all", paramLabel = "all|ca|ocsp",
            description = "What this node serves: all (default), ca (API and enrolment protocols, no revocation "
                    + "endpoints) or ocsp (revocation endpoints only, for scale-out).")
    String role;

    @Override
    public Integer call() {
        ServerRole r = parseRole(spec, role);
        HallmarkConfig config = data.load(ConfigFlags.values(spec));
        return Serving.run(config, r, spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    static ServerRole parseRole(CommandLine.Model.CommandSpec spec, String role) {
        try {
            return ServerRole.valueOf(role.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--role must be all, ca or ocsp, not '" + role + "'");
        }
    }
}
