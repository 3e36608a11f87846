package dev.hallmark.cli;

import dev.hallmark.config.HallmarkConfig;
import dev.hallmark.server.ServerRole;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/**
 * {@code hallmark demo}: {@code init} with the embedded defaults (H2 file database, software token, local ledger)
 * when the data directory is not initialised yet, then {@code serve}.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Initialise DIR with embedded defaults if needed (H2 file database, software token, local "
                + "ledger), then serve. Prints the URLs, the root CA fingerprint and where the admin API token is.",
                "Accepts the same configuration flags as serve."})
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;
    @Mixin
    DataDir data;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!Files.exists(data.dir.resolve(HallmarkConfig.FILE_NAME))) {
            out.println("Initialising " + data.dir.toAbsolutePath() + " with embedded defaults...");
            out.flush();
            int code = Main.run(new String[] {"init", "--data", data.dir.toString()}, out, err);
            if (code != 0) {
                return code;
            }
        }
        HallmarkConfig config = data.load(ConfigFlags.values(spec));
        Serving.validate(config);
        Serving.ensureAdminToken(config, out);
        return Serving.run(config, ServerRole.ALL, out, err);
    }
}
