package dev.hallmark.protocol.acme;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.hallmark.server.testing.TestServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jws.JsonWebSignature;

/**
 * Hand-made ACME requests (RFC 8555 §6.2): flattened JWS signed with jose4j, sent with the fixture's HTTP client,
 * so a test controls every header and payload member and sees the real HTTP status. Keys are EC P-256 (ES256).
 */
final class AcmeJwsSupport {
    private final TestServer server;
    /** {@code https://localhost:PORT} + path of the runtime requests go to. */
    private final java.util.function.Function<String, URI> https;

    AcmeJwsSupport(TestServer server) {
        this(server, server::https);
    }

    private AcmeJwsSupport(TestServer server, java.util.function.Function<String, URI> https) {
        this.server = server;
        this.https = https;
    }

    /** The same requests to another runtime over the server's data and database (a restarted node) on {@code port}. */
    AcmeJwsSupport onPort(int port) {
        return new AcmeJwsSupport(server, path -> URI.create("https://localhost:" + port + path));
    }

    /** An answer, with the body parsed when it is JSON. */
    record Answer(int status, HttpHeaders headers, String body) {
        JsonNode json() {
            try {
                return body.isEmpty() ? MissingNode.getInstance() : AcmeJson.MAPPER.readTree(body);
            } catch (IOException e) {
                return MissingNode.getInstance();
            }
        }

        /** The short problem type ({@code malformed}), or "" when the answer is no problem document. */
        String type() {
            String t = json().path("type").asText("");
            return t.startsWith(AcmeProblem.NAMESPACE) ? t.substring(AcmeProblem.NAMESPACE.length()) : t;
        }

        Optional<String> location() {
            return headers.firstValue("Location");
        }

        /** The short types of the subproblems, in order. */
        List<String> subtypes() {
            List<String> out = new ArrayList<>();
            json().path("subproblems").forEach(s -> out.add(s.path("type").asText().replace(AcmeProblem.NAMESPACE, "")));
            return out;
        }
    }

    /** Asserts an ACME problem answer: HTTP status, type, the problem media type and a fresh nonce (§6.5, §6.7). */
    static Answer assertProblem(Answer a, int status, String type) {
        assertThat(a.status()).as(a.body()).isEqualTo(status);
        assertThat(a.type()).as(a.body()).isEqualTo(type);
        assertThat(a.json().path("status").asInt()).as("the document's status equals the HTTP status").isEqualTo(status);
        assertThat(a.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(a.headers().firstValue("Replay-Nonce")).isPresent();
        return a;
    }

    /** An absolute URL of this server for {@code pathOrUrl} (a path such as {@code /acme/new-order}, or a URL). */
    String url(String pathOrUrl) {
        return pathOrUrl.startsWith("/") ? https.apply(pathOrUrl).toString() : pathOrUrl;
    }

    String nonce() {
        HttpResponse<String> r = server.send(HttpRequest.newBuilder(https.apply("/acme/new-nonce"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
        return r.headers().firstValue("Replay-Nonce").orElseThrow();
    }

    /** Signed with {@code key}, naming the account {@code kid} (§6.2); {@code payload} "" is a POST-as-GET. */
    Answer postKid(KeyPair key, String kid, String pathOrUrl, String payload) {
        String url = url(pathOrUrl);
        return post(url, body(key, kid, nonce(), url, payload));
    }

    /** Signed with {@code key} and carrying it as {@code jwk} (newAccount, revokeCert by the certificate key). */
    Answer postJwk(KeyPair key, String pathOrUrl, String payload) {
        String url = url(pathOrUrl);
        return post(url, body(key, null, nonce(), url, payload));
    }

    /** The flattened JWS for one request: {@code kid} when not null, else {@code jwk}. */
    String body(KeyPair key, String kid, String nonce, String url, String payload) {
        String header = "{\"alg\":\"ES256\",\"nonce\":\"" + nonce + "\",\"url\":\"" + url + "\","
                + (kid != null ? "\"kid\":\"" + kid + "\"" : "\"jwk\":" + jwk(key.getPublic())) + "}";
        return sign(key, header, payload);
    }

    Answer post(String url, String body) {
        HttpResponse<String> r = server.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", AcmeEndpoint.JOSE)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build());
        return new Answer(r.statusCode(), r.headers(), r.body());
    }

    /** A flattened JWS (RFC 7515 §7.2.2) of {@code payload} under {@code protectedHeader}, ES256. */
    static String sign(KeyPair key, String protectedHeader, String payload) {
        try {
            JsonWebSignature jws = new JsonWebSignature();
            jws.getHeaders().setFullHeaderAsJsonString(protectedHeader);
            jws.setPayload(payload);
            jws.setKey(key.getPrivate());
            String[] parts = jws.getCompactSerialization().split("\\.", -1);
            return "{\"protected\":\"" + parts[0] + "\",\"payload\":\"" + parts[1] + "\",\"signature\":\"" + parts[2] + "\"}";
        } catch (org.jose4j.lang.JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    static String jwk(PublicKey key) {
        if (!(key instanceof ECPublicKey)) {
            throw new IllegalArgumentException("these helpers sign with ES256 only");
        }
        try {
            return PublicJsonWebKey.Factory.newPublicJwk(key).toJson();
        } catch (org.jose4j.lang.JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    static String b64(byte[] der) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(der);
    }

    /** A CSR (PKCS#10, SHA256withECDSA) for DNS names, with {@code extra} extensions requested beside the SANs. */
    static byte[] csr(KeyPair key, List<String> dnsNames, Extension... extra) {
        try {
            List<Extension> exts = new ArrayList<>();
            GeneralName[] names = dnsNames.stream().map(n -> new GeneralName(GeneralName.dNSName, n)).toArray(GeneralName[]::new);
            exts.add(new Extension(Extension.subjectAlternativeName, false, new GeneralNames(names).getEncoded()));
            exts.addAll(List.of(extra));
            return new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + dnsNames.get(0)), key.getPublic())
                    .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, new Extensions(exts.toArray(Extension[]::new)))
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())).getEncoded();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A newOrder payload for DNS names. */
    static String dnsOrder(String... names) {
        StringBuilder b = new StringBuilder("{\"identifiers\":[");
        for (int i = 0; i < names.length; i++) {
            b.append(i == 0 ? "" : ",").append("{\"type\":\"dns\",\"value\":\"").append(names[i]).append("\"}");
        }
        return b.append("]}").toString();
    }
}
