package dev.hallmark.api;

import static dev.hallmark.api.ApiClient.assertProblem;
import static dev.hallmark.api.ApiClient.csr;
import static dev.hallmark.api.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hallmark.authority.SerialRecord;
import dev.hallmark.authority.SerialState;
import dev.hallmark.authority.testing.FaultyStore;
import dev.hallmark.server.testing.TestServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A crash between signing and storing (RELIABILITY crash points 4–5): the client gets a 500 with a request id and
 * no certificate; the serial stays "outcome unknown", the API shows it and an operator can revoke it by serial.
 */
class OutcomeUnknownApiTest {
    static TestServer server;
    static ApiClient api;
    static final FaultyStore[] STORE = new FaultyStore[1];

    @BeforeAll
    static void start() {
        server = TestServer.builder().pki(b -> b.wrapStore(s -> STORE[0] = new FaultyStore(s))).start();
        api = new ApiClient(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aSerialWhoseOutcomeIsUnknownIsShownAndRevocable() {
        STORE[0].failComplete(true);
        HttpResponse<String> failed;
        try {
            failed = api.postJson(server.operatorToken, "/api/v1/certificates",
                    ApiClient.issueRequest(csr("crash.example"), "tls-server"));
        } finally {
            STORE[0].failComplete(false);
        }
        JsonNode problem = assertProblem(failed, 500, "internal");
        assertThat(problem.path("detail").asText()).contains(problem.path("requestId").asText());
        assertThat(failed.body()).doesNotContain("BEGIN CERTIFICATE");

        List<SerialRecord> unresolved = server.pki.store.unresolved(server.pki.clock.instant().plus(Duration.ofDays(1)));
        assertThat(unresolved).hasSize(1);
        String serial = unresolved.get(0).intent().serial().hex();
        String path = "/api/v1/certificates/" + serial;

        JsonNode shown = json(api.get(server.auditorToken, path));
        assertThat(shown.path("status").asText()).isEqualTo("unknown");
        assertThat(shown.path("state").asText()).isEqualTo("signing");
        assertThat(shown.has("certificate")).isFalse();
        assertProblem(api.get(server.auditorToken, path, "application/pem-certificate-chain"), 404, "notFound");
        assertProblem(api.get(server.auditorToken, path + "/inclusion-proof"), 404, "notFound");

        HttpResponse<String> revoked = api.postJson(server.operatorToken, path + "/revoke", "{\"reason\": \"superseded\"}");
        assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
        assertThat(json(revoked).path("status").asText()).isEqualTo("revoked");
        assertThat(json(revoked).path("revocationReason").asText()).isEqualTo("superseded");
        assertThat(server.pki.store.serial("issuing", unresolved.get(0).intent().serial()).orElseThrow().state())
                .isEqualTo(SerialState.SIGNING);
    }
}
