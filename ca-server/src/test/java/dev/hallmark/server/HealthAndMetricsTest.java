package dev.hallmark.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hallmark.authority.CaException;
import dev.hallmark.authority.testing.TestCsr;
import dev.hallmark.hsm.testing.FaultyToken;
import dev.hallmark.ledger.AuditEventType;
import dev.hallmark.ledger.Checkpoint;
import dev.hallmark.server.testing.Promtool;
import dev.hallmark.server.testing.TestServer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The management listener (SPEC "Listeners"): liveness, readiness that follows the token and shutdown, the
 * Prometheus exposition with every family prefixed {@code hallmark_}, and background ledger checkpoints.
 */
class HealthAndMetricsTest {

    private static HttpResponse<String> get(TestServer server, String path) {
        return server.send(HttpRequest.newBuilder(server.management(path)).build());
    }

    @Test
    void livenessAndReadinessFollowTheToken() {
        AtomicReference<FaultyToken> faulty = new AtomicReference<>();
        try (TestServer server = TestServer.builder().endpoints()
                .pki(b -> b.wrapToken(t -> {
                    FaultyToken f = new FaultyToken(t);
                    faulty.set(f);
                    return f;
                })).start()) {
            assertThat(get(server, "/healthz").statusCode()).isEqualTo(200);
            HttpResponse<String> ready = get(server, "/readyz");
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
            JsonObject checks = new JsonObject(ready.body()).getJsonObject("checks");
            assertThat(checks.getString("database")).isEqualTo("ok");
            assertThat(checks.getString("token")).isEqualTo("ok");
            assertThat(checks.getString("ledger")).isEqualTo("ok");

            faulty.get().goUnavailable();
            HttpResponse<String> lost = get(server, "/readyz");
            assertThat(lost.statusCode()).as(lost.body()).isEqualTo(503);
            JsonObject body = new JsonObject(lost.body());
            assertThat(body.getBoolean("ready")).isFalse();
            assertThat(body.getJsonObject("checks").getString("token")).isNotEqualTo("ok");
            assertThat(body.getJsonObject("checks").getString("database")).isEqualTo("ok");
            assertThat(get(server, "/healthz").statusCode()).as("alive, only not ready").isEqualTo(200);

            faulty.get().comeBack();
            assertThat(get(server, "/readyz").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void readinessTurnsFalseWhenTheServerStartsClosing() {
        try (TestServer server = TestServer.builder().endpoints().start()) {
            Health health = server.runtime.server().health();
            assertThat(health.check().ready()).isTrue();
            server.runtime.server().close();
            Health.Readiness r = health.check();
            assertThat(r.ready()).isFalse();
            assertThat(r.checks()).containsEntry("server", "shutting down");
        }
    }

    @Test
    void metricsCoverIssuanceTheTokenTheLedgerExpiryHttpThePoolAndTheJvm() throws Exception {
        try (TestServer server = TestServer.builder().endpoints().start()) {
            server.pki.issue("tls-server", TestCsr.of("metrics.example"));
            assertThatThrownBy(() -> server.pki.issue("no-such-profile", TestCsr.of("refused.example")))
                    .isInstanceOf(CaException.class);
            assertThatThrownBy(() -> server.pki.issue("tls-server", "not a CSR".getBytes(StandardCharsets.US_ASCII)))
                    .isInstanceOf(CaException.class);
            server.runtime.checkpointIfNeeded(); // integrates the ledger, as the background task does every 10 s
            server.runtime.refreshMetrics();
            get(server, "/healthz");
            String scrape = get(server, "/metrics").body();

            assertThat(scrape).containsPattern("hallmark_issuance_requests_total\\{[^}]*outcome=\"issued\""
                    + "[^}]*profile=\"tls-server\"[^}]*protocol=\"cli\"[^}]*} 1\\.0");
            assertThat(scrape).containsPattern("hallmark_issuance_requests_total\\{[^}]*outcome=\"(bad_csr|malformed)\""
                    + "[^}]*profile=\"tls-server\"");
            assertThat(scrape).containsPattern("hallmark_issuance_requests_total\\{[^}]*outcome=\"not_found\"");
            assertThat(scrape).as("the HTTPS certificate issued at start counts too")
                    .containsPattern("hallmark_issuance_requests_total\\{outcome=\"issued\",profile=\"tls-server\","
                            + "protocol=\"system\"} 1\\.0");
            assertThat(scrape).containsPattern("hallmark_token_sign_seconds_count\\{[^}]*} [1-9]");
            assertThat(scrape).containsPattern("(?m)^hallmark_ledger_entries [1-9]");
            assertThat(scrape).containsPattern("(?m)^hallmark_ledger_checkpoint_age_seconds [0-9]");
            java.util.regex.Matcher root = java.util.regex.Pattern
                    .compile("(?m)^hallmark_ca_certificate_expiry_seconds\\{ca=\"root\"} (\\S+)$").matcher(scrape);
            assertThat(root.find()).isTrue();
            assertThat(Double.parseDouble(root.group(1)) / 86_400).as("root: 3650 days").isBetween(3649.0, 3650.0);
            assertThat(scrape).containsPattern("hallmark_ca_certificate_expiry_seconds\\{ca=\"issuing\"}");
            assertThat(scrape).containsPattern("(?m)^hallmark_certificate_leaf_soonest_expiry_seconds [0-9]");
            assertThat(scrape).containsPattern("hallmark_http_server_requests_seconds_bucket\\{[^}]*route=\"healthz\"");
            assertThat(scrape).containsPattern("hallmark_db_pool_connections\\{state=\"active\"}");
            assertThat(scrape).contains("hallmark_jvm_memory_used_bytes", "hallmark_jvm_threads_live_threads");

            Set<String> families = families(scrape);
            assertThat(families).isNotEmpty().allSatisfy(f -> assertThat(f).startsWith("hallmark_"));
            for (String line : scrape.split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    assertThat(line).startsWith("hallmark_");
                }
            }
        }
    }

    /** Family names from {@code # TYPE} lines and sample names, suffixes included. */
    private static Set<String> families(String exposition) {
        Set<String> names = new LinkedHashSet<>();
        for (String line : exposition.split("\n")) {
            if (line.startsWith("# TYPE ") || line.startsWith("# HELP ")) {
                names.add(line.split(" ")[2]);
            } else if (!line.isBlank() && !line.startsWith("#")) {
                names.add(line.split("[{ ]")[0]);
            }
        }
        return names;
    }

    /** {@code promtool check metrics} (Debian package {@code prometheus}) lints the exposition when installed. */
    @Test
    void promtoolAcceptsTheExposition() throws Exception {
        try (TestServer server = TestServer.builder().endpoints().start()) {
            server.pki.issue("tls-server", TestCsr.of("lint.example"));
            server.runtime.refreshMetrics();
            get(server, "/healthz");
            String scrape = get(server, "/metrics").body();
            List<String> problems = Promtool.checkMetrics(scrape);
            assertThat(problems).as("promtool findings:\n" + String.join("\n", problems)).isEmpty();
        }
    }


    /** Signs when real entries are pending; its own checkpoint records alone never cause another signature. */
    @Test
    void checkpointIfNeededSignsOnlyForRealEntries() {
        try (TestServer server = TestServer.builder().endpoints().yaml("server: {checkpointInterval: 1d}").start()) {
            ServerRuntime runtime = server.runtime;
            runtime.checkpointIfNeeded(); // cover whatever the start-up wrote
            assertThat(runtime.checkpointIfNeeded()).as("only the previous checkpoint's own records are new").isEmpty();
            assertThat(runtime.checkpointIfNeeded()).isEmpty();

            long before = server.pki.ledger.treeSize();
            server.pki.issue("tls-server", TestCsr.of("checkpoint.example"));
            Optional<Checkpoint> signed = runtime.checkpointIfNeeded();
            assertThat(signed).isPresent();
            assertThat(signed.get().treeSize()).isGreaterThan(before);
            long last = server.pki.ledger.latestCheckpoint().orElseThrow().treeSize();
            assertThat(last).isEqualTo(signed.get().treeSize());
            assertThat(runtime.checkpointIfNeeded()).isEmpty();
            assertThat(server.pki.ledger.latestCheckpoint().orElseThrow().treeSize()).isEqualTo(last);
            server.pki.ledger.integrate();
            assertThat(server.pki.ledger.entries(last, 10)).extracting(e -> e.type())
                    .containsOnly(AuditEventType.LEDGER_CHECKPOINT_SIGNING, AuditEventType.LEDGER_CHECKPOINT_SIGNED);
        }
    }

    @Test
    void metricsAreServedOnlyOnTheManagementListener() throws IOException {
        try (TestServer server = TestServer.builder().endpoints().start()) {
            HttpResponse<String> r = server.send(HttpRequest.newBuilder(server.http("/metrics")).build());
            assertThat(r.statusCode()).isEqualTo(404);
        }
    }
}
