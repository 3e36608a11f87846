package dev.hallmark.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hallmark.admin.AdminRole;
import dev.hallmark.server.Listener;
import dev.hallmark.server.Route;
import dev.hallmark.server.testing.TestServer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The route inventory (RELIABILITY T59, I7): every route of every discovered endpoint, and the server's own, is
 * either open and allow-listed here by operationId, or protected by at least one role. Every protected route answers
 * 401 without a credential and 403 to a role it does not allow, before its handler runs. A new open route fails this
 * test until it is added to {@link #OPEN} on purpose.
 */
class RouteAuthorizationTest {
    /** Routes that are open on purpose: health and metrics, public documents, public CA certificates. */
    static final Set<String> OPEN = Set.of("healthz", "readyz", "metrics", "getOpenApi", "getCaCertificateFile");
    static TestServer server;
    static Map<AdminRole, String> tokens;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        tokens = Map.of(AdminRole.ADMIN, server.adminToken, AdminRole.OPERATOR, server.operatorToken,
                AdminRole.AUDITOR, server.auditorToken);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void everyRouteIsProtectedOrOpenOnPurpose() {
        List<Route> routes = server.runtime.server().routes();
        assertThat(routes).extracting(Route::operationId).contains("issueCertificate", "getCaCertificateFile", "healthz");
        for (Route r : routes) {
            if (r.access().isOpen()) {
                assertThat(OPEN).as(r.method() + " " + r.path() + " (" + r.operationId() + ") is open but not allow-listed")
                        .contains(r.operationId());
            } else {
                assertThat(r.access().roles()).as(r.operationId()).isNotEmpty();
            }
        }
    }

    @Test
    void everyAdminApiRouteIsProtectedExceptTheDocument() {
        for (Route r : server.runtime.server().routes()) {
            if (r.path().startsWith(AdminApiEndpoint.BASE + "/") && !r.operationId().equals("getOpenApi")) {
                assertThat(r.access().isOpen()).as(r.operationId()).isFalse();
                assertThat(r.listener()).as(r.operationId()).isEqualTo(Listener.HTTPS);
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> protectedRoutesRefuseTheAnonymousAndTheWrongRole() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Route r : server.runtime.server().routes()) {
            if (r.access().isOpen()) {
                continue;
            }
            tests.add(DynamicTest.dynamicTest(r.operationId() + " without a credential", () -> {
                Map<String, String> before = new ApiClient(server).stored();
                HttpResponse<String> response = server.send(request(r, null));
                ApiClient.assertProblem(response, 401, "unauthenticated");
                assertThat(response.headers().firstValue("WWW-Authenticate")).isPresent();
                assertThat(new ApiClient(server).stored()).isEqualTo(before);
            }));
            for (AdminRole role : EnumSet.complementOf(EnumSet.copyOf(r.access().roles()))) {
                tests.add(DynamicTest.dynamicTest(r.operationId() + " as " + role, () -> {
                    Map<String, String> before = new ApiClient(server).stored();
                    ApiClient.assertProblem(server.send(request(r, tokens.get(role))), 403, "forbidden");
                    assertThat(new ApiClient(server).stored()).isEqualTo(before);
                }));
            }
        }
        assertThat(tests).isNotEmpty();
        return tests.stream();
    }

    /** A request to {@code r} with dummy path parameters and, when it takes one, a small body of its media type. */
    private static HttpRequest request(Route r, String token) {
        String path = r.path().replaceAll(":serial", "1a2b3c4d5e6f7a8b").replaceAll(":[A-Za-z0-9_]+", "x");
        URI uri = switch (r.listener()) {
            case HTTPS -> server.https(path);
            case HTTP -> server.http(path);
            case MANAGEMENT -> server.management(path);
        };
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(java.time.Duration.ofSeconds(30));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (r.maxBodyBytes() > 0) {
            String type = r.consumes().stream().sorted().findFirst().orElseThrow();
            b.header("Content-Type", type);
            b.method(r.method().name(), HttpRequest.BodyPublishers.ofString("{}"));
        } else {
            b.method(r.method().name(), HttpRequest.BodyPublishers.noBody());
        }
        return b.build();
    }
}
