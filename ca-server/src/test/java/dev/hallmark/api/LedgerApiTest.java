package dev.hallmark.api;

import static dev.hallmark.api.ApiClient.assertProblem;
import static dev.hallmark.api.ApiClient.csr;
import static dev.hallmark.api.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hallmark.ledger.Checkpoint;
import dev.hallmark.ledger.MerkleTree;
import dev.hallmark.server.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The ledger resources: the signed checkpoint, a certificate's inclusion proof (checked here with RFC 9162 math
 * written independently of the ledger's own, and with the ledger's verifier) and consistency proofs. The background
 * checkpointer is slowed to a day so each test decides when a checkpoint is signed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LedgerApiTest {
    static TestServer server;
    static ApiClient api;

    @BeforeAll
    static void start() {
        server = TestServer.builder().yaml("server: {shutdownGrace: 2s, checkpointInterval: 1d}\n").start();
        api = new ApiClient(server);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    @Order(1)
    void beforeAnyCheckpointThereIsNoneAndNoProof() {
        String serial = api.issue(csr("early.example"), "tls-server").path("serial").asText();
        Map<String, String> before = api.stored();

        assertProblem(api.get(server.auditorToken, "/api/v1/ledger/checkpoint"), 404, "notFound");
        HttpResponse<String> proof = api.get(server.auditorToken, "/api/v1/certificates/" + serial + "/inclusion-proof");
        assertProblem(proof, 409, "notCheckpointed");
        assertThat(proof.headers().firstValue("Retry-After")).hasValue("86400");
        assertProblem(api.get(server.auditorToken, "/api/v1/ledger/consistency?from=0"), 404, "notFound");
        assertThat(api.stored()).isEqualTo(before);
    }

    @Test
    @Order(2)
    void checkpointIsSignedByTheLedgerKey() throws Exception {
        server.runtime.checkpointIfNeeded();

        HttpResponse<String> r = api.get(server.auditorToken, "/api/v1/ledger/checkpoint");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode c = json(r);
        Checkpoint stored = server.pki.ledger.latestCheckpoint().orElseThrow();
        assertThat(c.path("treeSize").asLong()).isEqualTo(stored.treeSize());
        assertThat(b64(c.path("rootHash"))).isEqualTo(stored.rootHash());
        assertThat(c.path("keyAlias").asText()).isEqualTo("ledger");
        byte[] signedData = b64(c.path("signedData"));
        assertThat(signedData).isEqualTo(Checkpoint.body(c.path("treeSize").asLong(), b64(c.path("rootHash")),
                Instant.parse(c.path("signedAt").asText())));
        assertThat(new String(signedData, StandardCharsets.UTF_8)).startsWith("hallmark-ledger/v1\n");
        Signature verifier = Signature.getInstance(c.path("algorithm").asText());
        verifier.initVerify(publicKey(c.path("publicKey").asText()));
        verifier.update(signedData);
        assertThat(verifier.verify(b64(c.path("signature")))).isTrue();
    }

    @Test
    @Order(3)
    void inclusionProofOfAnIssuanceLeadsToTheCheckpointRoot() throws Exception {
        JsonNode issued = api.issue(csr("proof.example"), "tls-server");
        String serial = issued.path("serial").asText();
        for (int i = 0; i < 4; i++) {
            api.issue(csr("later" + i + ".proof.example"), "tls-server");
        }
        server.runtime.checkpointIfNeeded();

        HttpResponse<String> r = api.get(server.auditorToken, "/api/v1/certificates/" + serial + "/inclusion-proof");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode p = json(r);
        JsonNode entry = p.path("entry");
        assertThat(entry.path("type").asText()).isEqualTo("CERTIFICATE_ISSUED");
        assertThat(entry.path("subject").asText()).isEqualTo("issuing/" + serial);
        assertThat(entry.path("details").path("sha256").asText()).isEqualTo(issued.path("sha256").asText());
        assertThat(entry.path("leafIndex").asLong()).isEqualTo(p.path("leafIndex").asLong());
        byte[] leafHash = b64(p.path("leafHash"));
        assertThat(leafHash).isEqualTo(sha256((byte) 0, b64(entry.path("leafData"))));
        assertThat(b64(entry.path("leafHash"))).isEqualTo(leafHash);
        JsonNode checkpoint = p.path("checkpoint");
        assertThat(p.path("treeSize").asLong()).isEqualTo(checkpoint.path("treeSize").asLong());
        assertThat(checkpoint).isEqualTo(json(api.get(server.auditorToken, "/api/v1/ledger/checkpoint")));
        List<byte[]> path = new ArrayList<>();
        p.path("auditPath").forEach(n -> path.add(b64(n)));
        byte[] root = b64(checkpoint.path("rootHash"));

        assertThat(rfc9162Inclusion(p.path("leafIndex").asLong(), p.path("treeSize").asLong(), leafHash, path))
                .isEqualTo(root);
        assertThat(MerkleTree.verifyInclusion(p.path("leafIndex").asLong(), p.path("treeSize").asLong(), leafHash, path, root))
                .isTrue();
        // A proof for another leaf, or against another root, does not verify.
        assertThat(MerkleTree.verifyInclusion(p.path("leafIndex").asLong() + 1, p.path("treeSize").asLong(), leafHash,
                path, root)).isFalse();
    }

    @Test
    @Order(4)
    void consistencyProofShowsTheLedgerOnlyGrew() {
        server.runtime.checkpointIfNeeded();
        JsonNode first = json(api.get(server.auditorToken, "/api/v1/ledger/checkpoint"));
        api.issue(csr("grow1.example"), "tls-server");
        api.issue(csr("grow2.example"), "tls-client");
        server.runtime.checkpointIfNeeded();
        JsonNode second = json(api.get(server.auditorToken, "/api/v1/ledger/checkpoint"));
        long m = first.path("treeSize").asLong();
        long n = second.path("treeSize").asLong();
        assertThat(n).isGreaterThan(m);

        HttpResponse<String> r = api.get(server.auditorToken, "/api/v1/ledger/consistency?from=" + m);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode c = json(r);
        assertThat(c.path("from").asLong()).isEqualTo(m);
        assertThat(c.path("to").asLong()).isEqualTo(n);
        assertThat(c.path("checkpoint")).isEqualTo(second);
        List<byte[]> proof = new ArrayList<>();
        c.path("proof").forEach(x -> proof.add(b64(x)));
        assertThat(MerkleTree.verifyConsistency(m, n, b64(first.path("rootHash")), b64(second.path("rootHash")), proof))
                .isTrue();
        assertThat(MerkleTree.verifyConsistency(m, n, b64(second.path("rootHash")), b64(second.path("rootHash")), proof))
                .isFalse();

        JsonNode same = json(api.get(server.auditorToken, "/api/v1/ledger/consistency?from=" + m + "&to=" + m));
        assertThat(same.path("proof")).isEmpty();
        assertThat(same.has("checkpoint")).isFalse();
    }

    @Test
    @Order(5)
    void badConsistencyParametersAre400NamingTheParameter() {
        server.runtime.checkpointIfNeeded();
        long size = json(api.get(server.auditorToken, "/api/v1/ledger/checkpoint")).path("treeSize").asLong();
        Map<String, String> before = api.stored();
        assertThat(assertProblem(api.get(server.auditorToken, "/api/v1/ledger/consistency"), 400, "malformed")
                .path("detail").asText()).contains("'from'");
        assertThat(assertProblem(api.get(server.auditorToken, "/api/v1/ledger/consistency?from=abc"), 400, "malformed")
                .path("detail").asText()).contains("'from'");
        assertThat(assertProblem(api.get(server.auditorToken, "/api/v1/ledger/consistency?from=" + (size + 1)
                + "&to=" + size), 400, "malformed").path("detail").asText()).contains("'from'");
        assertThat(assertProblem(api.get(server.auditorToken, "/api/v1/ledger/consistency?from=1&to=" + (size + 1000)),
                400, "malformed").path("detail").asText()).contains("'to'");
        assertProblem(api.get(server.auditorToken, "/api/v1/ledger/consistency?from=1&at=2"), 400, "malformed");
        assertThat(api.stored()).isEqualTo(before);
    }

    /** RFC 9162 section 2.1.3.2, written from the RFC: the root an inclusion proof leads to. */
    static byte[] rfc9162Inclusion(long leafIndex, long treeSize, byte[] leafHash, List<byte[]> path) throws Exception {
        long fn = leafIndex;
        long sn = treeSize - 1;
        byte[] r = leafHash;
        for (byte[] p : path) {
            assertThat(sn).isNotZero();
            if ((fn & 1) == 1 || fn == sn) {
                r = sha256((byte) 1, concat(p, r));
                if ((fn & 1) == 0) {
                    while ((fn & 1) == 0 && fn != 0) {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            } else {
                r = sha256((byte) 1, concat(r, p));
            }
            fn >>= 1;
            sn >>= 1;
        }
        assertThat(sn).isZero();
        return r;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] sha256(byte prefix, byte[] data) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        d.update(prefix);
        d.update(data);
        return d.digest();
    }

    private static byte[] b64(JsonNode n) {
        return Base64.getDecoder().decode(n.asText());
    }

    private static PublicKey publicKey(String pem) throws Exception {
        String body = pem.replace("-----BEGIN PUBLIC KEY-----", "").replace("-----END PUBLIC KEY-----", "")
                .replaceAll("\\s", "");
        byte[] der = Base64.getDecoder().decode(body);
        return KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
    }
}
