package dev.hallmark.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hallmark.config.ConfigException;
import dev.hallmark.config.ConfigNode;
import dev.hallmark.config.HallmarkConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The server's configuration keys (SPEC "Configuration"): defaults as documented, overrides by environment variable
 * and flag (flag beats environment beats file), and a start-up failure naming the key for every bad value.
 */
class ServerSettingsTest {
    @TempDir
    Path dir;

    private static ServerSettings parse(String yaml) {
        return ServerSettings.from(ConfigNode.parse("hallmark.yaml", yaml), 16);
    }

    private ServerSettings load(String file, Map<String, String> env, Map<String, String> flags) throws IOException {
        Files.writeString(dir.resolve(HallmarkConfig.FILE_NAME), file);
        HallmarkConfig config = HallmarkConfig.load(dir, env, flags);
        return ServerSettings.from(config.root(), config.database().poolSize());
    }

    @Test
    void defaultsAreSpecs() {
        ServerSettings s = parse("{}");
        assertThat(s.httpsPort()).isEqualTo(8443);
        assertThat(s.httpsHost()).isEqualTo("0.0.0.0");
        assertThat(s.httpPort()).isEqualTo(8080);
        assertThat(s.httpHost()).isEqualTo("0.0.0.0");
        assertThat(s.managementPort()).isEqualTo(9090);
        assertThat(s.managementHost()).isEqualTo("127.0.0.1");
        assertThat(s.httpsProfile()).isEqualTo("tls-server");
        assertThat(s.clientCertificates()).isTrue();
        assertThat(s.requestTimeout()).isPositive();
        assertThat(s.headerTimeout()).isPositive();
        assertThat(s.idleTimeout()).isPositive();
        assertThat(s.maxConnections()).isPositive();
    }

    @Test
    void anEmptyFileGivesTheDefaultsToo() throws IOException {
        ServerSettings s = load("", Map.of(), Map.of());
        assertThat(s.httpsPort()).isEqualTo(8443);
        assertThat(s.managementHost()).isEqualTo("127.0.0.1");
    }

    @Test
    void environmentBeatsFileAndFlagBeatsEnvironment() throws IOException {
        String file = "https: {port: 1001, host: 10.0.0.1}\nhttp: {port: 1002}\nmanagement: {port: 1003}\n"
                + "server: {requestTimeout: 11s}\n";
        Map<String, String> env = Map.of(
                "HALLMARK_HTTPS_PORT", "2001", "HALLMARK_HTTP_PORT", "2002", "HALLMARK_HTTP_HOST", "127.0.0.2",
                "HALLMARK_MANAGEMENT_PORT", "2003", "HALLMARK_MANAGEMENT_HOST", "::1",
                "HALLMARK_SERVER_REQUEST_TIMEOUT", "12s", "HALLMARK_SERVER_MAX_CONNECTIONS", "77");
        Map<String, String> flags = Map.of("https.port", "3001", "management.host", "0.0.0.0",
                "server.requestTimeout", "13s");

        ServerSettings fileOnly = load(file, Map.of(), Map.of());
        assertThat(fileOnly.httpsPort()).isEqualTo(1001);
        assertThat(fileOnly.httpsHost()).isEqualTo("10.0.0.1");
        assertThat(fileOnly.requestTimeout()).isEqualTo(Duration.ofSeconds(11));

        ServerSettings withEnv = load(file, env, Map.of());
        assertThat(withEnv.httpsPort()).isEqualTo(2001);
        assertThat(withEnv.httpsHost()).as("not overridden").isEqualTo("10.0.0.1");
        assertThat(withEnv.httpPort()).isEqualTo(2002);
        assertThat(withEnv.httpHost()).isEqualTo("127.0.0.2");
        assertThat(withEnv.managementPort()).isEqualTo(2003);
        assertThat(withEnv.managementHost()).isEqualTo("::1");
        assertThat(withEnv.requestTimeout()).isEqualTo(Duration.ofSeconds(12));
        assertThat(withEnv.maxConnections()).isEqualTo(77);

        ServerSettings withFlags = load(file, env, flags);
        assertThat(withFlags.httpsPort()).isEqualTo(3001);
        assertThat(withFlags.httpPort()).isEqualTo(2002);
        assertThat(withFlags.managementHost()).isEqualTo("0.0.0.0");
        assertThat(withFlags.requestTimeout()).isEqualTo(Duration.ofSeconds(13));
    }

    @Test
    void theSpecsEnvironmentNamesAreTheOnesRead() {
        assertThat(HallmarkConfig.environmentName("https.port")).isEqualTo("HALLMARK_HTTPS_PORT");
        assertThat(HallmarkConfig.environmentName("management.host")).isEqualTo("HALLMARK_MANAGEMENT_HOST");
        assertThat(HallmarkConfig.flagName("management.port")).isEqualTo("--management-port");
        assertThat(HallmarkConfig.OVERRIDABLE_KEYS).contains("https.port", "https.host", "http.port", "http.host",
                "management.port", "management.host");
    }

    @ParameterizedTest(name = "{0} → names {1}")
    @CsvSource(delimiter = '|', value = {
        "https: {port: 70000}                  | https.port",
        "http: {port: abc}                     | http.port",
        "management: {port: -1}                | management.port",
        "http: {port: 80.5}                    | http.port",
        "server: {bogus: 1}                    | server.bogus",
        "https: {prot: 1}                      | https.prot",
        "management: {host: 'exa mple.org'}    | management.host",
        "https: {host: ''}                     | https.host",
        "http: {host: 'a;b'}                   | http.host",
        "server: {requestTimeout: 0s}          | server.requestTimeout",
        "server: {headerTimeout: 0s}           | server.headerTimeout",
        "server: {idleTimeout: PT0.5S}         | server.idleTimeout",
        "server: {requestTimeout: soon}        | server.requestTimeout",
        "server: {shutdownGrace: -5s}          | server.shutdownGrace",
        "server: {maxConnections: 0}           | server.maxConnections",
        "server: {maxHeaderBytes: 10}          | server.maxHeaderBytes",
        "server: {workerThreads: many}         | server.workerThreads",
        "https: {clientCertificates: maybe}    | https.clientCertificates",
        "server: 5                             | server",
    })
    void aBadValueFailsNamingItsKey(String yaml, String key) {
        assertThatThrownBy(() -> parse(yaml)).isInstanceOf(ConfigException.class).hasMessageContaining(key);
    }

    @Test
    void aBadHttpsNameFailsNamingTheKey() {
        assertThatThrownBy(() -> HttpsCertificates.names(java.util.List.of("ok.example", "not a name!")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("https.names");
        assertThat(HttpsCertificates.names(java.util.List.of("ca.example", "10.1.2.3")))
                .extracting(dev.hallmark.authority.Identifier::value)
                .contains("localhost", "127.0.0.1", "::1", "ca.example", "10.1.2.3");
    }

    @Test
    void aBadEnvironmentValueFailsNamingTheKey() throws IOException {
        Files.writeString(dir.resolve(HallmarkConfig.FILE_NAME), "");
        HallmarkConfig config = HallmarkConfig.load(dir, Map.of("HALLMARK_HTTPS_PORT", "70000"), Map.of());
        assertThatThrownBy(() -> ServerSettings.from(config.root(), 16)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("https.port");
    }
}
