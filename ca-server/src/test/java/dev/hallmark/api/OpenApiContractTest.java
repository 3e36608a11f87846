package dev.hallmark.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hallmark.server.Listener;
import dev.hallmark.server.Route;
import dev.hallmark.server.testing.TestServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document is the API's contract: it lists exactly the HTTPS routes under {@code /api/v1} of the running
 * server, with the same methods, operationIds and roles, and it is what {@code /api/v1/openapi.json} serves.
 */
class OpenApiContractTest {
    private static final java.util.Set<String> METHODS = java.util.Set.of("get", "put", "post", "delete", "patch", "head", "options");
    static TestServer server;
    static JsonNode document;
    /** "METHOD /path" → route, for every HTTPS route under /api/v1. */
    static Map<String, Route> routes;

    @BeforeAll
    static void load() throws Exception {
        server = TestServer.start();
        document = ApiClient.JSON.readTree(OpenApiHandler.load());
        routes = new TreeMap<>();
        for (Route r : server.runtime.server().routes()) {
            if (r.listener() == Listener.HTTPS && r.path().startsWith(AdminApiEndpoint.BASE + "/")) {
                routes.put(r.method().name() + " " + r.openApiPath(), r);
            }
        }
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** "METHOD /path" → operation, for every operation of the document. */
    private static Map<String, JsonNode> operations() {
        Map<String, JsonNode> out = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (Iterator<Map.Entry<String, JsonNode>> ops = path.getValue().fields(); ops.hasNext(); ) {
                Map.Entry<String, JsonNode> op = ops.next();
                if (METHODS.contains(op.getKey())) {
                    out.put(op.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey(), op.getValue());
                }
            }
        }
        return out;
    }

    @Test
    void documentAndRouteTableListTheSameOperations() {
        assertThat(routes).isNotEmpty();
        assertThat(new TreeSet<>(operations().keySet())).isEqualTo(new TreeSet<>(routes.keySet()));
        operations().forEach((key, op) -> assertThat(op.path("operationId").asText()).as(key)
                .isEqualTo(routes.get(key).operationId()));
    }

    @Test
    void operationIdsAreUnique() {
        assertThat(operations().values().stream().map(op -> op.path("operationId").asText()).distinct().count())
                .isEqualTo(operations().size());
    }

    @Test
    void everyProtectedOperationListsTheRoutesRolesAndNeedsACredential() {
        operations().forEach((key, op) -> {
            Route route = routes.get(key);
            assertThat(op.path("responses").size()).as(key + " responses").isPositive();
            if (route.access().isOpen()) {
                assertThat(op.path("security").isArray() && op.path("security").isEmpty()).as(key + " is open").isTrue();
                assertThat(op.has("x-hallmark-roles")).as(key).isFalse();
                return;
            }
            TreeSet<String> documented = new TreeSet<>();
            op.path("x-hallmark-roles").forEach(r -> documented.add(r.asText()));
            TreeSet<String> declared = new TreeSet<>();
            route.access().roles().forEach(r -> declared.add(r.name().toLowerCase(Locale.ROOT)));
            assertThat(documented).as(key + " x-hallmark-roles").isEqualTo(declared);
            JsonNode security = op.has("security") ? op.path("security") : document.path("security");
            assertThat(security.isArray() && !security.isEmpty()).as(key + " security").isTrue();
            assertThat(op.path("responses").has("401")).as(key + " documents 401").isTrue();
            if (declared.size() < 3) {
                assertThat(op.path("responses").has("403")).as(key + " documents 403").isTrue();
            }
        });
    }

    @Test
    void bodiesMatchTheRoutesMediaTypes() {
        operations().forEach((key, op) -> {
            Route route = routes.get(key);
            TreeSet<String> documented = new TreeSet<>();
            op.path("requestBody").path("content").fieldNames().forEachRemaining(documented::add);
            assertThat(documented).as(key + " request media types").isEqualTo(new TreeSet<>(route.consumes()));
        });
    }

    @Test
    void everyReferenceResolvesAndTheSchemesExist() {
        assertThat(document.path("openapi").asText()).startsWith("3.");
        assertThat(document.path("components").path("securitySchemes").path("bearerAuth").path("scheme").asText())
                .isEqualTo("bearer");
        assertThat(document.path("components").path("securitySchemes").path("mutualTLS").path("type").asText())
                .isEqualTo("mutualTLS");
        assertReferencesResolve(document);
    }

    @Test
    void theServerServesTheDocumentWithoutACredential() throws Exception {
        HttpResponse<String> r = server.send(HttpRequest.newBuilder(server.https("/api/v1/openapi.json")).build());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(ApiClient.JSON.readTree(r.body())).isEqualTo(document);
    }

    private static void assertReferencesResolve(JsonNode node) {
        if (node.isObject()) {
            JsonNode ref = node.get("$ref");
            if (ref != null) {
                String[] parts = ref.asText().substring(2).split("/");
                JsonNode target = document;
                for (String p : parts) {
                    target = target.path(p);
                }
                assertThat(target.isMissingNode()).as("reference " + ref.asText()).isFalse();
            }
            node.elements().forEachRemaining(OpenApiContractTest::assertReferencesResolve);
        } else if (node.isArray()) {
            node.elements().forEachRemaining(OpenApiContractTest::assertReferencesResolve);
        }
    }
}
