package dev.hallmark.protocol.acme;

import static dev.hallmark.protocol.acme.AcmeJwsSupport.assertProblem;
import static dev.hallmark.protocol.acme.AcmeJwsSupport.b64;
import static dev.hallmark.protocol.acme.AcmeJwsSupport.csr;
import static dev.hallmark.protocol.acme.AcmeJwsSupport.dnsOrder;
import static dev.hallmark.protocol.acme.AcmeServerSupport.ecKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.hallmark.protocol.acme.AcmeJwsSupport.Answer;
import dev.hallmark.protocol.acme.AcmeServerSupport.Counts;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.shredzone.acme4j.Account;
import org.shredzone.acme4j.Certificate;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.Status;

/**
 * RELIABILITY T10, T11, T15–T17, T26 and the ownership and revocation rules of RFC 8555 §7.3–§7.6, with hand-made
 * JWS against a real server (acme4j only sets up accounts and orders). Each refusal asserts the HTTP status, the
 * problem type, and that nothing stored changed: no account, order, authorization, challenge, serial, certificate or
 * revocation was added.
 */
class AcmeOrderNegativeTest {
    static AcmeServerSupport acme;
    static AcmeJwsSupport jws;

    /** An account: its key, acme4j's handle and its URL (the {@code kid}). */
    record Client(KeyPair key, Account account, String kid) {
    }

    @BeforeAll
    static void start() {
        acme = AcmeServerSupport.start("");
        jws = acme.jws;
    }

    @AfterAll
    static void stop() {
        if (acme != null) {
            acme.close();
        }
    }

    static Client client() throws Exception {
        KeyPair key = ecKey();
        Account account = acme.newAccount(key);
        return new Client(key, account, account.getLocation().toString());
    }

    static String finalizePayload(byte[] csr) {
        return "{\"csr\":\"" + b64(csr) + "\"}";
    }

    @Test
    void t10TheAccountKeyAsCertificateKeyIsBadCsrAndTheOrderStaysReady() throws Exception {
        Client c = client();
        Order order = acme.readyOrder(c.account(), "t10.neg.test");
        Counts before = acme.counts();

        assertProblem(jws.postKid(c.key(), c.kid(), order.getFinalizeLocation().toString(),
                finalizePayload(csr(c.key(), List.of("t10.neg.test")))), 400, "badCSR");
        assertThat(acme.counts()).isEqualTo(before);
        order.fetch();
        assertThat(order.getStatus()).isEqualTo(Status.READY);
    }

    @Test
    void t11FinalizeIsOrderNotReadyBeforeReadyAndAfterValid() throws Exception {
        Client c = client();
        Order pending = c.account().newOrder().domain("t11.neg.test").create();
        Counts before = acme.counts();
        assertProblem(jws.postKid(c.key(), c.kid(), pending.getFinalizeLocation().toString(),
                finalizePayload(csr(ecKey(), List.of("t11.neg.test")))), 403, "orderNotReady");
        assertThat(acme.counts()).isEqualTo(before);

        Certificate issued = acme.finalizeOrder(acme.validate(pending), ecKey());
        Counts afterIssue = acme.counts();
        assertProblem(jws.postKid(c.key(), c.kid(), pending.getFinalizeLocation().toString(),
                finalizePayload(csr(ecKey(), List.of("t11.neg.test")))), 403, "orderNotReady");
        assertThat(acme.counts()).isEqualTo(afterIssue);
        assertThat(acme.certificatesFor("t11.neg.test")).hasSize(1);
        pending.fetch();
        assertThat(pending.getCertificate().getLocation()).isEqualTo(issued.getLocation());
    }

    @Test
    void t15OnlyReturnExistingForAnUnknownKeyIsAccountDoesNotExist() {
        Counts before = acme.counts();
        assertProblem(jws.postJwk(ecKey(), "/acme/new-account", "{\"onlyReturnExisting\":true}"), 400,
                "accountDoesNotExist");
        assertThat(acme.counts()).isEqualTo(before);
    }

    @Test
    void t15ASecondNewAccountWithTheSameKeyAnswersTheExistingAccount() throws Exception {
        Client c = client();
        Counts before = acme.counts();
        Answer again = jws.postJwk(c.key(), "/acme/new-account", "{\"termsOfServiceAgreed\":true}");
        assertThat(again.status()).as(again.body()).isEqualTo(200);
        assertThat(again.location()).hasValue(c.kid());
        assertThat(acme.counts()).isEqualTo(before);
    }

    @Test
    void contactsAreSingleMailtoAddressesWithValidDomains() {
        Counts before = acme.counts();
        String[][] refused = {
            {"[\"tel:+15555550100\"]", "unsupportedContact"},
            {"[\"mailto:ops@.\"]", "invalidContact"},
            {"[\"mailto:ops@-bad-.example\"]", "invalidContact"},
            {"[\"mailto:ops@example.com?subject=x\"]", "invalidContact"},
            {"[\"mailto:a@example.com,b@example.com\"]", "invalidContact"},
            {"[" + "\"mailto:ops@example.com\",".repeat(10) + "\"mailto:ops@example.com\"]", "invalidContact"},
        };
        for (String[] r : refused) {
            assertProblem(jws.postJwk(ecKey(), "/acme/new-account", "{\"termsOfServiceAgreed\":true,\"contact\":" + r[0] + "}"),
                    400, r[1]);
        }
        assertThat(acme.counts()).isEqualTo(before);
        // URI schemes are case-insensitive (RFC 3986 §3.1).
        assertThat(jws.postJwk(ecKey(), "/acme/new-account",
                "{\"termsOfServiceAgreed\":true,\"contact\":[\"MAILTO:Ops@Example.com\"]}").status()).isEqualTo(201);
    }

    /** RFC 8555 §7.3.6: a POST from a deactivated account MUST get 401 {@code unauthorized} (Boulder answers 403). */
    @Test
    void t15ADeactivatedAccountCannotOrder() throws Exception {
        Client c = client();
        c.account().deactivate();
        Counts before = acme.counts();
        assertProblem(jws.postKid(c.key(), c.kid(), "/acme/new-order", dnsOrder("deactivated.neg.test")), 401,
                "unauthorized");
        assertProblem(jws.postJwk(c.key(), "/acme/new-account", "{\"onlyReturnExisting\":true}"), 401, "unauthorized");
        assertThat(acme.counts()).isEqualTo(before);
    }

    /** The outer JWS of a key change (§7.3.5), its inner JWS signed by {@code newKey} with {@code innerUrl}. */
    static Answer keyChange(Client c, KeyPair newKey, String innerUrl) {
        String url = jws.url("/acme/key-change");
        String inner = AcmeJwsSupport.sign(newKey, "{\"alg\":\"ES256\",\"jwk\":" + AcmeJwsSupport.jwk(newKey.getPublic())
                + ",\"url\":\"" + innerUrl + "\"}", "{\"account\":\"" + c.kid() + "\",\"oldKey\":"
                + AcmeJwsSupport.jwk(c.key().getPublic()) + "}");
        return jws.post(url, jws.body(c.key(), c.kid(), jws.nonce(), url, inner));
    }

    @Test
    void t15AKeyChangeToAnotherAccountsKeyIs409WithItsLocation() throws Exception {
        Client c = client();
        Client other = client();
        Counts before = acme.counts();
        Answer a = assertProblem(keyChange(c, other.key(), jws.url("/acme/key-change")), 409, "malformed");
        assertThat(a.location()).hasValue(other.kid());
        assertThat(acme.counts()).isEqualTo(before);
        assertThat(jws.postKid(c.key(), c.kid(), c.kid(), "").status()).as("the old key still works").isEqualTo(200);
    }

    @Test
    void t15AKeyChangeWhoseInnerUrlDiffersIsMalformed() throws Exception {
        Client c = client();
        KeyPair newKey = ecKey();
        assertProblem(keyChange(c, newKey, jws.url("/acme/new-order")), 400, "malformed");
        assertProblem(jws.postJwk(newKey, "/acme/new-account", "{\"onlyReturnExisting\":true}"), 400,
                "accountDoesNotExist");
        assertThat(jws.postKid(c.key(), c.kid(), c.kid(), "").status()).isEqualTo(200);
    }

    static String id(String type, String value) {
        return "{\"type\":\"" + type + "\",\"value\":\"" + value + "\"}";
    }

    static String ids(String... identifiers) {
        return "{\"identifiers\":[" + String.join(",", identifiers) + "]}";
    }

    static Stream<Arguments> badIdentifiers() {
        String label63 = "a".repeat(63);
        return Stream.of(
                arguments("T16 101 identifiers", ids(IntStream.range(0, 101).mapToObj(i -> id("dns", "n" + i + ".neg.test"))
                        .toArray(String[]::new)), "rejectedIdentifier", List.of()),
                arguments("T16 name longer than 253", ids(id("dns", String.join(".", label63, label63, label63, label63))),
                        "malformed", List.of("malformed")),
                arguments("T16 label longer than 63", ids(id("dns", "a".repeat(64) + ".neg.test")), "malformed",
                        List.of("malformed")),
                arguments("T16 empty name", ids(id("dns", "")), "malformed", List.of("malformed")),
                arguments("T16 empty label", ids(id("dns", "a..b.neg.test")), "malformed", List.of("malformed")),
                arguments("T16 trailing dot", ids(id("dns", "dot.neg.test.")), "malformed", List.of("malformed")),
                arguments("T16 IP literal as dns", ids(id("dns", "192.0.2.1")), "malformed", List.of("malformed")),
                arguments("T16 upper case", ids(id("dns", "Upper.neg.test")), "malformed", List.of("malformed")),
                arguments("T16 type email", ids(id("email", "ops@neg.test")), "unsupportedIdentifier",
                        List.of("unsupportedIdentifier")),
                arguments("T16 no identifiers", ids(), "malformed", List.of()),
                arguments("T17 wildcard not leftmost", ids(id("dns", "*.*.corp.example")), "malformed", List.of("malformed")),
                arguments("T17 partial wildcard", ids(id("dns", "a*.corp.example")), "malformed", List.of("malformed")),
                arguments("T17 invalid A-label", ids(id("dns", "xn--zz.example")), "malformed", List.of("malformed")),
                arguments("T17 reserved R-LDH label", ids(id("dns", "ab--cd.example")), "malformed", List.of("malformed")),
                arguments("T16 several bad names, one subproblem each", ids(id("dns", "good.neg.test"),
                        id("dns", "a..b.neg.test"), id("dns", "ab--cd.example"), id("dns", "*.*.corp.example")),
                        "malformed", List.of("malformed", "malformed", "malformed")),
                arguments("T16 bad names of several kinds are compound", ids(id("dns", "good.neg.test"),
                        id("dns", "Upper.neg.test"), id("email", "ops@neg.test")),
                        "compound", List.of("malformed", "unsupportedIdentifier")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badIdentifiers")
    void newOrderRefusesBadIdentifiers(String name, String payload, String type, List<String> subtypes) throws Exception {
        Client c = client();
        Counts before = acme.counts();
        Answer a = assertProblem(jws.postKid(c.key(), c.kid(), "/acme/new-order", payload), 400, type);
        assertThat(a.subtypes()).isEqualTo(subtypes);
        assertThat(acme.counts()).isEqualTo(before);
    }

    @Test
    void t16EveryBadIdentifierIsNamedInASubproblem() throws Exception {
        Client c = client();
        Answer a = assertProblem(jws.postKid(c.key(), c.kid(), "/acme/new-order", ids(id("dns", "good.neg.test"),
                id("dns", "a..b.neg.test"), id("dns", "ab--cd.example"))), 400, "malformed");
        assertThat(a.json().path("subproblems").findValuesAsText("value")).containsExactly("a..b.neg.test", "ab--cd.example");
    }

    /** docs/ACME.md: "every bad identifier becomes a subproblem", also when they fail different checks. */
    @Test
    void t16BadIdentifiersCaughtByDifferentChecksAreAllNamed() throws Exception {
        Client c = client();
        Answer a = assertProblem(jws.postKid(c.key(), c.kid(), "/acme/new-order", ids(id("dns", "Upper.neg.test"),
                id("dns", "a..b.neg.test"), id("email", "ops@neg.test"))), 400, "compound");
        assertThat(a.subtypes()).containsExactlyInAnyOrder("malformed", "malformed", "unsupportedIdentifier");
    }

    @Test
    void anOrderIsReadWithAnEmptyPayloadAndOnlyByItsAccount() throws Exception {
        Client c = client();
        Order order = c.account().newOrder().domain("owned.neg.test").create();
        String url = order.getLocation().toString();
        Counts before = acme.counts();
        assertProblem(jws.postKid(c.key(), c.kid(), url, "{}"), 400, "malformed");
        Client stranger = client();
        Counts withStranger = acme.counts();
        assertProblem(jws.postKid(stranger.key(), stranger.kid(), url, ""), 403, "unauthorized");
        assertProblem(jws.postKid(stranger.key(), stranger.kid(), order.getFinalizeLocation().toString(),
                finalizePayload(csr(ecKey(), List.of("owned.neg.test")))), 403, "unauthorized");
        assertThat(acme.counts()).isEqualTo(withStranger);
        assertThat(withStranger.orders()).isEqualTo(before.orders());
        assertThat(jws.postKid(c.key(), c.kid(), url, "").status()).isEqualTo(200);
    }

    static String revokePayload(byte[] der, int reason) {
        return "{\"certificate\":\"" + b64(der) + "\",\"reason\":" + reason + "}";
    }

    @Test
    void revocationByAStrangerIsUnauthorizedAndReasonSixIsBadRevocationReason() throws Exception {
        Client owner = client();
        byte[] der = acme.issue(owner.account(), "revoke.neg.test").getCertificate().getEncoded();
        Client stranger = client();
        Counts before = acme.counts();

        assertProblem(jws.postKid(stranger.key(), stranger.kid(), "/acme/revoke-cert", revokePayload(der, 1)), 403,
                "unauthorized");
        assertProblem(jws.postKid(owner.key(), owner.kid(), "/acme/revoke-cert", revokePayload(der, 6)), 400,
                "badRevocationReason");
        assertProblem(jws.postKid(owner.key(), owner.kid(), "/acme/revoke-cert", revokePayload(der, 2)), 400,
                "badRevocationReason");
        assertThat(acme.counts()).isEqualTo(before);
        assertThat(acme.certificatesFor("revoke.neg.test").get(0).revokedAt()).isNull();
    }

    /** T26: CA rights in a CSR are refused as badCSR (never silently copied); the order stays ready; the leaf is no CA. */
    @Test
    void t26ACsrAskingForCaRightsIsBadCsrAndTheCertificateIsALeaf() throws Exception {
        Client c = client();
        Order order = acme.readyOrder(c.account(), "t26.neg.test");
        String finalizeUrl = order.getFinalizeLocation().toString();
        Extension ca = new Extension(Extension.basicConstraints, true, new BasicConstraints(true).getEncoded());
        Extension usage = new Extension(Extension.keyUsage, true,
                new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature).getEncoded());
        Counts before = acme.counts();
        for (Extension[] asked : List.of(new Extension[] {ca, usage}, new Extension[] {ca}, new Extension[] {usage})) {
            assertProblem(jws.postKid(c.key(), c.kid(), finalizeUrl,
                    finalizePayload(csr(ecKey(), List.of("t26.neg.test"), asked))), 400, "badCSR");
        }
        assertThat(acme.counts()).isEqualTo(before);
        order.fetch();
        assertThat(order.getStatus()).isEqualTo(Status.READY);

        X509Certificate leaf = acme.finalizeOrder(order, ecKey()).getCertificate();
        assertThat(leaf.getBasicConstraints()).as("not a CA").isEqualTo(-1);
        boolean[] ku = leaf.getKeyUsage();
        assertThat(ku == null || !ku[5] && !ku[6]).as("neither keyCertSign nor cRLSign").isTrue();
    }
}
