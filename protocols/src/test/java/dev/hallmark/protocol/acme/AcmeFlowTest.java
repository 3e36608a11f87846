package dev.hallmark.protocol.acme;

import static dev.hallmark.protocol.acme.AcmeJwsSupport.assertProblem;
import static dev.hallmark.protocol.acme.AcmeServerSupport.await;
import static dev.hallmark.protocol.acme.AcmeServerSupport.ecKey;
import static dev.hallmark.protocol.acme.AcmeServerSupport.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.hallmark.authority.CertificateRecord;
import java.net.URL;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.shredzone.acme4j.Account;
import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Certificate;
import org.shredzone.acme4j.Identifier;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.RenewalInfo;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.TlsAlpn01Challenge;
import org.shredzone.acme4j.exception.AcmeNotSupportedException;
import org.shredzone.acme4j.exception.AcmeServerException;

/**
 * acme4j, unmodified, through the flows AcmeClientTest leaves out: tls-alpn-01 (RFC 8737) for a DNS name and for an
 * IP address (RFC 8738 §6) with the certificate acme4j itself makes, external account binding (§7.3.4), renewal
 * information and {@code replaces} (RFC 9773), profile selection, and the account's orders list (§7.1.2.1).
 */
class AcmeFlowTest {
    static AcmeServerSupport acme;

    @BeforeAll
    static void start() {
        acme = AcmeServerSupport.start("  profiles: [tls-server, tls-client]\n");
    }

    @AfterAll
    static void stop() {
        if (acme != null) {
            acme.close();
        }
    }

    /** Answers the authorization's tls-alpn-01 challenge with acme4j's certificate and waits for the result. */
    static Status answerTlsAlpn01(Authorization auth) throws Exception {
        TlsAlpn01Challenge c = acme.presentTlsAlpn01(auth);
        c.trigger();
        Status s = await(auth, auth::getStatus);
        c.fetch();
        assertThat(c.getStatus()).as("challenge %s", c.getError()).isEqualTo(s);
        return s;
    }

    static List<Object> sans(X509Certificate cert) throws Exception {
        return cert.getSubjectAlternativeNames().stream().map(l -> (Object) l.get(1)).toList();
    }

    @Test
    void tlsAlpn01ValidatesADnsNameWithAcme4jsCertificate() throws Exception {
        acme.dns.addA("alpn.flow.test.", "127.0.0.1");
        Account account = acme.newAccount();
        Order order = account.newOrder().domain("alpn.flow.test").create();
        Authorization auth = order.getAuthorizations().get(0);

        assertThat(answerTlsAlpn01(auth)).isEqualTo(Status.VALID);
        assertThat(acme.tlsAlpn.handshakes()).contains("alpn.flow.test");
        assertThat(acme.store.authorization(id(auth.getLocation())).orElseThrow().validationMethod()).isEqualTo("tls-alpn-01");
        assertThat(await(order, order::getStatus)).isEqualTo(Status.READY);
        assertThat(sans(acme.finalizeOrder(order, ecKey()).getCertificate())).containsExactly("alpn.flow.test");
    }

    @Test
    void tlsAlpn01ValidatesAnIpAddressUnderItsReverseName() throws Exception {
        Account account = acme.newAccount();
        Order order = account.newOrder().identifier(Identifier.ip("127.0.0.1")).create();
        Authorization auth = order.getAuthorizations().get(0);
        assertThat(auth.getChallenges()).extracting(c -> c.getType()).containsExactlyInAnyOrder("http-01", "tls-alpn-01");

        assertThat(answerTlsAlpn01(auth)).isEqualTo(Status.VALID);
        assertThat(acme.tlsAlpn.handshakes()).as("RFC 8738 §6: the SNI is the reverse-DNS name").contains("1.0.0.127.in-addr.arpa");
        assertThat(await(order, order::getStatus)).isEqualTo(Status.READY);
        assertThat(sans(acme.finalizeOrder(order, ecKey()).getCertificate())).containsExactly("127.0.0.1");
    }

    @Test
    void externalAccountBindingIsRequiredAndSingleUse() throws Exception {
        try (AcmeServerSupport eab = AcmeServerSupport.start("  externalAccountRequired: true\n")) {
            Session session = eab.session();
            assertThat(session.getMetadata().isExternalAccountRequired()).isTrue();
            AcmeServerSupport.Counts before = eab.counts();
            assertThatThrownBy(() -> new AccountBuilder().agreeToTermsOfService().useKeyPair(ecKey()).create(session))
                    .isInstanceOfSatisfying(AcmeServerException.class, e -> assertThat(e.getType().toString())
                            .isEqualTo(AcmeProblem.NAMESPACE + "externalAccountRequired"));
            assertThat(eab.counts()).isEqualTo(before);

            EabKeys keys = new EabKeys(eab.store, eab.server.dataDir.resolve(AcmeEndpoint.EAB_KEK_FILE), eab.server.pki.clock);
            EabKeys.Created key = keys.create("test");
            Account bound = new AccountBuilder().agreeToTermsOfService().withKeyIdentifier(key.kid(), key.hmacKeyBase64Url())
                    .useKeyPair(ecKey()).create(session);
            assertThat(bound.getStatus()).isEqualTo(Status.VALID);
            assertThat(eab.store.eab(key.kid()).orElseThrow().accountId()).isEqualTo(Long.parseLong(id(bound.getLocation())));

            AcmeServerSupport.Counts afterFirst = eab.counts();
            assertThatThrownBy(() -> new AccountBuilder().agreeToTermsOfService()
                    .withKeyIdentifier(key.kid(), key.hmacKeyBase64Url()).useKeyPair(ecKey()).create(session))
                    .isInstanceOfSatisfying(AcmeServerException.class, e -> assertThat(e.getType().toString())
                            .isEqualTo(AcmeProblem.NAMESPACE + "unauthorized"));
            assertThat(eab.counts()).as("a used binding creates nothing").isEqualTo(afterFirst);
        }
    }

    @Test
    void renewalInfoSuggestsTheFifthSixthAndMovesToNowOnRevocationOrAMark() throws Exception {
        Account account = acme.newAccount();
        Certificate cert = acme.issue(account, "ari.flow.test");
        X509Certificate leaf = cert.getCertificate();
        Instant notBefore = leaf.getNotBefore().toInstant();
        Instant notAfter = leaf.getNotAfter().toInstant();
        Duration life = Duration.between(notBefore, notAfter);

        RenewalInfo info = cert.getRenewalInfo();
        info.fetch();
        assertThat(info.getSuggestedWindowStart()).isCloseTo(notAfter.minus(life.dividedBy(3)), within(2, ChronoUnit.SECONDS));
        assertThat(info.getSuggestedWindowEnd()).isCloseTo(notAfter.minus(life.dividedBy(6)), within(2, ChronoUnit.SECONDS));
        assertThat(info.getSuggestedWindowStart()).isAfter(notBefore).isBefore(info.getSuggestedWindowEnd());
        assertThat(info.getSuggestedWindowEnd()).isBefore(notAfter);

        Instant now = acme.server.pki.clock.instant();
        cert.revoke();
        RenewalInfo revoked = cert.getRenewalInfo();
        revoked.fetch();
        assertThat(revoked.getSuggestedWindowStart()).as("renew at once").isBeforeOrEqualTo(now);

        Certificate marked = acme.issue(account, "ari-mark.flow.test");
        CertificateRecord record = acme.certificatesFor("ari-mark.flow.test").get(0);
        acme.store.markRenewEarly(record.issuer(), record.serial().hex(), now, "test incident");
        RenewalInfo early = marked.getRenewalInfo();
        early.fetch();
        assertThat(early.getSuggestedWindowStart()).isBeforeOrEqualTo(now);
        assertThat(early.getSuggestedWindowEnd()).isBefore(marked.getCertificate().getNotAfter().toInstant());
    }

    @Test
    void aRenewalReplacesItsCertificateOnce() throws Exception {
        Account account = acme.newAccount();
        Certificate old = acme.issue(account, "renew.flow.test");

        String certId = Ari.certId(acme.certificatesFor("renew.flow.test").get(0));
        Order renewal = account.newOrder().domain("renew.flow.test").replaces(old).create();
        assertThat(renewal.getJSON().get("replaces").asString()).isEqualTo(certId);
        assertThat(await(renewal, renewal::getStatus)).as("the authorization is reused").isEqualTo(Status.READY);
        Certificate renewed = acme.finalizeOrder(renewal, ecKey());
        assertThat(renewed.getCertificate().getSerialNumber()).isNotEqualTo(old.getCertificate().getSerialNumber());

        AcmeServerSupport.Counts before = acme.counts();
        assertThatThrownBy(() -> account.newOrder().domain("renew.flow.test").replaces(old).create())
                .isInstanceOfSatisfying(AcmeServerException.class, e -> {
                    assertThat(e.getType().toString()).isEqualTo(AcmeProblem.NAMESPACE + "alreadyReplaced");
                    assertThat(e.getProblem().asJSON().get("status").asInt()).isEqualTo(409);
                });
        assertThat(acme.counts()).isEqualTo(before);
    }

    /** RFC 9773 §5: only "a different Order that is not invalid" blocks a replacement; an expired order is invalid. */
    @Test
    void aLapsedReplacementDoesNotBlockANewOne() throws Exception {
        Account account = acme.newAccount();
        Certificate old = acme.issue(account, "lapsed.flow.test");
        Order lapsed = account.newOrder().domain("lapsed.flow.test").replaces(old).create();
        Instant start = acme.server.pki.clock.instant();
        acme.server.pki.clock.advance(Duration.ofDays(1).plusMinutes(1)); // acme.orderLifetime, default 1 day
        try {
            lapsed.fetch();
            assertThat(lapsed.getStatus()).isEqualTo(Status.INVALID);
            Order renewal = account.newOrder().domain("lapsed.flow.test").replaces(old).create();
            assertThat(await(renewal, renewal::getStatus)).isEqualTo(Status.READY);
        } finally {
            acme.server.pki.clock.set(start);
        }
    }

    @Test
    void aProfileIsSelectedAndAnUnknownOrUnofferedOneIsRefused() throws Exception {
        KeyPair key = ecKey();
        Account account = acme.newAccount(key);
        assertThat(account.newOrder().domain("default.flow.test").create().getProfile()).isEqualTo("tls-server");

        Order order = account.newOrder().domain("client.flow.test").profile("tls-client").create();
        assertThat(order.getProfile()).isEqualTo("tls-client");
        Certificate cert = acme.finalizeOrder(acme.validate(order), ecKey());
        assertThat(cert.getCertificate().getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");

        assertThatThrownBy(() -> account.newOrder().domain("x.flow.test").profile("no-such").create())
                .as("acme4j checks meta.profiles itself").isInstanceOf(AcmeNotSupportedException.class);
        AcmeServerSupport.Counts before = acme.counts();
        String kid = account.getLocation().toString();
        for (String profile : List.of("no-such", "ocsp-signer")) {
            assertProblem(acme.jws.postKid(key, kid, "/acme/new-order", "{\"identifiers\":[{\"type\":\"dns\","
                    + "\"value\":\"x.flow.test\"}],\"profile\":\"" + profile + "\"}"), 400, "invalidProfile");
        }
        assertThat(acme.counts()).isEqualTo(before);
    }

    @Test
    void theOrdersListNamesTheAccountsOrdersOnly() throws Exception {
        Account other = acme.newAccount();
        other.newOrder().domain("other.flow.test").create();
        Account account = acme.newAccount();
        List<URL> placed = List.of(account.newOrder().domain("list-a.flow.test").create().getLocation(),
                account.newOrder().domain("list-b.flow.test").create().getLocation(),
                acme.readyOrder(account, "list-c.flow.test").getLocation());

        List<URL> listed = new ArrayList<>();
        account.getOrders().forEachRemaining(o -> listed.add(o.getLocation()));
        assertThat(listed).containsExactlyInAnyOrderElementsOf(placed);
    }

    @Test
    void theOrdersListPagesThroughNextLinksThatAClientCanFollow() throws Exception {
        Account account = acme.newAccount();
        List<URL> placed = new ArrayList<>();
        for (int i = 0; i < AccountHandlers.ORDERS_PAGE + 5; i++) {
            placed.add(account.newOrder().domain("page-" + i + ".flow.test").create().getLocation());
        }
        // acme4j follows Link rel="next", signing each page's URL, query included (RFC 8555 §7.1.2.1, §6.4).
        List<URL> listed = new ArrayList<>();
        account.getOrders().forEachRemaining(o -> listed.add(o.getLocation()));
        assertThat(listed).containsExactlyInAnyOrderElementsOf(placed);
    }
}
