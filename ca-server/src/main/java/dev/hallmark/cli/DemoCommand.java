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

    /**
     * The base URL certificates will name for OCSP and CRLs: {@code urls.base} if given by flag or environment, else
     * the HTTP listener on localhost at the port given (8080 by default), so the demo's certificates point at itself.
     */
    private String publicUrl() {
        java.util.Map<String, String> given = new java.util.LinkedHashMap<>(HallmarkConfig.fromEnvironment(System.getenv()));
        given.putAll(ConfigFlags.values(spec));
        return given.getOrDefault("urls.base", "http://localhost:" + given.getOrDefault("http.port", "8080"));
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!Files.exists(data.dir.resolve(HallmarkConfig.FILE_NAME))) {
            out.println("Initialising " + data.dir.toAbsolutePath() + " with embedded defaults...");
            out.flush();
            int code = Main.run(new String[] {"init", "--data", data.dir.toString(), "--public-url", publicUrl()}, out, err);
            if (code != 0) {
                return code;
            }
        }
        HallmarkConfig config = data.load(ConfigFlags.values(spec));
        if (!config.revocation().urls().configured()) {
            err.println("hallmark: urls.base is not set: certificates will carry no OCSP or CRL URLs");
        }
        Serving.validate(config);
        Serving.ensureAdminToken(config, out);
        return Serving.run(config, ServerRole.ALL, out, err);
    }
}
