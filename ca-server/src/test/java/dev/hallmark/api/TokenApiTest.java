package dev.hallmark.api;

import static dev.hallmark.api.ApiClient.assertProblem;
import static dev.hallmark.api.ApiClient.csr;
import static dev.hallmark.api.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hallmark.ledger.AuditEventType;
import dev.hallmark.ledger.LedgerEntry;
import dev.hallmark.server.testing.TestServer;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** API tokens: create (shown once), list, get, revoke (then 401 at once); admin only; audited without the secret. */
class TokenApiTest {
    static TestServer server;
    static ApiClient api;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        api = new ApiClient(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JsonNode refused(int status, String type, Supplier<HttpResponse<String>> call) {
        Map<String, String> before = api.stored();
        JsonNode p = assertProblem(call.get(), status, type);
        assertThat(api.stored()).isEqualTo(before);
        return p;
    }

    @Test
    void createListUseAndRevokeAToken() {
        HttpResponse<String> created = api.postJson(server.adminToken, "/api/v1/tokens",
                "{\"name\": \"ci pipeline\", \"role\": \"auditor\"}");

        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(created.headers().firstValue("Cache-Control")).hasValue("no-store");
        JsonNode c = json(created);
        String id = c.path("id").asText();
        String token = c.path("token").asText();
        assertThat(token).startsWith("hmk_" + id + "_");
        assertThat(c.path("role").asText()).isEqualTo("auditor");
        assertThat(created.headers().firstValue("Location")).hasValue("/api/v1/tokens/" + id);

        HttpResponse<String> list = api.get(server.adminToken, "/api/v1/tokens");
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.body()).doesNotContain(token);
        List<String> ids = new ArrayList<>();
        json(list).forEach(t -> {
            ids.add(t.path("id").asText());
            assertThat(t.has("token")).isFalse();
        });
        assertThat(ids).contains(id);
        JsonNode one = json(api.get(server.adminToken, "/api/v1/tokens/" + id));
        assertThat(one.path("name").asText()).isEqualTo("ci pipeline");
        assertThat(one.path("kind").asText()).isEqualTo("token");
        assertThat(one.has("revokedAt")).isFalse();

        // The new token works, with its role and no more.
        assertThat(api.get(token, "/api/v1/cas").statusCode()).isEqualTo(200);
        assertProblem(api.postJson(token, "/api/v1/certificates", ApiClient.issueRequest(csr("t.example"), "tls-server")),
                403, "forbidden");

        HttpResponse<String> deleted = api.delete(server.adminToken, "/api/v1/tokens/" + id);
        assertThat(deleted.statusCode()).isEqualTo(204);
        assertThat(deleted.body()).isEmpty();

        HttpResponse<String> after = api.get(token, "/api/v1/cas");
        assertProblem(after, 401, "unauthenticated");
        assertThat(after.headers().firstValue("WWW-Authenticate")).isPresent();
        assertThat(json(api.get(server.adminToken, "/api/v1/tokens/" + id)).path("revokedAt").asText()).isNotEmpty();
        // Deleting again changes nothing.
        Map<String, String> before = api.stored();
        assertThat(api.delete(server.adminToken, "/api/v1/tokens/" + id).statusCode()).isEqualTo(204);
        assertThat(api.stored()).isEqualTo(before);

        // Audited with the caller as actor, never with the secret.
        String adminId = server.adminToken.split("_")[1];
        List<LedgerEntry> entries = server.pki.ledger.pending(0, 10_000);
        entries = new ArrayList<>(entries);
        entries.addAll(server.pki.ledger.entries(0, 10_000));
        assertThat(entries).anySatisfy(e -> {
            assertThat(e.type()).isEqualTo(AuditEventType.ADMIN_CREDENTIAL_CREATED);
            assertThat(e.subject()).isEqualTo("admin/" + id);
            assertThat(e.actor()).isEqualTo("admin:" + adminId);
        });
        assertThat(entries).anySatisfy(e -> {
            assertThat(e.type()).isEqualTo(AuditEventType.ADMIN_CREDENTIAL_REVOKED);
            assertThat(e.subject()).isEqualTo("admin/" + id);
            assertThat(e.actor()).isEqualTo("admin:" + adminId);
        });
        assertThat(entries).noneSatisfy(e -> assertThat(e.details().toString() + e.subject()).contains(token.substring(4 + 17)));
    }

    @Test
    void operatorAndAuditorMayNotManageTokens() {
        for (String token : List.of(server.operatorToken, server.auditorToken)) {
            refused(403, "forbidden", () -> api.get(token, "/api/v1/tokens"));
            refused(403, "forbidden", () -> api.postJson(token, "/api/v1/tokens", "{\"name\": \"x\", \"role\": \"admin\"}"));
            refused(403, "forbidden", () -> api.get(token, "/api/v1/tokens/0123456789abcdef"));
            refused(403, "forbidden", () -> api.delete(token, "/api/v1/tokens/" + server.adminToken.split("_")[1]));
        }
    }

    @Test
    void unknownTokenIs404() {
        refused(404, "notFound", () -> api.delete(server.adminToken, "/api/v1/tokens/0123456789abcdef"));
        refused(404, "notFound", () -> api.get(server.adminToken, "/api/v1/tokens/0123456789abcdef"));
        refused(404, "notFound", () -> api.delete(server.adminToken, "/api/v1/tokens/NOT-AN-ID"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "{\"name\": \"x\", \"role\": \"root\"}",
            "{\"name\": \"x\"}",
            "{\"role\": \"admin\"}",
            "{\"name\": \"\", \"role\": \"admin\"}",
            "{\"name\": \"bad\\u0007name\", \"role\": \"admin\"}",
            "{\"name\": 5, \"role\": \"admin\"}",
            "{\"name\": \"x\", \"role\": \"admin\", \"expires\": \"never\"}",
            "[\"x\", \"admin\"]",
    })
    void badCreateRequestIs400(String body) {
        refused(400, "malformed", () -> api.postJson(server.adminToken, "/api/v1/tokens", body));
    }

    @Test
    void overlongNameIs400() {
        refused(400, "malformed", () -> api.postJson(server.adminToken, "/api/v1/tokens",
                "{\"name\": \"" + "n".repeat(129) + "\", \"role\": \"admin\"}"));
    }
}
