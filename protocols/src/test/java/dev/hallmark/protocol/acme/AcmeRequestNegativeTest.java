package dev.hallmark.protocol.acme;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hallmark.server.testing.TestServer;
import dev.hallmark.store.acme.JdbcAcmeStore;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jws.JsonWebSignature;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * RELIABILITY T01, T03–T07 against a real server with hand-made JWS: each case asserts the ACME problem type and
 * status, and that no account was created.
 */
class AcmeRequestNegativeTest {
    static TestServer server;
    static JdbcAcmeStore store;
    static KeyPair key;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.builder().endpoints(new AcmeEndpoint()).start();
        store = new JdbcAcmeStore(server.pki.database);
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        key = g.generateKeyPair();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String url(String path) {
        return server.https(path).toString();
    }

    static String nonce() {
        HttpResponse<String> r = server.send(HttpRequest.newBuilder(server.https("/acme/new-nonce"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
        return r.headers().firstValue("Replay-Nonce").orElseThrow();
    }

    /** A flattened JWS signed with {@link #key}, with the header members given. */
    static String jws(String alg, String headerJson, String payload) throws Exception {
        JsonWebSignature jws = new JsonWebSignature();
        jws.getHeaders().setFullHeaderAsJsonString(headerJson);
        jws.setPayload(payload);
        jws.setKey(key.getPrivate());
        jws.setDoKeyValidation(false);
        String[] parts = jws.getCompactSerialization().split("\\.", -1);
        return "{\"protected\":\"" + parts[0] + "\",\"payload\":\"" + parts[1] + "\",\"signature\":\"" + parts[2] + "\"}";
    }

    static String jwk() {
        try {
            return PublicJsonWebKey.Factory.newPublicJwk(key.getPublic()).toJson();
        } catch (org.jose4j.lang.JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    static HttpResponse<String> post(String path, String body, String contentType) {
        return server.send(HttpRequest.newBuilder(server.https(path)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build());
    }

    static void assertProblem(HttpResponse<String> r, int status, String type) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        JsonNode body = AcmeJson.MAPPER.readTree(r.body());
        assertThat(body.path("type").asText()).isEqualTo(AcmeProblem.NAMESPACE + type);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(r.headers().firstValue("Replay-Nonce")).as("every ACME error carries a fresh nonce").isPresent();
        assertThat(store.accounts(0, 1000)).as("no account created").isEmpty();
    }

    String newAccountHeader(String alg) {
        return "{\"alg\":\"" + alg + "\",\"nonce\":\"" + nonce() + "\",\"url\":\"" + url("/acme/new-account")
                + "\",\"jwk\":" + jwk() + "}";
    }

    @Test
    void algNoneAndHmacAreBadSignatureAlgorithm() throws Exception {
        String header = newAccountHeader("none");
        String b64h = Base64.getUrlEncoder().withoutPadding().encodeToString(header.getBytes(StandardCharsets.UTF_8));
        String b64p = Base64.getUrlEncoder().withoutPadding().encodeToString("{}".getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = post("/acme/new-account", "{\"protected\":\"" + b64h + "\",\"payload\":\"" + b64p
                + "\",\"signature\":\"\"}", AcmeEndpoint.JOSE);
        assertProblem(r, 400, "badSignatureAlgorithm");
        assertThat(AcmeJson.MAPPER.readTree(r.body()).path("algorithms").isArray()).isTrue();

        String hs = newAccountHeader("HS256").replace("\"alg\":\"HS256\"", "\"alg\":\"HS256\"");
        b64h = Base64.getUrlEncoder().withoutPadding().encodeToString(hs.getBytes(StandardCharsets.UTF_8));
        assertProblem(post("/acme/new-account", "{\"protected\":\"" + b64h + "\",\"payload\":\"" + b64p
                + "\",\"signature\":\"AAAA\"}", AcmeEndpoint.JOSE), 400, "badSignatureAlgorithm");
    }

    @Test
    void anAlgorithmThatDoesNotFitTheKeyIsRefused() throws Exception {
        String header = newAccountHeader("RS256");
        String b64h = Base64.getUrlEncoder().withoutPadding().encodeToString(header.getBytes(StandardCharsets.UTF_8));
        assertProblem(post("/acme/new-account", "{\"protected\":\"" + b64h + "\",\"payload\":\"e30\",\"signature\":\"AAAA\"}",
                AcmeEndpoint.JOSE), 400, "badSignatureAlgorithm");
    }

    @Test
    void jwkAndKidTogetherAndAnUnprotectedHeaderAreMalformed() throws Exception {
        String header = newAccountHeader("ES256").replace("\"jwk\":", "\"kid\":\"" + url("/acme/acct/1") + "\",\"jwk\":");
        assertProblem(post("/acme/new-account", jws("ES256", header, "{}"), AcmeEndpoint.JOSE), 400, "malformed");
        String body = jws("ES256", newAccountHeader("ES256"), "{}");
        assertProblem(post("/acme/new-account", body.replace("{\"protected\"", "{\"header\":{\"x\":1},\"protected\""),
                AcmeEndpoint.JOSE), 400, "malformed");
    }

    @Test
    void aUrlOtherThanTheRequestUrlIsUnauthorized() throws Exception {
        String header = newAccountHeader("ES256").replace("/acme/new-account", "/acme/new-order");
        assertProblem(post("/acme/new-account", jws("ES256", header, "{}"), AcmeEndpoint.JOSE), 403, "unauthorized");
    }

    @Test
    void unknownAndReusedNoncesAreBadNonce() throws Exception {
        String header = newAccountHeader("ES256").replaceFirst("\"nonce\":\"[^\"]+\"", "\"nonce\":\"AAAAAAAAAAAAAAAAAAAAAA\"");
        assertProblem(post("/acme/new-account", jws("ES256", header, "{\"onlyReturnExisting\":true}"), AcmeEndpoint.JOSE),
                400, "badNonce");
    }

    @Test
    void oneNonceFiredConcurrentlySucceedsOnce() throws Exception {
        String body = jws("ES256", newAccountHeader("ES256"), "{\"onlyReturnExisting\":true}");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<HttpResponse<String>>> all = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                all.add(pool.submit((Callable<HttpResponse<String>>) () -> post("/acme/new-account", body, AcmeEndpoint.JOSE)));
            }
            int notBadNonce = 0;
            for (Future<HttpResponse<String>> f : all) {
                HttpResponse<String> r = f.get();
                if (!r.body().contains("badNonce")) {
                    notBadNonce++;
                    assertThat(r.body()).contains("accountDoesNotExist");
                }
            }
            assertThat(notBadNonce).as("requests that got past the nonce check").isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void oversizedDeepDuplicateAndWrongMediaTypeAreRefused() throws Exception {
        assertProblem(post("/acme/new-account", "{}", "text/plain"), 415, "malformed"); // with a nonce (§6.5)
        assertThat(declaredOnly(200_000)).as("a declared oversized body is refused before it is read").startsWith("HTTP/1.1 413");
        assertProblem(post("/acme/new-account", "[".repeat(50_000), AcmeEndpoint.JOSE), 400, "malformed");
        String dup = newAccountHeader("ES256").replace("{\"alg\":\"ES256\"", "{\"alg\":\"ES256\",\"alg\":\"none\"");
        String b64h = Base64.getUrlEncoder().withoutPadding().encodeToString(dup.getBytes(StandardCharsets.UTF_8));
        assertProblem(post("/acme/new-account", "{\"protected\":\"" + b64h + "\",\"payload\":\"e30\",\"signature\":\"AAAA\"}",
                AcmeEndpoint.JOSE), 400, "malformed");
    }

    /** Sends only the headers of a POST declaring {@code length} bytes and returns the status line. */
    static String declaredOnly(int length) throws Exception {
        try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) server.trustingRoot().getSocketFactory()
                .createSocket("localhost", server.https("/").getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("POST /acme/new-account HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
                    + AcmeEndpoint.JOSE + "\r\nContent-Length: " + length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            return new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
        }
    }

    @Test
    void getOnAPostResourceIs405AndTheDirectoryListsEverything() throws Exception {
        assertThat(server.send(HttpRequest.newBuilder(server.https("/acme/new-order")).GET().build()).statusCode()).isEqualTo(405);
        HttpResponse<String> d = server.send(HttpRequest.newBuilder(server.https("/acme/directory")).GET().build());
        JsonNode dir = AcmeJson.MAPPER.readTree(d.body());
        for (String k : List.of("newNonce", "newAccount", "newOrder", "revokeCert", "keyChange", "renewalInfo")) {
            assertThat(URI.create(dir.path(k).asText()).getPath()).startsWith("/acme/");
        }
        assertThat(dir.path("meta").path("profiles").has("tls-server")).isTrue();
    }
}
