package dev.hallmark.cli;

import static dev.hallmark.cli.Run.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve} and {@code demo} up to the point where they would block: flags, role and configuration errors. The
 * running server is covered by the server tests and, as a separate process, by packaging's end-to-end test.
 */
class ServeCommandTest {
    @TempDir
    Path tmp;

    @Test
    void helpListsAFlagForEveryConfigurationKey() {
        Run help = run("serve", "--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("--https-port", "--management-host", "--acme-validation-http01-port",
                "--server-request-timeout", "HALLMARK_HTTPS_PORT", "--role");
        assertThat(run("demo", "--help").out()).contains("--https-port");
    }

    @Test
    void anUnknownRoleIsAUsageError() {
        Run r = run("serve", "--data", tmp.toString(), "--role", "everything");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--role must be all, ca or ocsp");
    }

    @Test
    void anUninitialisedDirectoryIsExplained() {
        Run r = run("serve", "--data", tmp.resolve("nothing").toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("hallmark init");
    }

    @Test
    void aBadValueNamesItsKeyBeforeAnythingStarts() throws Exception {
        Path data = tmp.resolve("d");
        assertThat(run("init", "--data", data.toString()).exit()).isZero();
        long before = Files.size(data.resolve("ledger-anchor.json"));
        Run port = run("serve", "--data", data.toString(), "--https-port", "70000");
        assertThat(port.exit()).isEqualTo(1);
        assertThat(port.err()).contains("https.port").contains("between 0 and 65535");
        Run timeout = run("serve", "--data", data.toString(), "--server-request-timeout", "soon");
        assertThat(timeout.exit()).isEqualTo(1);
        assertThat(timeout.err()).contains("server.requestTimeout");
        Files.writeString(data.resolve("hallmark.yaml"), Files.readString(data.resolve("hallmark.yaml"))
                + "server:\n  maxConections: 5\n");
        Run typo = run("serve", "--data", data.toString());
        assertThat(typo.exit()).isEqualTo(1);
        assertThat(typo.err()).contains("server.maxConections").contains("unknown key");
        assertThat(Files.size(data.resolve("ledger-anchor.json"))).isEqualTo(before);
    }
}
