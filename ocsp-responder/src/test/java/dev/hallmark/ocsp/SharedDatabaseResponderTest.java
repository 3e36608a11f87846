package dev.hallmark.ocsp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hallmark.authority.Authority;
import dev.hallmark.authority.IssuedCertificate;
import dev.hallmark.authority.Issuer;
import dev.hallmark.authority.RevocationReason;
import dev.hallmark.authority.RevocationRequest;
import dev.hallmark.authority.lint.Linter;
import dev.hallmark.authority.policy.PolicyEngine;
import dev.hallmark.authority.policy.PolicyRules;
import dev.hallmark.authority.profile.ProfileCatalog;
import dev.hallmark.authority.store.JdbcCertificateStore;
import dev.hallmark.authority.testing.TestCsr;
import dev.hallmark.db.testing.TestDatabases;
import dev.hallmark.server.Listener;
import dev.hallmark.server.ServerRole;
import dev.hallmark.server.testing.TestServer;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.junit.jupiter.api.Test;

/**
 * {@code --role ocsp} against a shared PostgreSQL: a responder-only node answers for certificates another node
 * issues and revokes, and sees those revocations through the database change feed, even for responses it had
 * already pre-signed and cached (SPEC "Scaling past one machine").
 */
class SharedDatabaseResponderTest {

    @Test
    void aResponderOnlyNodeSeesAnotherNodesRevocationWithinThePollInterval() throws Exception {
        try (TestServer ocspNode = TestServer.builder().role(ServerRole.OCSP).endpoints(new OcspEndpoint())
                .pki(b -> b.database(TestDatabases.Kind.POSTGRESQL)).yaml("ocsp: {pollInterval: 200ms}").start()) {
            assertThat(ocspNode.port(Listener.HTTPS)).isEqualTo(-1);
            // "Another node": its own authority over the same database and token, as a second process would have.
            var pki = ocspNode.pki;
            Authority caNode = new Authority(new JdbcCertificateStore(pki.database, pki.ledger), pki.token,
                    new Issuer(new JdbcCertificateStore(pki.database, pki.ledger), pki.token, new Linter(), pki.clock,
                            new SecureRandom(), "hallmark/other-node"), new PolicyEngine(PolicyRules.defaults()),
                    ProfileCatalog.defaults());
            IssuedCertificate cert = caNode.issue(pki.request("tls-server", TestCsr.of("shared.ocsp.example", TestCsr.withFreshKey())));
            OcspClient client = new OcspClient(ocspNode);
            byte[] request = OcspClient.request(OcspClient.id(pki.issuing.certificate(), cert.record().serial().value()));
            assertThat(only(OcspClient.basic(client.post(request))).getCertStatus()).isNull();
            HttpResponse<byte[]> cached = client.post(request); // served from this node's cache now
            assertThat(only(OcspClient.basic(cached)).getCertStatus()).isNull();

            caNode.revoke(new RevocationRequest("issuing", cert.record().serial(), RevocationReason.KEY_COMPROMISE, "other-node"));
            SingleResp answer = null;
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (System.nanoTime() < deadline) {
                answer = only(OcspClient.basic(client.post(request)));
                if (answer.getCertStatus() instanceof RevokedStatus) {
                    break;
                }
                Thread.sleep(100);
            }
            assertThat(answer.getCertStatus()).isInstanceOf(RevokedStatus.class);
        }
    }

    private static SingleResp only(org.bouncycastle.cert.ocsp.BasicOCSPResp r) {
        assertThat(r.getResponses()).hasSize(1);
        return r.getResponses()[0];
    }
}
