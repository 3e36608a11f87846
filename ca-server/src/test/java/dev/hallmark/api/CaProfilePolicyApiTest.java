package dev.hallmark.api;

import static dev.hallmark.api.ApiClient.assertProblem;
import static dev.hallmark.api.ApiClient.csr;
import static dev.hallmark.api.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hallmark.authority.IssuedCertificate;
import dev.hallmark.authority.policy.PolicyEngine;
import dev.hallmark.authority.testing.TestCsr;
import dev.hallmark.hsm.KeyType;
import dev.hallmark.server.testing.TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** CAs, profiles, the policy dry-run, and the CA certificate distribution points. */
class CaProfilePolicyApiTest {
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

    @Test
    void listsCasRootsFirstWithTheirCertificates() {
        HttpResponse<String> r = api.get(server.auditorToken, "/api/v1/cas");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode cas = json(r);
        List<String> names = new ArrayList<>();
        cas.forEach(c -> names.add(c.path("name").asText()));
        assertThat(names).containsExactly("root", "issuing");
        JsonNode issuing = cas.get(1);
        assertThat(issuing.path("parent").asText()).isEqualTo("root");
        assertThat(issuing.path("defaultIssuer").asBoolean()).isTrue();
        assertThat(cas.get(0).has("parent")).isFalse();
        assertThat(issuing.path("keyType").asText()).isEqualTo("ec-p256");
        assertThat(issuing.path("certificate").asText())
                .isEqualTo(IssuedCertificate.pem(server.pki.issuing.record().certificateDer()));
        assertThat(issuing.path("certificateUrl").asText()).isEqualTo("/ca/issuing.crt");
    }

    @Test
    void getsOneCaAndRefusesAnUnknownOne() {
        HttpResponse<String> r = api.get(server.operatorToken, "/api/v1/cas/root");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).path("serial").asText()).isEqualTo(server.pki.root.record().serial().hex());
        assertThat(json(r).path("certificate").asText()).startsWith("-----BEGIN CERTIFICATE-----");

        Map<String, String> before = api.stored();
        assertProblem(api.get(server.operatorToken, "/api/v1/cas/nope"), 404, "notFound");
        assertProblem(api.get(server.operatorToken, "/api/v1/cas/root?x=1"), 400, "malformed");
        assertThat(api.stored()).isEqualTo(before);
    }

    @Test
    void listsAndGetsProfiles() {
        JsonNode all = json(api.get(server.auditorToken, "/api/v1/profiles"));
        List<String> names = new ArrayList<>();
        all.forEach(p -> names.add(p.path("name").asText()));
        assertThat(names).containsExactly("device", "ocsp-signer", "tls-client", "tls-server");

        HttpResponse<String> r = api.get(server.auditorToken, "/api/v1/profiles/tls-server");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode p = json(r);
        assertThat(p.path("version").asInt()).isEqualTo(1);
        assertThat(p.path("validity").asText()).isEqualTo("PT2160H");
        assertThat(p.path("extendedKeyUsage").toString()).isEqualTo("[\"server-auth\"]");
        assertThat(p.path("subjectAltNames").path("types").toString()).isEqualTo("[\"dns\",\"ip\"]");
        assertThat(p.path("subjectAltNames").path("required").asBoolean()).isTrue();
        assertThat(p.path("commonName").asText()).isEqualTo("first-san");
        assertThat(json(api.get(server.auditorToken, "/api/v1/profiles/ocsp-signer")).path("channels").toString())
                .isEqualTo("[\"api\",\"cli\",\"system\"]");

        Map<String, String> before = api.stored();
        assertProblem(api.get(server.auditorToken, "/api/v1/profiles/nope"), 404, "notFound");
        assertThat(api.stored()).isEqualTo(before);
    }

    @Test
    void dryRunAllowsWithoutIssuingAnything() {
        Map<String, String> before = api.stored();
        HttpResponse<String> r = api.postJson(server.operatorToken, "/api/v1/policy/dry-run",
                ApiClient.issueRequest(csr("dry.example"), "tls-server"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(json(r).path("allowed").asBoolean()).isTrue();
        assertThat(json(r).path("reasons")).isEmpty();
        assertThat(api.stored()).isEqualTo(before);
    }

    @Test
    void dryRunExplainsARefusal() {
        Map<String, String> before = api.stored();
        HttpResponse<String> r = api.postJson(server.adminToken, "/api/v1/policy/dry-run",
                ApiClient.issueRequest(csr("dry.example", TestCsr.withEmail("someone@example.com"),
                        TestCsr.withDns("bad_name.example")), "tls-server"));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode d = json(r);
        assertThat(d.path("allowed").asBoolean()).isFalse();
        assertThat(d.path("kind").asText()).isEqualTo("rejectedIdentifier");
        List<String> rules = new ArrayList<>();
        d.path("reasons").forEach(reason -> {
            rules.add(reason.path("rule").asText());
            assertThat(reason.path("kind").asText()).isEqualTo("rejectedIdentifier");
            assertThat(reason.path("detail").asText()).isNotEmpty();
        });
        assertThat(rules).contains(PolicyEngine.SAN_TYPE_NOT_IN_PROFILE, PolicyEngine.IDENTIFIER_SYNTAX);
        assertThat(d.path("reasons").get(0).path("identifier").path("type").asText()).isIn("email", "dns");
        assertThat(api.stored()).isEqualTo(before);
    }

    @Test
    void dryRunAnswersAKeyBlockedAfterKeyCompromiseAsADecision() {
        KeyPair key = TestCsr.generate(KeyType.EC_P256);
        String serial = api.issue(TestCsr.of("blocked.example", TestCsr.withKeyPair(key)), "tls-server").path("serial").asText();
        HttpResponse<String> revoked = api.postJson(server.adminToken, "/api/v1/certificates/" + serial + "/revoke",
                "{\"reason\": \"keyCompromise\"}");
        assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);

        Map<String, String> before = api.stored();
        JsonNode d = refusal(api.postJson(server.operatorToken, "/api/v1/policy/dry-run",
                ApiClient.issueRequest(TestCsr.of("again.example", TestCsr.withKeyPair(key)), "tls-server")), "badPublicKey");
        assertThat(d.path("reasons").get(0).path("rule").asText()).isEqualTo(DryRunHandler.RULE_KEY_BLOCKED);
        assertThat(api.stored()).isEqualTo(before);
    }

    @Test
    void dryRunAnswersTheRootCaAndACaRequestAsDecisions() {
        Map<String, String> before = api.stored();
        JsonNode root = refusal(api.postJson(server.operatorToken, "/api/v1/policy/dry-run",
                ApiClient.issueRequest(csr("root.example"), "tls-server").put("ca", "root")), "policyDenied");
        assertThat(root.path("reasons").get(0).path("rule").asText()).isEqualTo(DryRunHandler.RULE_ROOT_CA);

        JsonNode ca = refusal(api.postJson(server.operatorToken, "/api/v1/policy/dry-run",
                ApiClient.issueRequest(csr("ca.example", TestCsr.askingForCa()), "tls-server")), "policyDenied");
        assertThat(ca.path("reasons").get(0).path("rule").asText()).isEqualTo(DryRunHandler.RULE_CSR_ASKS_CA);
        assertThat(api.stored()).isEqualTo(before);
    }

    /** Asserts a 200 refusal of {@code kind} with one reason of that kind; returns the decision. */
    private static JsonNode refusal(HttpResponse<String> r, String kind) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode d = json(r);
        assertThat(d.path("allowed").asBoolean()).as(r.body()).isFalse();
        assertThat(d.path("kind").asText()).isEqualTo(kind);
        assertThat(d.path("reasons")).hasSize(1);
        JsonNode reason = d.path("reasons").get(0);
        assertThat(reason.path("kind").asText()).isEqualTo(kind);
        assertThat(reason.path("detail").asText()).isNotEmpty();
        return d;
    }

    @Test
    void dryRunOfAnUnusableCsrIsStillAProblem() {
        Map<String, String> before = api.stored();
        assertProblem(api.postJson(server.operatorToken, "/api/v1/policy/dry-run",
                ApiClient.issueRequest(csr("dry.example", TestCsr.withBadSignature()), "tls-server")), 400, "badCSR");
        assertProblem(api.postJson(server.operatorToken, "/api/v1/policy/dry-run", "{\"profile\": \"tls-server\"}"),
                400, "malformed");
        assertProblem(api.postJson(server.operatorToken, "/api/v1/policy/dry-run",
                ApiClient.issueRequest(csr("dry.example"), "nope")), 404, "notFound");
        assertProblem(api.postJson(server.operatorToken, "/api/v1/policy/dry-run",
                ApiClient.issueRequest(csr("dry.example"), "tls-server").put("ca", "nope")), 404, "notFound");
        assertProblem(api.postJson(server.operatorToken, "/api/v1/policy/dry-run",
                ApiClient.issueRequest(csr("dry.example", TestCsr.signedWith("SHA1withECDSA")), "tls-server")),
                400, "badSignatureAlgorithm");
        assertProblem(api.postJson(server.operatorToken, "/api/v1/policy/dry-run",
                ApiClient.issueRequest(csr("dry.example", TestCsr.withBadSignature()), "tls-server").put("ca", "root")),
                400, "badCSR");
        assertProblem(api.post(server.operatorToken, "/api/v1/policy/dry-run", "application/pkcs10", csr("dry.example")),
                415, "unsupportedMediaType");
        assertThat(api.stored()).isEqualTo(before);
    }

    @Test
    void distributionPointsServeCaCertificatesOverHttp() throws Exception {
        HttpResponse<byte[]> crt = httpGet("/ca/root.crt");
        assertThat(crt.statusCode()).isEqualTo(200);
        assertThat(crt.headers().firstValue("Content-Type")).hasValue("application/pkix-cert");
        assertThat(crt.headers().firstValue("Cache-Control")).hasValue("public, max-age=3600");
        assertThat(crt.body()).isEqualTo(server.pki.root.record().certificateDer());

        HttpResponse<byte[]> pem = httpGet("/ca/issuing.pem");
        assertThat(pem.statusCode()).isEqualTo(200);
        assertThat(pem.headers().firstValue("Content-Type")).hasValue("application/x-pem-file");
        assertThat(new String(pem.body(), java.nio.charset.StandardCharsets.US_ASCII))
                .isEqualTo(IssuedCertificate.pem(server.pki.issuing.record().certificateDer()));

        for (String missing : List.of("/ca/nope.crt", "/ca/root.txt", "/ca/root", "/ca/..%2Froot.crt", "/ca/ROOT.crt")) {
            HttpResponse<String> r = server.send(HttpRequest.newBuilder(server.http(missing)).build());
            assertProblem(r, 404, "notFound");
        }
        // Only the HTTP listener serves them.
        assertThat(server.send(HttpRequest.newBuilder(server.https("/ca/root.crt")).build()).statusCode()).isEqualTo(404);
    }

    private static HttpResponse<byte[]> httpGet(String path) {
        try {
            return server.client().send(HttpRequest.newBuilder(server.http(path)).build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
