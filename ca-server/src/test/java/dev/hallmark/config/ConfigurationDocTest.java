package dev.hallmark.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/CONFIGURATION.md stays true: every key that environment variables and flags can set has its row. */
class ConfigurationDocTest {
    @Test
    void everyOverridableKeyIsDocumented() throws IOException {
        Path doc = Path.of("..", "docs", "CONFIGURATION.md");
        String text = Files.readString(doc);
        for (String key : HallmarkConfig.OVERRIDABLE_KEYS) {
            assertThat(text).as("docs/CONFIGURATION.md documents " + key).contains("`" + key + "`");
        }
    }

    @Test
    void flagAndEnvironmentNamesFollowTheKey() {
        assertThat(HallmarkConfig.flagName("https.port")).isEqualTo("--https-port");
        assertThat(HallmarkConfig.flagName("acme.validation.http01Port")).isEqualTo("--acme-validation-http01-port");
        assertThat(HallmarkConfig.flagName("server.requestTimeout")).isEqualTo("--server-request-timeout");
        assertThat(HallmarkConfig.environmentName("acme.validation.tlsAlpn01Port"))
                .isEqualTo("HALLMARK_ACME_VALIDATION_TLS_ALPN01_PORT");
    }
}
