package dev.hallmark.api.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hallmark.api.AdminApiEndpoint;
import dev.hallmark.server.Listener;
import dev.hallmark.server.Route;
import dev.hallmark.server.testing.TestServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.OffsetDateTime;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The admin API's OpenAPI contract, checked against a running {@link TestServer}: the document the server serves at
 * {@code /api/v1/openapi.json} (its own paths and every active endpoint's fragment) lists exactly the HTTPS routes
 * under {@code /api/v1} of its route table, with the same methods, operationIds, roles and body media types, and
 * every reference in it resolves. Shared by the contract tests of every module that adds admin API routes.
 */
public final class OpenApiContract {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");

    private final JsonNode document;
    private final Map<String, Route> routes;
    private final Map<String, JsonNode> operations;

    private OpenApiContract(JsonNode document, Map<String, Route> routes) {
        this.document = document;
        this.routes = Collections.unmodifiableMap(routes);
        this.operations = Collections.unmodifiableMap(operations(document));
    }

    /**
     * Reads the document {@code server} serves, without a credential (it must answer 200 {@code application/json}),
     * and its route table.
     */
    public static OpenApiContract of(TestServer server) {
        HttpResponse<String> r = server.send(HttpRequest.newBuilder(server.https(AdminApiEndpoint.BASE + "/openapi.json")).build());
        assertThat(r.statusCode()).as("GET /api/v1/openapi.json without a credential").isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        Map<String, Route> routes = new TreeMap<>();
        for (Route route : server.runtime.server().routes()) {
            if (route.listener() == Listener.HTTPS && route.path().startsWith(AdminApiEndpoint.BASE + "/")) {
                routes.put(route.method().name() + " " + route.openApiPath(), route);
            }
        }
        try {
            return new OpenApiContract(JSON.readTree(r.body()), routes);
        } catch (JsonProcessingException e) {
            throw new AssertionError("the served OpenAPI document is not JSON", e);
        }
    }

    /** The served document. */
    public JsonNode document() {
        return document;
    }

    /** "METHOD /path" (OpenAPI form) → route, for every HTTPS route under {@code /api/v1}. */
    public Map<String, Route> routes() {
        return routes;
    }

    /** "METHOD /path" → operation, for every operation of the document. */
    public Map<String, JsonNode> operations() {
        return operations;
    }

    /** Every check below. */
    public void assertHolds() {
        assertDocumentAndRouteTableListTheSameOperations();
        assertOperationIdsAreUnique();
        assertEveryProtectedOperationListsTheRoutesRolesAndNeedsACredential();
        assertBodiesMatchTheRoutesMediaTypes();
        assertEveryReferenceResolvesAndTheSchemesExist();
    }

    /** Every route is documented, nothing else is, and each operation carries its route's operationId. */
    public void assertDocumentAndRouteTableListTheSameOperations() {
        assertThat(routes).isNotEmpty();
        assertThat(new TreeSet<>(operations.keySet())).as("documented operations vs routes")
                .isEqualTo(new TreeSet<>(routes.keySet()));
        operations.forEach((key, op) -> assertThat(op.path("operationId").asText()).as(key)
                .isEqualTo(routes.get(key).operationId()));
    }

    public void assertOperationIdsAreUnique() {
        assertThat(operations.values().stream().map(op -> op.path("operationId").asText()).distinct().count())
                .as("distinct operationIds").isEqualTo(operations.size());
    }

    /**
     * An open route's operation has an empty {@code security} and no roles; a protected one lists exactly the route's
     * roles in {@code x-hallmark-roles}, needs a credential and documents 401 (and 403 unless every role may call it).
     */
    public void assertEveryProtectedOperationListsTheRoutesRolesAndNeedsACredential() {
        operations.forEach((key, op) -> {
            Route route = routes.get(key);
            assertThat(route).as(key + " is routed").isNotNull();
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

    /** The request body's media types are the route's (none for a route without a body). */
    public void assertBodiesMatchTheRoutesMediaTypes() {
        operations.forEach((key, op) -> {
            Route route = routes.get(key);
            assertThat(route).as(key + " is routed").isNotNull();
            TreeSet<String> documented = new TreeSet<>();
            op.path("requestBody").path("content").fieldNames().forEachRemaining(documented::add);
            assertThat(documented).as(key + " request media types").isEqualTo(new TreeSet<>(route.consumes()));
        });
    }

    /** OpenAPI 3.x, both security schemes, and every {@code $ref} names something the document has. */
    public void assertEveryReferenceResolvesAndTheSchemesExist() {
        assertThat(document.path("openapi").asText()).startsWith("3.");
        assertThat(document.path("components").path("securitySchemes").path("bearerAuth").path("scheme").asText())
                .isEqualTo("bearer");
        assertThat(document.path("components").path("securitySchemes").path("mutualTLS").path("type").asText())
                .isEqualTo("mutualTLS");
        assertReferencesResolve(document);
    }

    /**
     * {@code body}, an answer of the operation {@code key} ({@code "GET /api/v1/…"}) with {@code status} and
     * {@code mediaType}, has the documented shape. A subset of JSON Schema, enough for this document: {@code $ref},
     * {@code type} (one or several), {@code enum}, {@code required}, {@code properties} (a member the schema does not
     * list fails: everything the server sends is documented), {@code items} and {@code format: date-time}.
     */
    public void assertAnswerConforms(String key, int status, String mediaType, JsonNode body) {
        JsonNode op = operations.get(key);
        assertThat(op).as(key + " is documented").isNotNull();
        JsonNode response = resolve(op.path("responses").path(Integer.toString(status)));
        assertThat(response.isMissingNode()).as(key + " documents " + status).isFalse();
        JsonNode schema = response.path("content").path(mediaType).path("schema");
        assertThat(schema.isMissingNode()).as(key + " " + status + " documents " + mediaType).isFalse();
        assertConforms(body, schema, key + " " + status);
    }

    private void assertConforms(JsonNode value, JsonNode declared, String at) {
        JsonNode schema = resolve(declared);
        JsonNode type = schema.get("type");
        if (type != null) {
            Set<String> allowed = new TreeSet<>();
            if (type.isArray()) {
                type.forEach(t -> allowed.add(t.asText()));
            } else {
                allowed.add(type.asText());
            }
            String actual = typeOf(value);
            assertThat(allowed.contains(actual) || (actual.equals("integer") && allowed.contains("number")))
                    .as(at + " is " + actual + ", documented as " + allowed).isTrue();
        }
        if (schema.has("enum")) {
            assertThat(schema.get("enum")).as(at + " enum").contains(value);
        }
        if (schema.path("format").asText().equals("date-time") && value.isTextual()) {
            assertThatCode(() -> OffsetDateTime.parse(value.asText())).as(at + " is an RFC 3339 date-time")
                    .doesNotThrowAnyException();
        }
        if (value.isObject()) {
            schema.path("required").forEach(r -> assertThat(value.has(r.asText()))
                    .as(at + "." + r.asText() + " is required").isTrue());
            if (schema.has("properties")) {
                value.properties().forEach(member -> {
                    JsonNode property = schema.path("properties").get(member.getKey());
                    assertThat(property).as(at + "." + member.getKey() + " is documented").isNotNull();
                    assertConforms(member.getValue(), property, at + "." + member.getKey());
                });
            }
        }
        if (value.isArray() && schema.has("items")) {
            for (int i = 0; i < value.size(); i++) {
                assertConforms(value.get(i), schema.get("items"), at + "[" + i + "]");
            }
        }
    }

    private JsonNode resolve(JsonNode node) {
        JsonNode ref = node.get("$ref");
        return ref == null ? node : resolve(document.at(ref.asText().substring(1)));
    }

    private static String typeOf(JsonNode value) {
        if (value.isObject()) {
            return "object";
        } else if (value.isArray()) {
            return "array";
        } else if (value.isTextual()) {
            return "string";
        } else if (value.isBoolean()) {
            return "boolean";
        } else if (value.isIntegralNumber()) {
            return "integer";
        } else if (value.isNumber()) {
            return "number";
        }
        return "null";
    }

    private void assertReferencesResolve(JsonNode node) {
        JsonNode ref = node.get("$ref");
        if (ref != null && ref.isTextual()) {
            assertThat(ref.asText()).as("reference").startsWith("#/");
            assertThat(document.at(ref.asText().substring(1)).isMissingNode()).as("reference " + ref.asText()).isFalse();
        }
        node.forEach(this::assertReferencesResolve);
    }

    private static Map<String, JsonNode> operations(JsonNode document) {
        Map<String, JsonNode> out = new TreeMap<>();
        document.path("paths").properties().forEach(path -> path.getValue().properties().forEach(op -> {
            if (METHODS.contains(op.getKey())) {
                out.put(op.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey(), op.getValue());
            }
        }));
        return out;
    }
}
