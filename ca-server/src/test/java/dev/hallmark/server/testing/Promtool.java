package dev.hallmark.server.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** {@code promtool check metrics} (Debian package {@code prometheus}) over a scrape; the test is skipped without it. */
public final class Promtool {
    private Promtool() {
    }

    /** promtool's findings on {@code exposition}, one per line (empty when clean). */
    public static List<String> checkMetrics(String exposition) throws IOException, InterruptedException {
        Optional<Path> promtool = onPath("promtool");
        assumeTrue(promtool.isPresent(), "promtool is not installed (Debian package prometheus)");
        Process p = new ProcessBuilder(promtool.get().toString(), "check", "metrics").redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write(exposition.getBytes(StandardCharsets.UTF_8));
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("promtool did not finish within 60 s");
        }
        List<String> findings = new ArrayList<>();
        for (String line : new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                findings.add(line);
            }
        }
        return findings;
    }

    private static Optional<Path> onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, command);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
