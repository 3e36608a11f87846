package dev.hallmark.authority;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hallmark.authority.testing.TestCsr;
import dev.hallmark.authority.testing.TestPki;
import dev.hallmark.hsm.KeyType;
import dev.hallmark.hsm.SignatureAlgorithm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every CA key type and signature algorithm the soft token offers: the chain validates with BouncyCastle's PKIX
 * path validator and, where OpenSSL on this machine knows the algorithm, with {@code openssl verify -x509_strict}.
 */
class CaKeyTypesTest {
    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "EC_P256, ECDSA_SHA256, true",
        "EC_P384, ECDSA_SHA384, true",
        "RSA_2048, RSA_PKCS1_SHA256, true",
        "RSA_3072, RSA_PSS_SHA256, true",
        "RSA_4096, RSA_PKCS1_SHA384, true",
        "ED25519, ED25519, true",
        "ML_DSA_65, ML_DSA_65, false"})
    void aCaOfEachKeyTypeIssuesAChainThatValidates(KeyType type, SignatureAlgorithm algorithm, boolean opensslKnowsIt)
            throws Exception {
        try (TestPki pki = TestPki.builder().caKeyType(type).caAlgorithm(algorithm).build()) {
            IssuedCertificate issued = pki.issue("tls-server", TestCsr.of("kt.example"));
            CertificateFactory cf = CertificateFactory.getInstance("X.509", new BouncyCastleProvider());
            List<X509Certificate> chain = new ArrayList<>();
            chain.add((X509Certificate) cf.generateCertificate(new java.io.ByteArrayInputStream(issued.record().der())));
            for (byte[] der : issued.chain()) {
                chain.add((X509Certificate) cf.generateCertificate(new java.io.ByteArrayInputStream(der)));
            }
            X509Certificate root = chain.remove(chain.size() - 1);
            PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
            params.setRevocationEnabled(false);
            params.setDate(Date.from(pki.clock.instant()));
            CertPathValidator.getInstance("PKIX", new BouncyCastleProvider()).validate(cf.generateCertPath(chain), params);

            if (opensslKnowsIt) {
                Path rootPem = Files.writeString(tmp.resolve("root.pem"), IssuedCertificate.pem(issued.chain().get(1)));
                Path chainPem = Files.writeString(tmp.resolve("chain.pem"), issued.pemChain());
                Process p = new ProcessBuilder("openssl", "verify", "-x509_strict", "-attime",
                        Long.toString(pki.clock.instant().getEpochSecond()), "-CAfile", rootPem.toString(),
                        "-untrusted", chainPem.toString(), chainPem.toString()).redirectErrorStream(true).start();
                String output = new String(p.getInputStream().readAllBytes());
                assertThat(p.waitFor()).as(output).isZero();
            }
        }
    }
}
