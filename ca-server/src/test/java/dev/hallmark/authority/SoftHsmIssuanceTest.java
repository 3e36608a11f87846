package dev.hallmark.authority;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hallmark.authority.testing.TestCsr;
import dev.hallmark.authority.testing.TestPki;
import dev.hallmark.db.testing.TestDatabases;
import dev.hallmark.hsm.KeyType;
import dev.hallmark.hsm.testing.SoftHsm;
import java.io.ByteArrayInputStream;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The authority with its CA and ledger keys in SoftHSM2 through SunPKCS11, on H2 and PostgreSQL. */
class SoftHsmIssuanceTest {

    @BeforeAll
    static void softHsm() {
        SoftHsm.assumeAvailable();
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"H2, EC_P256", "POSTGRESQL, EC_P256", "H2, RSA_3072"})
    void issuesRevokesAndReconcilesWithKeysInTheHsm(TestDatabases.Kind db, KeyType caKey) throws Exception {
        try (TestPki pki = TestPki.builder().database(db).token(SoftHsm.openToken()).caKeyType(caKey).build()) {
            IssuedCertificate issued = pki.issue("tls-server", TestCsr.of("hsm.example"));
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            X509Certificate leaf = (X509Certificate) cf.generateCertificate(new ByteArrayInputStream(issued.record().der()));
            X509Certificate issuing = (X509Certificate) cf.generateCertificate(new ByteArrayInputStream(issued.chain().get(0)));
            leaf.verify(issuing.getPublicKey());
            pki.authority.revoke(new RevocationRequest("issuing", issued.record().serial(), RevocationReason.KEY_COMPROMISE, "t"));
            pki.jdbcLedger.signCheckpoint();
            var report = pki.reconciler().run();
            assertThat(report.problems()).isEmpty();
            assertThat(report.ledger().ok()).isTrue();
        }
    }
}
