package dev.hallmark.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.authority.testing.StoredState;
import dev.hallmark.authority.testing.TestCsr;
import dev.hallmark.server.testing.TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** Calls to the admin API of a {@link TestServer}, JSON helpers, and the "nothing stored changed" fingerprint. */
final class ApiClient {
    static final ObjectMapper JSON = new ObjectMapper();
    final TestServer server;

    ApiClient(TestServer server) {
        this.server = server;
    }

    HttpResponse<String> get(String token, String path) {
        return server.send(server.as(token, server.https(path)).GET().build());
    }

    HttpResponse<String> get(String token, String path, String accept) {
        return server.send(server.as(token, server.https(path)).header("Accept", accept).GET().build());
    }

    HttpResponse<byte[]> getBytes(String token, String path, String accept) {
        try {
            return server.client().send(server.as(token, server.https(path)).header("Accept", accept).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> postJson(String token, String path, String json) {
        return post(token, path, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    HttpResponse<String> postJson(String token, String path, JsonNode json) {
        return postJson(token, path, json.toString());
    }

    HttpResponse<String> post(String token, String path, String contentType, byte[] body) {
        return server.send(server.as(token, server.https(path)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    HttpResponse<String> delete(String token, String path) {
        return server.send(server.as(token, server.https(path)).DELETE().build());
    }

    /** Issues a certificate for {@code csrDer} under {@code profile} as the operator; asserts 201. */
    JsonNode issue(byte[] csrDer, String profile) {
        HttpResponse<String> r = postJson(server.operatorToken, "/api/v1/certificates", issueRequest(csrDer, profile));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return json(r);
    }

    /** {@code {"csr": PEM, "profile": profile}}. */
    static ObjectNode issueRequest(byte[] csrDer, String profile) {
        ObjectNode o = JSON.createObjectNode();
        o.put("csr", csrPem(csrDer));
        o.put("profile", profile);
        return o;
    }

    /** A CSR for {@code dns} with a fresh key (revoking for keyCompromise must not block other tests' keys). */
    static byte[] csr(String dns, TestCsr.Modifier... more) {
        TestCsr.Modifier[] all = new TestCsr.Modifier[more.length + 1];
        all[0] = TestCsr.withFreshKey();
        System.arraycopy(more, 0, all, 1, more.length);
        return TestCsr.of(dns, all);
    }

    static String csrPem(byte[] der) {
        return "-----BEGIN CERTIFICATE REQUEST-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END CERTIFICATE REQUEST-----\n";
    }

    static JsonNode json(HttpResponse<String> r) {
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + r.body(), e);
        }
    }

    /** Asserts an RFC 9457 problem of {@code status} and type {@code urn:hallmark:problem:<type>}; returns it. */
    static JsonNode assertProblem(HttpResponse<String> r, int status, String type) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode p = json(r);
        assertThat(p.path("type").asText()).as(r.body()).isEqualTo("urn:hallmark:problem:" + type);
        assertThat(p.path("status").asInt()).isEqualTo(status);
        assertThat(p.path("requestId").asText()).isNotEmpty();
        assertThat(r.body()).doesNotContain("Exception").doesNotContain("\tat ");
        return p;
    }

    /**
     * Everything stored: {@link StoredState}, with the ledger's own checkpoint entries left out (the server signs
     * checkpoints in the background), plus the admin credentials.
     */
    Map<String, String> stored() {
        Map<String, String> out = new LinkedHashMap<>(StoredState.of(server.pki.database).tables());
        out.put("ledger_entry", digest("SELECT id, event_type, subject, actor FROM ledger_entry WHERE event_type NOT IN"
                + " ('LEDGER_CHECKPOINT_SIGNING', 'LEDGER_CHECKPOINT_SIGNED') ORDER BY id"));
        out.put("admin_credential", digest("SELECT id, role, kind, revoked_at FROM admin_credential ORDER BY id"));
        return out;
    }

    private String digest(String sql) {
        return server.pki.database.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
                int rows = 0;
                int hash = 1;
                int cols = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    rows++;
                    for (int i = 1; i <= cols; i++) {
                        hash = 31 * hash + String.valueOf(rs.getObject(i)).hashCode();
                    }
                }
                return rows + ":" + Integer.toHexString(hash);
            }
        });
    }
}
