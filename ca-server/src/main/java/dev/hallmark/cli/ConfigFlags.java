package dev.hallmark.cli;

import dev.hallmark.config.HallmarkConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * One {@code --kebab-case} flag per overridable configuration key ({@link HallmarkConfig#OVERRIDABLE_KEYS}) on
 * {@code serve} and {@code demo}: {@code https.port} is {@code --https-port}. Generated from the key list, so a new
 * key gets its flag, its environment variable and its documentation row together. Flag beats environment beats file.
 */
final class ConfigFlags {
    private ConfigFlags() {
    }

    /** Adds the flags to a command. */
    static void addTo(CommandSpec command) {
        for (String key : HallmarkConfig.OVERRIDABLE_KEYS) {
            command.addOption(OptionSpec.builder(HallmarkConfig.flagName(key))
                    .type(String.class).paramLabel("VALUE")
                    .description("Sets " + key + " (environment: " + HallmarkConfig.environmentName(key) + ").")
                    .build());
        }
    }

    /** The flags given on the command line, by dotted key. */
    static Map<String, String> values(CommandSpec command) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String key : HallmarkConfig.OVERRIDABLE_KEYS) {
            OptionSpec option = command.findOption(HallmarkConfig.flagName(key));
            if (option != null && option.getValue() != null) {
                out.put(key, option.getValue());
            }
        }
        return out;
    }
}
