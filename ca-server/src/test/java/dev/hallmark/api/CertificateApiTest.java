package dev.hallmark.api;

import static dev.hallmark.api.ApiClient.csr;
import static dev.hallmark.api.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.authority.CertificateRecord;
import dev.hallmark.authority.SerialNumber;
import dev.hallmark.authority.testing.TestCsr;
import dev.hallmark.server.testing.TestServer;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Happy paths of the certificate resources: issue (JSON and PKCS#10), get in three forms, search, revoke. */
class CertificateApiTest {
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
    void issuesFromPemJsonAndReturnsTheStoredCertificateWithItsChain() throws Exception {
        HttpResponse<String> r = api.postJson(server.operatorToken, "/api/v1/certificates",
                ApiClient.issueRequest(csr("pem.example", TestCsr.withDns("alt.pem.example")), "tls-server"));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode c = json(r);
        String serial = c.path("serial").asText();
        assertThat(serial).matches("[0-9a-f]+");
        assertThat(r.headers().firstValue("Location")).hasValue("/api/v1/certificates/" + serial);
        assertThat(c.path("issuer").asText()).isEqualTo("issuing");
        assertThat(c.path("status").asText()).isEqualTo("valid");
        assertThat(c.path("profile").asText()).isEqualTo("tls-server");
        assertThat(c.path("profileVersion").asInt()).isEqualTo(1);
        assertThat(c.path("subject").asText()).contains("pem.example");
        assertThat(c.path("sans").toString()).isEqualTo("[{\"type\":\"dns\",\"value\":\"pem.example\"},"
                + "{\"type\":\"dns\",\"value\":\"alt.pem.example\"}]");
        assertThat(c.path("notBefore").asText()).isNotEmpty();
        assertThat(c.path("notAfter").asText()).isNotEmpty();
        assertThat(c.path("provenance").path("channel").asText()).isEqualTo("api");
        assertThat(c.path("requester").asText()).startsWith("admin:");

        // The returned DER is the stored DER (RELIABILITY N2), and the chain is issuing CA first, then the root.
        CertificateRecord stored = server.pki.authority.certificate("issuing", SerialNumber.parse(serial)).orElseThrow();
        List<X509Certificate> leaf = certificates(c.path("certificate").asText());
        assertThat(leaf).hasSize(1);
        assertThat(leaf.get(0).getEncoded()).isEqualTo(stored.der());
        assertThat(c.path("sha256").asText()).isEqualTo(stored.sha256Fingerprint());
        List<X509Certificate> chain = certificates(c.path("chain").asText());
        assertThat(chain).hasSize(2);
        assertThat(chain.get(0).getEncoded()).isEqualTo(server.pki.issuing.record().certificateDer());
        assertThat(chain.get(1).getEncoded()).isEqualTo(server.pki.root.record().certificateDer());
        leaf.get(0).verify(chain.get(0).getPublicKey());
    }

    @Test
    void issuesFromBase64DerJsonAndFromARawPkcs10Body() {
        ObjectNode b64 = ApiClient.JSON.createObjectNode()
                .put("csr", Base64.getEncoder().encodeToString(csr("b64.example")))
                .put("profile", "tls-server").put("ca", "issuing");
        HttpResponse<String> fromJson = api.postJson(server.adminToken, "/api/v1/certificates", b64);
        assertThat(fromJson.statusCode()).as(fromJson.body()).isEqualTo(201);

        HttpResponse<String> der = api.post(server.operatorToken, "/api/v1/certificates?profile=tls-client",
                "application/pkcs10", csr("der.example"));
        assertThat(der.statusCode()).as(der.body()).isEqualTo(201);
        assertThat(json(der).path("profile").asText()).isEqualTo("tls-client");
        assertThat(json(der).path("sans").get(0).path("value").asText()).isEqualTo("der.example");

        HttpResponse<String> pem = api.post(server.operatorToken, "/api/v1/certificates?profile=tls-server&ca=issuing",
                "application/pkcs10; charset=us-ascii", ApiClient.csrPem(csr("pem-body.example")).getBytes(StandardCharsets.US_ASCII));
        assertThat(pem.statusCode()).as(pem.body()).isEqualTo(201);
    }

    @Test
    void getsAsJsonPemChainOrDerByAccept() throws Exception {
        JsonNode issued = api.issue(csr("get.example"), "tls-server");
        String path = "/api/v1/certificates/" + issued.path("serial").asText();
        byte[] der = server.pki.authority.certificate("issuing", SerialNumber.parse(issued.path("serial").asText()))
                .orElseThrow().der();

        HttpResponse<String> asJson = api.get(server.auditorToken, path);
        assertThat(asJson.statusCode()).isEqualTo(200);
        assertThat(asJson.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(json(asJson).path("serial").asText()).isEqualTo(issued.path("serial").asText());
        assertThat(json(asJson).path("certificate").asText()).isEqualTo(issued.path("certificate").asText());

        HttpResponse<String> pem = api.get(server.auditorToken, path, "application/pem-certificate-chain");
        assertThat(pem.statusCode()).isEqualTo(200);
        assertThat(pem.headers().firstValue("Content-Type")).hasValue("application/pem-certificate-chain");
        List<X509Certificate> chain = certificates(pem.body());
        assertThat(chain).hasSize(3);
        assertThat(chain.get(0).getEncoded()).isEqualTo(der);
        assertThat(chain.get(1).getEncoded()).isEqualTo(server.pki.issuing.record().certificateDer());

        HttpResponse<byte[]> asDer = api.getBytes(server.auditorToken, path, "application/pkix-cert");
        assertThat(asDer.statusCode()).isEqualTo(200);
        assertThat(asDer.headers().firstValue("Content-Type")).hasValue("application/pkix-cert");
        assertThat(asDer.body()).isEqualTo(der);

        // q-values: the highest acceptable quality wins; */* gets the default, JSON.
        assertThat(api.get(server.auditorToken, path, "application/pkix-cert;q=0.5, application/pem-certificate-chain;q=0.9")
                .headers().firstValue("Content-Type")).hasValue("application/pem-certificate-chain");
        assertThat(api.get(server.auditorToken, path, "text/html;q=1, application/*;q=0.2")
                .headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(api.get(server.auditorToken, path, "*/*").headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(api.get(server.auditorToken, path + "?ca=issuing").statusCode()).isEqualTo(200);
        // Serials as users type them: upper case, colons, 0x.
        String upper = "0x" + issued.path("serial").asText().toUpperCase(java.util.Locale.ROOT);
        assertThat(api.get(server.auditorToken, "/api/v1/certificates/" + upper).statusCode()).isEqualTo(200);
    }

    @Test
    void searchesByFiltersAndPagesThroughResults() {
        Set<String> issued = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            issued.add(api.issue(csr("p" + i + ".page.example", TestCsr.withDns("shared.page.example")), "tls-server")
                    .path("serial").asText());
        }
        String device = api.issue(csr("dev.page.example", TestCsr.withDns("shared.page.example")), "device")
                .path("serial").asText();

        List<String> seen = new ArrayList<>();
        String next = "/api/v1/certificates?san=shared.page.example&profile=tls-server&limit=2";
        int pages = 0;
        while (next != null) {
            HttpResponse<String> r = api.get(server.auditorToken, next);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode page = json(r);
            assertThat(page.path("limit").asInt()).isEqualTo(2);
            page.path("items").forEach(item -> {
                seen.add(item.path("serial").asText());
                assertThat(item.has("certificate")).isFalse();
            });
            next = page.path("next").isNull() ? null : page.path("next").asText();
            pages++;
        }
        assertThat(pages).isEqualTo(3);
        assertThat(seen).hasSize(5).containsExactlyInAnyOrderElementsOf(issued);

        JsonNode bySan = json(api.get(server.auditorToken, "/api/v1/certificates?san=SHARED.page.example."));
        assertThat(bySan.path("items")).hasSize(6);
        assertThat(bySan.path("next").isNull()).isTrue();
        JsonNode byProfile = json(api.get(server.auditorToken, "/api/v1/certificates?profile=device&san=shared.page.example"));
        assertThat(byProfile.path("items")).hasSize(1);
        assertThat(byProfile.path("items").get(0).path("serial").asText()).isEqualTo(device);
        JsonNode bySerial = json(api.get(server.auditorToken, "/api/v1/certificates?serial=" + device + "&ca=issuing"));
        assertThat(bySerial.path("items")).hasSize(1);
        assertThat(json(api.get(server.auditorToken, "/api/v1/certificates?serial=" + device + "&status=revoked"))
                .path("items")).isEmpty();
        // tls-server lives 90 days, device 365: expiring within 100 days finds the five, not the device.
        String soon = server.pki.clock.instant().plus(Duration.ofDays(100)).toString();
        JsonNode expiring = json(api.get(server.auditorToken, "/api/v1/certificates?san=shared.page.example&expiringBefore="
                + soon + "&status=valid"));
        assertThat(expiring.path("items")).hasSize(5);

        api.postJson(server.operatorToken, "/api/v1/certificates/" + device + "/revoke", "{\"reason\": \"superseded\"}");
        JsonNode revoked = json(api.get(server.auditorToken, "/api/v1/certificates?status=revoked&san=shared.page.example"));
        assertThat(revoked.path("items")).hasSize(1);
        assertThat(revoked.path("items").get(0).path("revocationReason").asText()).isEqualTo("superseded");
        assertThat(json(api.get(server.auditorToken, "/api/v1/certificates?status=valid&san=shared.page.example"))
                .path("items")).hasSize(5);
    }

    @Test
    void revokesWithAReasonAndShowsTheRevokedCertificate() {
        JsonNode issued = api.issue(csr("revoke.example"), "tls-server");
        String path = "/api/v1/certificates/" + issued.path("serial").asText();

        HttpResponse<String> r = api.postJson(server.operatorToken, path + "/revoke", "{\"reason\": \"keyCompromise\"}");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode c = json(r);
        assertThat(c.path("status").asText()).isEqualTo("revoked");
        assertThat(c.path("revocationReason").asText()).isEqualTo("keyCompromise");
        assertThat(c.path("revokedAt").asText()).isNotEmpty();
        JsonNode again = json(api.get(server.auditorToken, path));
        assertThat(again.path("status").asText()).isEqualTo("revoked");
        assertThat(again.path("revokedAt").asText()).isEqualTo(c.path("revokedAt").asText());
        assertThat(server.pki.authority.serial("issuing", SerialNumber.parse(issued.path("serial").asText()))
                .orElseThrow().isRevoked()).isTrue();
    }

    @Test
    void revokeWithoutABodyMeansUnspecified() {
        JsonNode issued = api.issue(csr("unspecified.example"), "tls-server");

        HttpResponse<String> r = api.post(server.adminToken, "/api/v1/certificates/" + issued.path("serial").asText()
                + "/revoke?ca=issuing", "application/json", new byte[0]);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(json(r).path("revocationReason").asText()).isEqualTo("unspecified");
    }

    static List<X509Certificate> certificates(String pem) throws Exception {
        List<X509Certificate> out = new ArrayList<>();
        for (var c : CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
            out.add((X509Certificate) c);
        }
        return out;
    }
}
