package dev.hallmark.api;

import static dev.hallmark.api.ApiClient.assertProblem;
import static dev.hallmark.api.ApiClient.csr;
import static dev.hallmark.api.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hallmark.admin.AdminCredentials;
import dev.hallmark.admin.AdminRole;
import dev.hallmark.authority.testing.TestCsr;
import dev.hallmark.server.testing.TestServer;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Refusals of the certificate resources: each asserts the status and problem type, and that nothing stored changed
 * (certificates, serials, SANs, blocked keys, audit entries, credentials).
 */
class CertificateApiNegativeTest {
    static TestServer server;
    static ApiClient api;
    static String issuedSerial;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        api = new ApiClient(server);
        issuedSerial = api.issue(csr("neg.example"), "tls-server").path("serial").asText();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Runs {@code call}, asserts the problem, and that the stored state is as before. */
    private static JsonNode refused(int status, String type, Supplier<HttpResponse<String>> call) {
        Map<String, String> before = api.stored();
        JsonNode problem = assertProblem(call.get(), status, type);
        assertThat(api.stored()).isEqualTo(before);
        return problem;
    }

    private static String issueJson(String dns) {
        return ApiClient.issueRequest(csr(dns), "tls-server").toString();
    }

    @Test
    void noCredentialIs401WithAChallenge() {
        Map<String, String> before = api.stored();
        HttpResponse<String> r = server.send(HttpRequest.newBuilder(server.https("/api/v1/certificates"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(issueJson("anon.example"))).build());
        assertProblem(r, 401, "unauthenticated");
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(api.stored()).isEqualTo(before);
    }

    @ParameterizedTest(name = "token {0}")
    @ValueSource(strings = {"garbage", "hmk_0000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "revoked"})
    void invalidOrRevokedTokenIs401(String token) {
        String used = token;
        if (token.equals("revoked")) {
            AdminCredentials credentials = new AdminCredentials(server.pki.database, server.pki.ledger);
            AdminCredentials.Created c = credentials.create("soon-revoked", AdminRole.ADMIN, "test:fixture",
                    server.pki.clock.instant());
            credentials.revoke(c.id(), "test:fixture", server.pki.clock.instant());
            used = c.token();
        }
        String t = used;
        Map<String, String> before = api.stored();
        HttpResponse<String> r = api.postJson(t, "/api/v1/certificates", issueJson("bad-token.example"));
        assertProblem(r, 401, "unauthenticated");
        assertThat(r.headers().firstValue("WWW-Authenticate")).isPresent();
        assertThat(api.stored()).isEqualTo(before);
    }

    @Test
    void onlyAnAdminMayRevokeACaCertificate() {
        String issuingCaSerial = server.pki.issuing.record().serial().hex();
        JsonNode problem = refused(403, "unauthorized", () -> api.postJson(server.operatorToken,
                "/api/v1/certificates/" + issuingCaSerial + "/revoke?ca=root", "{\"reason\": \"superseded\"}"));
        assertThat(problem.path("detail").asText()).contains("only an admin");
    }

    @ParameterizedTest(name = "expiringBefore={0}")
    @ValueSource(strings = {"0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z", "9999-12-31T23:59:59-00:00"})
    void searchAcceptsTheFirstAndLastRfc3339Instants(String instant) {
        HttpResponse<String> r = api.get(server.auditorToken, "/api/v1/certificates?expiringBefore=" + instant);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    @Test
    void onlyAnAdminMayRevokeACertificateRegisteredAsAnAdminCredential() {
        byte[] der = server.pki.issue("tls-client", csr("alice.admins.example")).record().der();
        new AdminCredentials(server.pki.database, server.pki.ledger).registerCertificate("alice", AdminRole.AUDITOR, der,
                "test:fixture", server.pki.clock.instant());
        String serial = json(api.get(server.auditorToken, "/api/v1/certificates?san=alice.admins.example"))
                .path("items").get(0).path("serial").asText();
        String path = "/api/v1/certificates/" + serial + "/revoke";

        JsonNode problem = refused(403, "unauthorized", () -> api.postJson(server.operatorToken, path,
                "{\"reason\": \"keyCompromise\"}"));
        assertThat(problem.path("detail").asText()).contains("admin credential");

        HttpResponse<String> r = api.postJson(server.adminToken, path, "{\"reason\": \"superseded\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(json(r).path("status").asText()).isEqualTo("revoked");
    }

    @Test
    void auditorMayNotIssueOrRevokeOrDryRun() {
        refused(403, "forbidden", () -> api.postJson(server.auditorToken, "/api/v1/certificates", issueJson("aud.example")));
        refused(403, "forbidden", () -> api.postJson(server.auditorToken, "/api/v1/certificates/" + issuedSerial + "/revoke",
                "{\"reason\": \"keyCompromise\"}"));
        refused(403, "forbidden", () -> api.postJson(server.auditorToken, "/api/v1/policy/dry-run", issueJson("aud.example")));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "not JSON              | {",
            "array                 | []",
            "string                | \"csr\"",
            "null                  | null",
            "trailing content      | {\"profile\": \"tls-server\"} {}",
            "missing csr           | {\"profile\": \"tls-server\"}",
            "missing profile       | {\"csr\": \"-----BEGIN CERTIFICATE REQUEST-----\"}",
            "csr of wrong type     | {\"csr\": 42, \"profile\": \"tls-server\"}",
            "profile of wrong type | {\"csr\": \"AAAA\", \"profile\": [\"tls-server\"]}",
            "empty csr             | {\"csr\": \"\", \"profile\": \"tls-server\"}",
            "unknown member        | {\"csr\": \"AAAA\", \"profile\": \"tls-server\", \"validity\": \"10y\"}",
            "duplicate member      | {\"csr\": \"AAAA\", \"profile\": \"tls-server\", \"profile\": \"device\"}",
            "csr neither PEM nor base64 | {\"csr\": \"not a csr!\", \"profile\": \"tls-server\"}",
            "base64 that is no CSR | {\"csr\": \"AAAAAAAA\", \"profile\": \"tls-server\"}",
            "PEM of no CSR         | {\"csr\": \"-----BEGIN CERTIFICATE REQUEST-----\\nAAAA\\n-----END CERTIFICATE REQUEST-----\\n\", \"profile\": \"tls-server\"}",
    })
    void malformedJsonBodiesAre400(String name, String body) {
        refused(400, "malformed", () -> api.postJson(server.operatorToken, "/api/v1/certificates", body));
    }

    @Test
    void deeplyNestedJsonIs400() {
        String deep = "[".repeat(5000) + "]".repeat(5000);
        JsonNode p = refused(400, "malformed", () -> api.postJson(server.operatorToken, "/api/v1/certificates",
                "{\"csr\": " + deep + ", \"profile\": \"tls-server\"}"));
        assertOwnWords(p);
        assertThat(p.path("detail").asText()).contains("nested too deeply");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "not JSON          | {",
            "ends early        | {\"csr\": \"AAAA\"",
            "trailing content  | {} {}",
            "duplicate member  | {\"csr\": \"AAAA\", \"csr\": \"AAAA\", \"profile\": \"tls-server\"}",
            "huge exponent     | {\"csr\": 1e99999999999, \"profile\": \"tls-server\"}",
            "bad literal       | {\"csr\": tru, \"profile\": \"tls-server\"}",
    })
    void jsonParseFailuresAreDescribedInOurOwnWords(String name, String body) {
        assertOwnWords(refused(400, "malformed", () -> api.postJson(server.operatorToken, "/api/v1/certificates", body)));
    }

    @Test
    void overlongNumberIsDescribedInOurOwnWords() {
        String body = "{\"csr\": " + "1".repeat(5000) + ", \"profile\": \"tls-server\"}";
        assertOwnWords(refused(400, "malformed", () -> api.postJson(server.operatorToken, "/api/v1/certificates", body)));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "no end line       | -----BEGIN CERTIFICATE REQUEST-----\\nMIIB\\n",
            "bad base64        | -----BEGIN CERTIFICATE REQUEST-----\\n!!!!\\n-----END CERTIFICATE REQUEST-----\\n",
            "wrong label       | -----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----\\n",
            "mismatched end    | -----BEGIN CERTIFICATE REQUEST-----\\nAAAA\\n-----END CERTIFICATE-----\\n",
            "no DER inside     | -----BEGIN CERTIFICATE REQUEST-----\\nAAAA\\n-----END CERTIFICATE REQUEST-----\\n",
            "truncated DER     | -----BEGIN CERTIFICATE REQUEST-----\\nMIIBCgYJKoZIhvcNAQ==\\n-----END CERTIFICATE REQUEST-----\\n",
            "only dashes       | -----",
    })
    void brokenPemIsDescribedInOurOwnWords(String name, String pem) {
        String csr = pem.replace("\\n", "\n");
        JsonNode json = refused(400, "malformed", () -> api.postJson(server.operatorToken, "/api/v1/certificates",
                ApiClient.JSON.createObjectNode().put("csr", csr).put("profile", "tls-server")));
        assertOwnWords(json);
        assertThat(json.path("detail").asText()).startsWith("member 'csr'");
        JsonNode raw = refused(400, "malformed", () -> api.post(server.operatorToken, "/api/v1/certificates?profile=tls-server",
                "application/pkcs10", csr.getBytes(StandardCharsets.US_ASCII)));
        assertOwnWords(raw);
        assertThat(raw.path("detail").asText()).startsWith("the body");
    }

    @Test
    void derThatIsNoCsrIsDescribedInOurOwnWords() {
        byte[] certificate = server.pki.issuing.record().certificateDer();
        assertOwnWords(refused(400, "malformed", () -> api.postJson(server.operatorToken, "/api/v1/certificates",
                ApiClient.JSON.createObjectNode().put("csr", java.util.Base64.getEncoder().encodeToString(certificate))
                        .put("profile", "tls-server"))));
        assertOwnWords(refused(400, "malformed", () -> api.post(server.operatorToken, "/api/v1/certificates?profile=tls-server",
                "application/pkcs10", certificate)));
    }

    /** A detail of our own: no exception, no Java class or method name, no library's backquoted reference. */
    private static void assertOwnWords(JsonNode problem) {
        String detail = problem.path("detail").asText();
        assertThat(detail).isNotEmpty()
                .doesNotContain("Exception").doesNotContain("`").doesNotContain("()")
                .doesNotContainPattern("\\b[a-z][a-z0-9]*(\\.[a-z][a-z0-9]*)+\\.[A-Z]\\w*")
                .doesNotContainPattern("\\b(StreamReadConstraints|PemReader|ASN1|Jackson|BouncyCastle)\\b");
    }

    @Test
    void unusableCsrsAreBadCsrAndNotIssued() {
        refused(400, "badCSR", () -> api.postJson(server.operatorToken, "/api/v1/certificates",
                ApiClient.issueRequest(csr("badsig.example", TestCsr.withBadSignature()), "tls-server")));
        refused(400, "badCSR", () -> api.post(server.operatorToken, "/api/v1/certificates?profile=tls-server",
                "application/pkcs10", csr("badsig.example", TestCsr.withBadSignature())));
        refused(400, "malformed", () -> api.post(server.operatorToken, "/api/v1/certificates?profile=tls-server",
                "application/pkcs10", "garbage".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void identifiersRefusedByPolicyAre400WithSubproblems() {
        JsonNode p = refused(400, "rejectedIdentifier", () -> api.postJson(server.operatorToken, "/api/v1/certificates",
                ApiClient.issueRequest(csr("ok.example", TestCsr.withEmail("someone@example.com")), "tls-server")));
        assertThat(p.path("subproblems")).isNotEmpty();
        assertThat(p.path("subproblems").get(0).path("identifier").path("type").asText()).isEqualTo("email");
    }

    @Test
    void pkcs10BodyNeedsAProfileAndKnowsNoOtherParameters() {
        JsonNode p = refused(400, "malformed", () -> api.post(server.operatorToken, "/api/v1/certificates",
                "application/pkcs10", csr("noprofile.example")));
        assertThat(p.path("detail").asText()).contains("'profile'");
        refused(400, "malformed", () -> api.post(server.operatorToken, "/api/v1/certificates?profile=tls-server&x=1",
                "application/pkcs10", csr("noprofile.example")));
    }

    @Test
    void unknownProfileOrCaIs404() {
        refused(404, "notFound", () -> api.postJson(server.operatorToken, "/api/v1/certificates",
                ApiClient.issueRequest(csr("p.example"), "no-such-profile")));
        refused(404, "notFound", () -> api.postJson(server.operatorToken, "/api/v1/certificates",
                ApiClient.issueRequest(csr("c.example"), "tls-server").put("ca", "no-such-ca")));
        refused(404, "notFound", () -> api.get(server.auditorToken, "/api/v1/certificates/" + issuedSerial + "?ca=no-such-ca"));
    }

    @Test
    void wrongContentTypeIs415() {
        refused(415, "unsupportedMediaType", () -> api.post(server.operatorToken, "/api/v1/certificates", "text/plain",
                issueJson("t.example").getBytes(StandardCharsets.UTF_8)));
        refused(415, "unsupportedMediaType", () -> api.post(server.operatorToken, "/api/v1/certificates",
                "application/x-java-serialized-object", new byte[] {(byte) 0xac, (byte) 0xed, 0, 5}));
        refused(415, "unsupportedMediaType", () -> server.send(server.as(server.operatorToken,
                server.https("/api/v1/certificates")).POST(HttpRequest.BodyPublishers.ofString(issueJson("t.example"))).build()));
        refused(415, "unsupportedMediaType", () -> api.post(server.operatorToken, "/api/v1/certificates/" + issuedSerial
                + "/revoke", "application/pkcs10", new byte[] {1}));
    }

    @Test
    void oversizeBodyIs413WhetherDeclaredOrChunked() {
        byte[] big = new byte[AdminApiEndpoint.CSR_BODY_LIMIT + 1024];
        Arrays.fill(big, (byte) ' ');
        refused(413, "payloadTooLarge", () -> api.post(server.operatorToken, "/api/v1/certificates", "application/json", big));
        refused(413, "payloadTooLarge", () -> server.send(server.as(server.operatorToken, server.https("/api/v1/certificates"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))).build()));
        byte[] revokeBig = new byte[AdminApiEndpoint.SMALL_BODY_LIMIT + 1];
        Arrays.fill(revokeBig, (byte) ' ');
        refused(413, "payloadTooLarge", () -> api.post(server.operatorToken, "/api/v1/certificates/" + issuedSerial + "/revoke",
                "application/json", revokeBig));
    }

    @ParameterizedTest(name = "serial {0}")
    @ValueSource(strings = {"xyz", "0", "-1", "12g4", "0x", "123456789012345678901234567890123456789012345"})
    void badSerialIs400(String serial) {
        refused(400, "malformed", () -> api.get(server.auditorToken, "/api/v1/certificates/" + serial));
        refused(400, "malformed", () -> api.postJson(server.operatorToken, "/api/v1/certificates/" + serial + "/revoke", "{}"));
    }

    @Test
    void unknownSerialIs404() {
        refused(404, "notFound", () -> api.get(server.auditorToken, "/api/v1/certificates/1234567890abcdef"));
        refused(404, "notFound", () -> api.postJson(server.operatorToken, "/api/v1/certificates/1234567890abcdef/revoke",
                "{\"reason\": \"superseded\"}"));
        refused(404, "notFound", () -> api.get(server.auditorToken, "/api/v1/certificates/1234567890abcdef/inclusion-proof"));
    }

    @Test
    void unacceptableMediaTypeIs406() {
        refused(406, "notAcceptable", () -> api.get(server.auditorToken, "/api/v1/certificates/" + issuedSerial, "text/html"));
        refused(406, "notAcceptable", () -> api.get(server.auditorToken, "/api/v1/certificates/" + issuedSerial,
                "application/json;q=0, */*;q=0"));
    }

    @ParameterizedTest(name = "reason {0}")
    @ValueSource(strings = {"{\"reason\": \"certificateHold\"}", "{\"reason\": \"removeFromCRL\"}", "{\"reason\": \"7\"}",
            "{\"reason\": \"whatever\"}"})
    void refusedRevocationReasonIs400(String body) {
        refused(400, "badRevocationReason", () -> api.postJson(server.operatorToken,
                "/api/v1/certificates/" + issuedSerial + "/revoke", body));
    }

    @ParameterizedTest(name = "body {0}")
    @ValueSource(strings = {"{\"reason\": 1}", "{\"reason\": \"keyCompromise\", \"date\": \"2020-01-01\"}", "[]", "{"})
    void malformedRevokeBodyIs400(String body) {
        refused(400, "malformed", () -> api.postJson(server.operatorToken,
                "/api/v1/certificates/" + issuedSerial + "/revoke", body));
    }

    @Test
    void revokingTwiceIs409AlreadyRevokedAndChangesNothing() {
        String serial = api.issue(csr("twice.example"), "tls-server").path("serial").asText();
        String path = "/api/v1/certificates/" + serial + "/revoke";
        HttpResponse<String> first = api.postJson(server.operatorToken, path, "{\"reason\": \"superseded\"}");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);

        refused(409, "alreadyRevoked", () -> api.postJson(server.operatorToken, path, "{\"reason\": \"superseded\"}"));
        refused(409, "alreadyRevoked", () -> api.postJson(server.adminToken, path, "{}"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "status=bogus                | status",
            "status=                     | status",
            "limit=0                     | limit",
            "limit=1001                  | limit",
            "limit=abc                   | limit",
            "offset=-1                   | offset",
            "expiringBefore=yesterday    | expiringBefore",
            "expiringBefore=2027-01-01   | expiringBefore",
            "expiringBefore=-999999999-01-01T00:00:00%2B18:00 | expiringBefore",
            "expiringBefore=%2B999999999-12-31T23:59:59-18:00 | expiringBefore",
            "expiringBefore=0000-12-31T23:59:59Z             | expiringBefore",
            "expiringBefore=0001-01-01T00:30:00%2B01:00      | expiringBefore",
            "expiringBefore=%2B10000-01-01T00:00:00Z         | expiringBefore",
            "serial=zz                   | serial",
            "ca=no-such-ca               | ca",
            "limit=1&limit=2             | limit",
            "stauts=valid                | stauts",
    })
    void badSearchParametersAre400NamingTheParameter(String query, String parameter) {
        JsonNode p = refused(400, "malformed", () -> api.get(server.auditorToken, "/api/v1/certificates?" + query));
        assertThat(p.path("detail").asText()).contains("'" + parameter + "'");
    }
}
