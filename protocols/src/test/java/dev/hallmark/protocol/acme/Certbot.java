package dev.hallmark.protocol.acme;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Debian {@code certbot} (2.1) and {@code openssl} binaries, run as child processes for {@link CertbotTest} and
 * packaging's {@code AcmeDemoEndToEndIT} (through this module's test-jar).
 * Each instance owns one directory holding certbot's config, work and logs directories and the CA bundle
 * {@code REQUESTS_CA_BUNDLE} points at, so certbot trusts only the test server's root and never touches
 * {@code /etc/letsencrypt}. Every certbot run answers for itself on {@code 127.0.0.1:http01Port} (standalone
 * http-01). A missing binary fails the run: certbot is a required test dependency. Not thread-safe.
 */
public final class Certbot {
    static final long TIMEOUT_SECONDS = 120;

    private final Path dir;
    private final URI directory;
    private final Path caBundle;
    private final int http01Port;

    /**
     * @param dir        an empty directory owned by the caller
     * @param directory  the ACME directory URL
     * @param rootPem    the only trust anchor certbot accepts for HTTPS
     * @param http01Port where certbot's standalone server listens (the server's {@code acme.validation.http01Port})
     */
    public Certbot(Path dir, URI directory, String rootPem, int http01Port) throws IOException {
        this.dir = dir;
        this.directory = directory;
        this.http01Port = http01Port;
        this.caBundle = Files.writeString(dir.resolve("root.pem"), rootPem);
    }

    /** The root certificate file (the trust anchor for {@code openssl verify}). */
    Path rootPem() {
        return caBundle;
    }

    /** {@code live/NAME/FILE} of certbot's config directory (FILE: cert.pem, chain.pem, fullchain.pem, privkey.pem). */
    public Path live(String certName, String file) {
        return dir.resolve("config/live").resolve(certName).resolve(file);
    }

    /**
     * Runs {@code certbot SUBCOMMAND} with the options every run needs (directories, server, account e-mail,
     * non-interactive, standalone http-01 on loopback) followed by {@code args}.
     */
    public Run certbot(String subcommand, String... args) {
        List<String> cmd = new ArrayList<>(List.of("certbot", subcommand,
                "--config-dir", dir.resolve("config").toString(),
                "--work-dir", dir.resolve("work").toString(),
                "--logs-dir", dir.resolve("logs").toString(),
                "--server", directory.toString(),
                "--non-interactive", "--agree-tos", "-m", "ops@example.test", "--no-eff-email",
                "--standalone", "--http-01-port", Integer.toString(http01Port), "--http-01-address", "127.0.0.1"));
        cmd.addAll(List.of(args));
        Run run = run(cmd);
        try {
            return run.withLog(log());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs {@code openssl ARGS}. */
    Run openssl(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("openssl");
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    private Run run(List<String> cmd) {
        try {
            Path out = Files.createTempFile(dir, "out", ".txt");
            Path err = Files.createTempFile(dir, "err", ".txt");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            pb.environment().put("REQUESTS_CA_BUNDLE", caBundle.toString());
            long start = System.nanoTime();
            Process p = pb.start();
            boolean done = p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (!done) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            return new Run(cmd, done ? p.exitValue() : -1, Files.readString(out), Files.readString(err), "", millis);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + cmd.get(0) + " (a required test dependency)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The tail of certbot's debug log, which holds the ACME exchanges that its stderr summarises. */
    private String log() throws IOException {
        Path log = dir.resolve("logs/letsencrypt.log");
        if (!Files.exists(log)) {
            return "";
        }
        String text = Files.readString(log, StandardCharsets.UTF_8);
        return text.length() > 12_000 ? "…" + text.substring(text.length() - 12_000) : text;
    }

    /**
     * One finished (or killed) process.
     *
     * @param exit   exit status; -1 when killed after {@link #TIMEOUT_SECONDS}
     * @param log    the tail of certbot's log after the run (empty for openssl)
     * @param millis wall time
     */
    public record Run(List<String> command, int exit, String stdout, String stderr, String log, long millis) {
        public boolean ok() {
            return exit == 0;
        }

        Run withLog(String text) {
            return new Run(command, exit, stdout, stderr, text, millis);
        }

        /** What a failed assertion prints: the command, its status, its output and certbot's log. */
        public String report() {
            return String.join(" ", command) + "\nexit " + exit + " after " + millis + " ms\n--- stdout\n" + stdout
                    + "\n--- stderr\n" + stderr + (log.isEmpty() ? "" : "\n--- letsencrypt.log (tail)\n" + log);
        }
    }
}
