package dev.hallmark.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hallmark.admin.AdminRole;
import dev.hallmark.api.testing.OpenApiContract;
import dev.hallmark.server.Access;
import dev.hallmark.server.Endpoint;
import dev.hallmark.server.HallmarkServer;
import dev.hallmark.server.Listener;
import dev.hallmark.server.Route;
import dev.hallmark.server.ServerContext;
import dev.hallmark.server.testing.TestServer;
import io.vertx.core.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The OpenAPI document is the API's contract: it lists exactly the HTTPS routes under {@code /api/v1} of the running
 * server, with the same methods, operationIds and roles, and it is what {@code /api/v1/openapi.json} serves
 * ({@link OpenApiContract}). Other endpoints add their admin routes through {@link Endpoint#openApiResource}
 * fragments, merged once at start; a name documented twice fails the start.
 */
class OpenApiContractTest {
    static TestServer server;
    static OpenApiContract contract;

    @BeforeAll
    static void load() {
        server = TestServer.start();
        contract = OpenApiContract.of(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void documentAndRouteTableListTheSameOperations() {
        contract.assertDocumentAndRouteTableListTheSameOperations();
    }

    @Test
    void operationIdsAreUnique() {
        contract.assertOperationIdsAreUnique();
    }

    @Test
    void everyProtectedOperationListsTheRoutesRolesAndNeedsACredential() {
        contract.assertEveryProtectedOperationListsTheRoutesRolesAndNeedsACredential();
    }

    @Test
    void bodiesMatchTheRoutesMediaTypes() {
        contract.assertBodiesMatchTheRoutesMediaTypes();
    }

    @Test
    void everyReferenceResolvesAndTheSchemesExist() {
        contract.assertEveryReferenceResolvesAndTheSchemesExist();
    }

    @Test
    void withoutFragmentsTheServerServesTheHandWrittenDocument() throws Exception {
        assertThat(contract.document()).isEqualTo(ApiClient.JSON.readTree(OpenApiHandler.load()));
    }

    /** A server whose other endpoint documents its admin route in a fragment: the served document has both. */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class WithAFragment {
        TestServer withFragment;
        OpenApiContract merged;

        @BeforeAll
        void start() {
            withFragment = TestServer.builder().endpoints(new AdminApiEndpoint(), new FragmentEndpoint(true)).start();
            merged = OpenApiContract.of(withFragment);
        }

        @AfterAll
        void stop() {
            withFragment.close();
        }

        @Test
        void theContractHoldsForTheMergedDocument() {
            merged.assertHolds();
            assertThat(merged.routes()).containsKey("GET /api/v1/test/widgets");
            assertThat(merged.document().path("components").path("schemas").has("TestWidget")).isTrue();
            assertThat(merged.document().path("tags").findValuesAsText("name")).contains("certificates", "test");
        }

        @Test
        void anEndpointWithoutItsRoutesAddsNoFragment() {
            try (TestServer disabled = TestServer.builder().endpoints(new AdminApiEndpoint(), new FragmentEndpoint(false))
                    .start()) {
                OpenApiContract c = OpenApiContract.of(disabled);
                c.assertDocumentAndRouteTableListTheSameOperations();
                assertThat(c.document().path("paths").has("/api/v1/test/widgets")).isFalse();
            }
        }
    }

    @Test
    void aFragmentIsReadFromItsEndpointsClassPath() {
        byte[] merged = OpenApiHandler.merge(OpenApiHandler.load(),
                List.of(OpenApiHandler.Fragment.load(new FragmentEndpoint(true), FragmentEndpoint.RESOURCE)));
        assertThat(new String(merged, StandardCharsets.UTF_8)).contains("/api/v1/test/widgets", "TestWidget");
    }

    @Test
    void aMissingFragmentFailsNamingTheEndpointAndResource() {
        assertThatThrownBy(() -> OpenApiHandler.Fragment.load(new FragmentEndpoint(true), "/no/such/fragment.json"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("endpoint test (/no/such/fragment.json)").hasMessageContaining("missing");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            a path the admin API documents     | {"paths": {"/api/v1/certificates": {}}}                      | path /api/v1/certificates is documented twice
            a schema the admin API documents   | {"components": {"schemas": {"Problem": {}}}}                 | schema Problem is documented twice
            a tag the admin API documents      | {"tags": [{"name": "certificates"}]}                         | tag certificates is documented twice
            a path outside the admin API       | {"paths": {"/acme/directory": {}}}                           | not under /api/v1/
            a key other than paths and schemas | {"info": {"title": "mine"}}                                  | info
            a shared response                  | {"components": {"responses": {"Gone": {}}}}                  | components.responses
            a reference to nothing             | {"paths": {"/api/v1/x": {"$ref": "#/components/schemas/No"}}} | refers to #/components/schemas/No
            an external reference              | {"paths": {"/api/v1/x": {"$ref": "other.json#/x"}}}          | refers to other.json#/x
            an array                           | []                                                           | not a JSON object
            """)
    void aBadFragmentFailsTheStartNamingItsSource(String name, String fragment, String message) throws Exception {
        JsonNode json = ApiClient.JSON.readTree(fragment);
        assertThatThrownBy(() -> OpenApiHandler.merge(OpenApiHandler.load(), List.of(new OpenApiHandler.Fragment("endpoint x (x.json)", json))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining(message).hasMessageContaining("endpoint x (x.json)");
    }

    @Test
    void twoEndpointsDocumentingTheSamePathFailTheStart() {
        // The route table fails before the duplicate route is built: the admin API merges the document first, before
        // it reads anything from the context, hence none here.
        List<Endpoint> active = List.of(new AdminApiEndpoint(), new FragmentEndpoint(true), new FragmentEndpoint(true));
        assertThatThrownBy(() -> HallmarkServer.routeTable(active, null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("OpenAPI path /api/v1/test/widgets is documented twice: by endpoint test ("
                        + FragmentEndpoint.RESOURCE + ") and by endpoint test (" + FragmentEndpoint.RESOURCE + "); rename one");
    }

    /** An endpoint with one admin route, documented by a test fragment when it serves it. */
    static class FragmentEndpoint implements Endpoint {
        static final String RESOURCE = "/dev/hallmark/api/test-fragment.json";
        private final boolean serving;

        FragmentEndpoint(boolean serving) {
            this.serving = serving;
        }

        @Override
        public String name() {
            return "test";
        }

        @Override
        public List<Route> routes(ServerContext context) {
            if (!serving) {
                return List.of();
            }
            return List.of(Route.on(Listener.HTTPS, HttpMethod.GET, AdminApiEndpoint.BASE + "/test/widgets")
                    .access(Access.roles(AdminRole.ADMIN, AdminRole.AUDITOR)).operationId("listTestWidgets")
                    .handler((ctx, caller) -> ctx.response().putHeader("Content-Type", "application/json").end("[]")));
        }

        @Override
        public Optional<String> openApiResource(ServerContext context) {
            return serving ? Optional.of(RESOURCE) : Optional.empty();
        }
    }
}
