package dev.hallmark.protocol.acme;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hallmark.api.testing.OpenApiContract;
import dev.hallmark.authority.Identifier;
import dev.hallmark.server.testing.TestServer;
import dev.hallmark.store.acme.JdbcAcmeStore;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The admin API's OpenAPI document on a server that runs ACME ({@link AcmeEndpoint}'s fragment,
 * {@code admin-openapi.json}): every admin route, the ACME views included, is documented and nothing else; the views
 * answer in the documented shape; with ACME disabled neither the routes nor their documentation are there.
 */
class AcmeOpenApiTest {
    private static final String ACCOUNTS = "GET /api/v1/acme/accounts";
    private static final String ORDERS = "GET /api/v1/acme/orders";
    private static final ObjectMapper JSON = new ObjectMapper();
    static TestServer server;
    static OpenApiContract contract;
    static long account;

    @BeforeAll
    static void start() {
        server = TestServer.start(); // every discovered endpoint: the admin API, the distribution points, ACME
        contract = OpenApiContract.of(server);
        account = seed(new JdbcAcmeStore(server.pki.database), server.pki.clock.instant());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /**
     * An account with an EAB binding and a deactivated one without; a valid order with its certificate, a pending one
     * and a replacement.
     */
    private static long seed(JdbcAcmeStore store, Instant now) {
        store.createEab(new EabKey("kid-openapi", new byte[32], now, "test-admin", null, false));
        long id = store.createAccount(new AcmeAccount(0, "thumbprint-openapi", "{\"kty\":\"OKP\"}", AcmeStatus.VALID,
                List.of("mailto:ops@example.com"), true, "kid-openapi", now)).id();
        long plain = store.createAccount(new AcmeAccount(0, "thumbprint-plain", "{\"kty\":\"EC\"}", AcmeStatus.VALID,
                List.of(), false, null, now.plusSeconds(1))).id();
        store.deactivateAccount(plain, AcmeStatus.DEACTIVATED);
        order(store, "openapi-valid", id, null, now);
        store.transitionOrder("openapi-valid", AcmeStatus.PENDING, AcmeStatus.PROCESSING, null);
        store.completeOrder("openapi-valid", "issuing", "0a1b2c");
        order(store, "openapi-pending", id, null, now.plusSeconds(1));
        order(store, "openapi-renewal", id, "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE", now.plusSeconds(2));
        return id;
    }

    private static void order(JdbcAcmeStore store, String id, long accountId, String replaces, Instant at) {
        Identifier name = Identifier.dns(id + ".example");
        AcmeChallenge challenge = new AcmeChallenge(id + "-ch", id + "-az", "http-01", "tok-" + id, AcmeStatus.PENDING,
                null, null);
        store.createOrder(new AcmeOrder(id, accountId, AcmeStatus.PENDING, at.plusSeconds(3600), List.of(name), null,
                        null, "tls-server", replaces, List.of(id + "-az"), null, null, null, at),
                List.of(new AcmeAuthorization(id + "-az", accountId, name, false, AcmeStatus.PENDING, at.plusSeconds(3600),
                        null, null, List.of(challenge))));
    }

    @Test
    void everyAdminRouteIsDocumentedAndNothingElse() {
        assertThat(contract.routes()).containsKeys(ACCOUNTS, ORDERS, "GET /api/v1/certificates/{serial}");
        contract.assertHolds();
    }

    @Test
    void theAccountsViewAnswersAsDocumented() throws Exception {
        JsonNode body = get("/api/v1/acme/accounts", 200);
        contract.assertAnswerConforms(ACCOUNTS, 200, "application/json", body);
        assertThat(body.path("accounts").findValuesAsText("eabKid")).containsExactly("kid-openapi");
        assertThat(body.path("accounts").findValuesAsText("status")).containsExactly("deactivated", "valid");
        assertThat(get("/api/v1/acme/accounts?offset=1&limit=1", 200).path("accounts")).hasSize(1);
    }

    @Test
    void theOrdersViewAnswersAsDocumented() throws Exception {
        JsonNode body = get("/api/v1/acme/orders?account=" + account, 200);
        contract.assertAnswerConforms(ORDERS, 200, "application/json", body);
        List<String> fields = new ArrayList<>();
        body.path("orders").forEach(o -> o.fieldNames().forEachRemaining(fields::add));
        assertThat(fields).contains("ca", "serial", "replaces");
        assertThat(get("/api/v1/acme/orders?account=" + (account + 1000), 200).path("orders")).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/api/v1/acme/accounts?limit=501", "/api/v1/acme/accounts?limit=0",
            "/api/v1/acme/accounts?offset=-1", "/api/v1/acme/orders?offset=x", "/api/v1/acme/orders?account=x"})
    void aBadQueryIsTheDocumented400(String path) throws Exception {
        JsonNode problem = get(path, 400);
        String key = path.startsWith("/api/v1/acme/accounts") ? ACCOUNTS : ORDERS;
        contract.assertAnswerConforms(key, 400, "application/problem+json", problem);
        assertThat(problem.path("type").asText()).isEqualTo("urn:hallmark:problem:malformed");
    }

    @Test
    void withoutAnAuthenticatedCallerTheViewsAnswerTheDocumented401() throws Exception {
        HttpResponse<String> r = server.send(java.net.http.HttpRequest.newBuilder(server.https("/api/v1/acme/orders")).build());
        assertThat(r.statusCode()).isEqualTo(401);
        contract.assertAnswerConforms(ORDERS, 401, "application/problem+json", JSON.readTree(r.body()));
    }

    @Test
    void withAcmeDisabledTheViewsAreNeitherRoutedNorDocumented() {
        try (TestServer off = TestServer.builder().yaml("acme: {enabled: false}").start()) {
            OpenApiContract c = OpenApiContract.of(off);
            c.assertHolds();
            assertThat(c.routes()).doesNotContainKeys(ACCOUNTS, ORDERS);
            List<String> paths = new ArrayList<>();
            c.document().path("paths").fieldNames().forEachRemaining(paths::add);
            assertThat(paths).noneMatch(p -> p.startsWith("/api/v1/acme/"));
            assertThat(c.document().path("components").path("schemas").has("AcmeOrder")).isFalse();
        }
    }

    private static JsonNode get(String path, int status) throws Exception {
        HttpResponse<String> r = server.send(server.as(server.auditorToken, server.https(path)).GET().build());
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(status);
        return JSON.readTree(r.body());
    }
}
