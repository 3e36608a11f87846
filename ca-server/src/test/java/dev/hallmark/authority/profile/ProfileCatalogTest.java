package dev.hallmark.authority.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hallmark.authority.CaException;
import dev.hallmark.authority.IssuedCertificate;
import dev.hallmark.authority.testing.TestCsr;
import dev.hallmark.authority.testing.TestPki;
import dev.hallmark.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProfileCatalogTest {

    @Test
    void theShippedProfilesLoadAndEachIssuesACertificateThatLintsClean() {
        ProfileCatalog catalog = ProfileCatalog.defaults();
        assertThat(catalog.profiles().keySet()).containsExactly("tls-server", "tls-client", "device", "ocsp-signer");
        try (TestPki pki = TestPki.create()) {
            IssuedCertificate server = pki.issue("tls-server", TestCsr.of("srv.example"));
            IssuedCertificate client = pki.issue("tls-client", TestCsr.of("svc.example"));
            IssuedCertificate device = pki.issue("device", TestCsr.of("dev-0042.example"));
            IssuedCertificate ocsp = pki.issue("ocsp-signer", TestCsr.of(null, TestCsr.withCn("Hallmark OCSP responder")));
            for (IssuedCertificate c : new IssuedCertificate[] {server, client, device, ocsp}) {
                assertThat(c.record().profileVersion()).isEqualTo(1);
            }
            assertThat(pki.reconciler().run().problems()).isEmpty();
        }
    }

    @Test
    void anUnknownProfileIsNotFoundAndNamesTheOnesThatExist() {
        assertThatThrownBy(() -> ProfileCatalog.defaults().get("nope"))
                .isInstanceOfSatisfying(CaException.class, e -> {
                    assertThat(e.kind()).isEqualTo(CaException.Kind.NOT_FOUND);
                    assertThat(e.detail()).contains("tls-server");
                });
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "no version|{validity: 90d}|p.version",
        "unknown key|{version: 1, colour: red}|p.colour",
        "nocheck without ocsp-signing|{version: 1, ocspNoCheck: true, commonName: requested, subjectAltNames: {types: []}}|p.ocspNoCheck",
        "server-auth without digital-signature|{version: 1, keyUsage: [key-encipherment], extendedKeyUsage: [server-auth]}|p.keyUsage",
        "server-auth with requested CN|{version: 1, extendedKeyUsage: [server-auth], commonName: requested}|p.commonName",
        "no SANs and no CN|{version: 1, subjectAltNames: {types: []}}|p.commonName",
        "server-auth without required SANs|{version: 1, extendedKeyUsage: [server-auth], subjectAltNames: {types: [dns], required: false}}|p.subjectAltNames.required",
        "validity too long|{version: 1, validity: 4000d}|p.validity",
        "backdate too long|{version: 1, backdate: 3d}|p.backdate",
        "bad URL|{version: 1, crlUrls: [ftp://x/]}|p.crlUrls",
        "bad key type|{version: 1, keyTypes: [dsa-1024]}|p.keyTypes"})
    void aProfileThatCouldNeverIssueCleanlyIsRefusedAtLoadNamingTheKey(String why, String body, String key) {
        assertThatThrownBy(() -> ProfileCatalog.parse("profiles.yaml", "profiles:\n  p: " + body + "\n"))
                .as(why).isInstanceOf(ConfigException.class).hasMessageContaining(key);
    }
}
