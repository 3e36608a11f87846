package dev.hallmark.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HallmarkConfigTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "https.port, HALLMARK_HTTPS_PORT",
        "management.host, HALLMARK_MANAGEMENT_HOST",
        "database.url, HALLMARK_DATABASE_URL",
        "acme.validation.http01Port, HALLMARK_ACME_VALIDATION_HTTP01_PORT",
        "acme.validation.tlsAlpn01Port, HALLMARK_ACME_VALIDATION_TLS_ALPN01_PORT",
        "acme.validation.dnsResolver, HALLMARK_ACME_VALIDATION_DNS_RESOLVER"})
    void environmentNamesFollowSpec(String key, String env) {
        assertThat(HallmarkConfig.environmentName(key)).isEqualTo(env);
    }

    @Test
    void defaultsAreSafeAndRelativePathsResolveAgainstTheDataDirectory() throws Exception {
        Files.writeString(dir.resolve("hallmark.yaml"), "token: {type: soft}\n");
        HallmarkConfig c = HallmarkConfig.load(dir, Map.of(), Map.of());
        assertThat(c.database().url()).startsWith("jdbc:h2:file:").contains(dir.toAbsolutePath().toString());
        assertThat(c.token()).isEqualTo(new TokenSettings.Soft(dir.resolve("token.p12"), dir.resolve("token.pass"), null));
        assertThat(c.rootCa()).isEqualTo("root");
        assertThat(c.issuingCa()).isEqualTo("issuing");
        assertThat(c.profiles().profiles()).containsKey("tls-server");
    }

    @Test
    void flagBeatsEnvironmentBeatsFile() throws Exception {
        Files.writeString(dir.resolve("hallmark.yaml"), "database: {url: 'jdbc:h2:file:/from/file'}\n");
        assertThat(HallmarkConfig.load(dir, Map.of(), Map.of()).database().url()).isEqualTo("jdbc:h2:file:/from/file");
        Map<String, String> env = Map.of("HALLMARK_DATABASE_URL", "jdbc:h2:file:/from/env");
        assertThat(HallmarkConfig.load(dir, env, Map.of()).database().url()).isEqualTo("jdbc:h2:file:/from/env");
        assertThat(HallmarkConfig.load(dir, env, Map.of("database.url", "jdbc:h2:file:/from/flag")).database().url())
                .isEqualTo("jdbc:h2:file:/from/flag");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "unknown top-level key|colour: red|colour",
        "unknown token key|token: {type: soft, pin: '1234'}|token.pin",
        "bad token type|token: {type: floppy}|token.type",
        "pkcs11 without a PIN source|token: {type: pkcs11, library: /x.so, label: l}|token",
        "bad pool size|database: {poolSize: 0}|database.poolSize",
        "bad policy key|policy: {maxSans: 0}|maxSans"})
    void aBadValueFailsAtStartNamingTheKey(String why, String yaml, String key) throws Exception {
        Files.writeString(dir.resolve("hallmark.yaml"), yaml + "\n");
        assertThatThrownBy(() -> HallmarkConfig.load(dir, Map.of(), Map.of())).as(why)
                .isInstanceOf(RuntimeException.class).hasMessageContaining(key);
    }

    @Test
    void aMissingFileSaysHowToCreateIt() {
        assertThatThrownBy(() -> HallmarkConfig.load(dir.resolve("none"), Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("hallmark init");
    }
}
