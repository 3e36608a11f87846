package dev.hallmark.cli;

import dev.hallmark.config.HallmarkConfig;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/** The {@code --data DIR} option every verb shares, and loading the configuration from it. */
public final class DataDir {
    @Option(names = "--data", paramLabel = "DIR", defaultValue = "${env:HALLMARK_DATA:-hallmark-data}",
            description = "Data directory holding hallmark.yaml (default: $HALLMARK_DATA or ./hallmark-data).")
    Path dir;

    /** The configuration with environment overrides applied. */
    public HallmarkConfig load() {
        return load(Map.of());
    }

    /** The configuration with environment and flag overrides (dotted keys) applied. */
    HallmarkConfig load(Map<String, String> flags) {
        return HallmarkConfig.load(dir, System.getenv(), flags);
    }
}
