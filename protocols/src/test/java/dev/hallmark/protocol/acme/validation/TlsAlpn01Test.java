package dev.hallmark.protocol.acme.validation;

import static dev.hallmark.protocol.acme.validation.Http01Test.assertInvalid;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hallmark.authority.Identifier;
import dev.hallmark.protocol.acme.testing.TestCertificates;
import dev.hallmark.protocol.acme.testing.TestChallenge;
import dev.hallmark.protocol.acme.testing.TlsAlpn01Server;
import dev.hallmark.protocol.acme.testing.TlsAlpn01Server.Defect;
import java.util.List;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** tls-alpn-01 (RFC 8737 §3, RFC 8738 §6) against {@link TlsAlpn01Server}, including the T19 responder defects. */
class TlsAlpn01Test {
    private static final String NAME = "tls.example.test";

    @RegisterExtension
    final VaHarness va = new VaHarness().withLoopbackName(NAME);
    private final TestChallenge challenge = TestChallenge.random();

    @Test
    void conformantResponderIsValidAndReceivesTheNameAsSni() {
        va.tls.put(Identifier.dns(NAME), challenge.keyAuthorization());

        Validator.Outcome outcome = va.validate("tls-alpn-01", NAME, challenge);

        assertThat(outcome.valid()).as(outcome.detail()).isTrue();
        assertThat(outcome.addresses()).containsExactly("127.0.0.1:" + va.tls.port());
        assertThat(va.tls.sniSeen()).contains(NAME);
    }

    @Test
    void ipIdentifierSendsTheReverseNameAsSniAndNeedsAnIpAddressSan() {
        Identifier ip = Identifier.ip("127.0.0.1");
        va.tls.put(ip, challenge.keyAuthorization());

        Validator.Outcome outcome = va.validate("tls-alpn-01", ip, false, challenge);

        assertThat(outcome.valid()).as(outcome.detail()).isTrue();
        assertThat(va.tls.sniSeen()).contains("1.0.0.127.in-addr.arpa");
    }

    @ParameterizedTest(name = "T19: {0} is invalid ({1})")
    @CsvSource({
            "NON_CRITICAL,    unauthorized",
            "LEGACY_OID,      unauthorized",
            "EXTRA_SAN,       unauthorized",
            "WRONG_DIGEST,    unauthorized",
            "TLS11_ONLY,      tls",
            "NO_ALPN,         unauthorized"})
    void nonConformantResponderIsNeverValid(Defect defect, String problemType) {
        va.tls.put(Identifier.dns(NAME), challenge.keyAuthorization(), defect);

        assertInvalid(va.validate("tls-alpn-01", NAME, challenge), problemType);
    }

    @Test
    void certificateForAnotherNameIsInvalid() {
        // The server only has a certificate for another name, so it cannot complete a handshake for this SNI.
        va.tls.put(Identifier.dns("other.example.test"), challenge.keyAuthorization());

        Validator.Outcome outcome = va.validate("tls-alpn-01", NAME, challenge);

        assertThat(outcome.valid()).isFalse();
        assertThat(outcome.problemType()).isIn("tls", "unauthorized");
    }

    @Test
    void conformantCertificatePassesTheCertificateCheck() throws Exception {
        TlsAlpn01Validation.checkCertificate(certificate(List.of(dnsName(NAME)), true, digestOctets()),
                Identifier.dns(NAME), challenge.keyAuthorization(), "test");
    }

    @Test
    void ipIdentifierWithADnsNameSanIsUnauthorized() {
        byte[] der = certificate(List.of(dnsName("127.0.0.1.example.test")), true, digestOctets());

        assertThat(certificateProblem(der, Identifier.ip("127.0.0.1"))).isEqualTo("unauthorized");
    }

    @Test
    void missingSanIsUnauthorized() {
        assertThat(certificateProblem(certificate(List.of(), true, digestOctets()), Identifier.dns(NAME)))
                .isEqualTo("unauthorized");
    }

    @Test
    void acmeIdentifierThatIsNotAnOctetStringIsUnauthorized() throws Exception {
        byte[] integer = new ASN1Integer(42).getEncoded();

        assertThat(certificateProblem(certificate(List.of(dnsName(NAME)), true, integer), Identifier.dns(NAME)))
                .isEqualTo("unauthorized");
    }

    @Test
    void acmeIdentifierWithTrailingBytesIsUnauthorized() {
        byte[] value = digestOctets();
        byte[] padded = java.util.Arrays.copyOf(value, value.length + 2);

        assertThat(certificateProblem(certificate(List.of(dnsName(NAME)), true, padded), Identifier.dns(NAME)))
                .isEqualTo("unauthorized");
    }

    @Test
    void garbageInsteadOfACertificateIsUnauthorized() {
        assertThat(certificateProblem(new byte[] {0x30, 0x03, 0x02, 0x01, 0x01}, Identifier.dns(NAME)))
                .isEqualTo("unauthorized");
    }

    @Test
    void handshakeStallEndsAtTheDeadline() {
        va.tls.put(Identifier.dns(NAME), challenge.keyAuthorization(), Defect.STALL_HANDSHAKE);

        assertInvalid(va.validate("tls-alpn-01", NAME, challenge), "connection");
    }

    @Test
    void nothingListeningIsConnection() {
        va.tls.close();

        assertInvalid(va.validate("tls-alpn-01", NAME, challenge), "connection");
    }

    @Test
    void deniedAddressIsNeverContacted() {
        va.reconfigure(va.settings().withDenyNetworks(List.of(Network.parse("127.0.0.0/8"))));
        va.tls.put(Identifier.dns(NAME), challenge.keyAuthorization());

        Validator.Outcome outcome = va.validate("tls-alpn-01", NAME, challenge);

        assertInvalid(outcome, "connection");
        assertThat(outcome.addresses()).isEmpty();
        assertThat(va.tls.sniSeen()).isEmpty();
    }

    @Test
    void wildcardIsMalformed() {
        assertInvalid(va.validate("tls-alpn-01", Identifier.dns(NAME), true, challenge), "malformed");
    }

    private byte[] digestOctets() {
        try {
            return new DEROctetString(Dns01Validation.sha256(challenge.keyAuthorization())).getEncoded();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static GeneralName dnsName(String name) {
        return new GeneralName(GeneralName.dNSName, name);
    }

    private static byte[] certificate(List<GeneralName> names, boolean critical, byte[] acmeValue) {
        try {
            Extension acme = new Extension(TlsAlpn01Validation.ACME_IDENTIFIER, critical, acmeValue);
            return TestCertificates.selfSigned(names, List.of(acme)).certificate().getEncoded();
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new AssertionError(e);
        }
    }

    private String certificateProblem(byte[] der, Identifier identifier) {
        try {
            TlsAlpn01Validation.checkCertificate(der, identifier, challenge.keyAuthorization(), "test");
        } catch (ValidationFailure e) {
            return e.problemType();
        }
        throw new AssertionError("certificate accepted");
    }
}
