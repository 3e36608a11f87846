package dev.hallmark.ocsp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hallmark.authority.IssuedCertificate;
import dev.hallmark.authority.testing.TestCsr;
import dev.hallmark.server.testing.Promtool;
import dev.hallmark.server.testing.TestServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The responder's meters move, are documented in docs/METRICS.md, and pass {@code promtool check metrics}. */
class OcspMetricsTest {

    @Test
    void ocspAndCrlMetersAreExposedDocumentedAndLintClean() throws Exception {
        try (TestServer server = TestServer.builder().endpoints(new OcspEndpoint()).yaml("crl: {afterRevocation: 0s}").start()) {
            IssuedCertificate cert = server.pki.issue("tls-server", TestCsr.of("metrics.ocsp.example", TestCsr.withFreshKey()));
            OcspClient client = new OcspClient(server);
            byte[] request = OcspClient.request(OcspClient.id(server.pki.issuing.certificate(), cert.record().serial().value()));
            client.post(request);
            client.post(request);
            client.post(new byte[] {1, 2, 3});
            String scrape = "";
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline) { // the CRL schedule's first run registers the CRL gauges
                scrape = server.client().send(HttpRequest.newBuilder(server.management("/metrics")).GET().build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                if (scrape.contains("hallmark_crl_next_update_seconds{")) {
                    break;
                }
                Thread.sleep(200);
            }
            assertThat(scrape).containsPattern("hallmark_ocsp_responses_total\\{source=\"cache\",status=\"good\"} [1-9]");
            assertThat(scrape).containsPattern("hallmark_ocsp_responses_total\\{source=\"error\",status=\"malformedRequest\"} 1");
            assertThat(scrape).containsPattern("hallmark_ocsp_cache_requests_total\\{result=\"hit\"} [1-9]");
            assertThat(scrape).containsPattern("hallmark_crl_next_update_seconds\\{ca=\"issuing\",kind=\"complete\",shard=\"\"} [1-9]");
            assertThat(scrape).containsPattern("hallmark_crl_number\\{ca=\"issuing\",kind=\"complete\",shard=\"\"} [1-9]");

            String doc = Files.readString(Path.of("..", "docs", "METRICS.md"));
            Matcher m = Pattern.compile("(?m)^# TYPE (hallmark_(ocsp|crl)_\\S+) (\\S+)").matcher(scrape);
            int families = 0;
            while (m.find()) {
                String name = m.group(1).replaceFirst("_(total|count|sum|max)$", "");
                assertThat(doc).as("docs/METRICS.md documents " + name).contains("`" + name);
                families++;
            }
            assertThat(families).isGreaterThanOrEqualTo(8);

            List<String> problems = Promtool.checkMetrics(scrape);
            assertThat(problems).as("promtool findings:\n" + String.join("\n", problems)).isEmpty();
        }
    }
}
