package dev.hallmark.api;

import static dev.hallmark.api.ApiClient.assertProblem;
import static dev.hallmark.api.ApiClient.csr;
import static dev.hallmark.api.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hallmark.authority.SerialNumber;
import dev.hallmark.db.testing.TestDatabases;
import dev.hallmark.ledger.MerkleTree;
import dev.hallmark.server.testing.TestServer;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The same resources on a real PostgreSQL server (embedded), under the production migrations. */
class AdminApiPostgresTest {
    static TestServer server;
    static ApiClient api;

    @BeforeAll
    static void start() {
        server = TestServer.builder().pki(b -> b.database(TestDatabases.Kind.POSTGRESQL)).start();
        api = new ApiClient(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void issueGetSearchAndRevoke() {
        JsonNode fromJson = api.issue(csr("pg.example"), "tls-server");
        HttpResponse<String> fromDer = api.post(server.operatorToken, "/api/v1/certificates?profile=tls-server",
                "application/pkcs10", csr("der.pg.example"));
        assertThat(fromDer.statusCode()).as(fromDer.body()).isEqualTo(201);
        String serial = fromJson.path("serial").asText();
        assertThat(server.pki.authority.certificate("issuing", SerialNumber.parse(serial)).orElseThrow().sha256Fingerprint())
                .isEqualTo(fromJson.path("sha256").asText());

        assertThat(json(api.get(server.auditorToken, "/api/v1/certificates/" + serial)).path("status").asText())
                .isEqualTo("valid");
        JsonNode page = json(api.get(server.auditorToken, "/api/v1/certificates?san=PG.example&status=valid&limit=1"));
        assertThat(page.path("items")).hasSize(1);
        assertThat(page.path("items").get(0).path("serial").asText()).isEqualTo(serial);
        assertThat(page.path("next").isNull()).isTrue();

        HttpResponse<String> revoked = api.postJson(server.operatorToken, "/api/v1/certificates/" + serial + "/revoke",
                "{\"reason\": \"cessationOfOperation\"}");
        assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
        assertThat(json(revoked).path("status").asText()).isEqualTo("revoked");

        Map<String, String> before = api.stored();
        assertProblem(api.postJson(server.operatorToken, "/api/v1/certificates/" + serial + "/revoke",
                "{\"reason\": \"superseded\"}"), 409, "alreadyRevoked");
        assertProblem(api.postJson(server.auditorToken, "/api/v1/certificates", ApiClient.issueRequest(csr("x.pg.example"),
                "tls-server")), 403, "forbidden");
        assertProblem(api.postJson(server.operatorToken, "/api/v1/certificates", "{\"csr\": \"AAAA\"}"), 400, "malformed");
        assertProblem(api.get(server.auditorToken, "/api/v1/certificates/abcdef0123456789"), 404, "notFound");
        assertThat(api.stored()).isEqualTo(before);
    }

    @Test
    void inclusionProofVerifiesAgainstTheCheckpoint() {
        String serial = api.issue(csr("proof.pg.example"), "tls-server").path("serial").asText();
        server.runtime.checkpointIfNeeded();

        HttpResponse<String> r = api.get(server.auditorToken, "/api/v1/certificates/" + serial + "/inclusion-proof");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode p = json(r);
        List<byte[]> path = new ArrayList<>();
        p.path("auditPath").forEach(n -> path.add(Base64.getDecoder().decode(n.asText())));
        assertThat(MerkleTree.verifyInclusion(p.path("leafIndex").asLong(), p.path("treeSize").asLong(),
                Base64.getDecoder().decode(p.path("leafHash").asText()), path,
                Base64.getDecoder().decode(p.path("checkpoint").path("rootHash").asText()))).isTrue();
    }

    @Test
    void tokensOnPostgres() {
        HttpResponse<String> created = api.postJson(server.adminToken, "/api/v1/tokens", "{\"name\": \"pg\", \"role\": \"operator\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String token = json(created).path("token").asText();
        assertThat(api.get(token, "/api/v1/profiles").statusCode()).isEqualTo(200);
        assertThat(api.delete(server.adminToken, "/api/v1/tokens/" + json(created).path("id").asText()).statusCode())
                .isEqualTo(204);
        assertProblem(api.get(token, "/api/v1/profiles"), 401, "unauthenticated");
    }
}
