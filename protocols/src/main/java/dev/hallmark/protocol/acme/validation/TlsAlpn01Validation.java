package dev.hallmark.protocol.acme.validation;

import dev.hallmark.authority.Identifier;
import dev.hallmark.authority.policy.IdentifierSyntax;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.xbill.DNS.ReverseMap;

/**
 * tls-alpn-01 (RFC 8737 §3; RFC 8738 §6 for IP identifiers): a TLS 1.2+ handshake to the identifier on the
 * configured port, offering only ALPN {@code acme-tls/1} and sending the identifier as SNI (for an IP, its
 * {@code in-addr.arpa}/{@code ip6.arpa} name). The server must negotiate {@code acme-tls/1} and present a
 * certificate with exactly one subjectAltName, the identifier, and a critical acmeIdentifier extension holding
 * {@code SHA-256(keyAuthorization)} as a DER OCTET STRING.
 *
 * <p>Every deviation is invalid (the 2022 Let's Encrypt incident accepted a non-critical extension): the legacy
 * OID {@code 1.3.6.1.5.5.7.1.30.1}, a non-critical extension, extra names, a wrong digest, an encoding with
 * trailing bytes. Thread-safe.
 */
final class TlsAlpn01Validation {
    /** RFC 8737 §6.2: the ALPN protocol name. */
    static final String ACME_TLS_1 = "acme-tls/1";
    /** RFC 8737 §6.1: id-pe-acmeIdentifier. */
    static final ASN1ObjectIdentifier ACME_IDENTIFIER = new ASN1ObjectIdentifier("1.3.6.1.5.5.7.1.31");
    /** The pre-RFC draft OID (acmeValidation-v1) that RFC 8737 replaced; Let's Encrypt stopped accepting it. */
    static final ASN1ObjectIdentifier LEGACY_ACME_IDENTIFIER = new ASN1ObjectIdentifier("1.3.6.1.5.5.7.1.30.1");

    private final TargetConnector connector;
    private final int port;

    TlsAlpn01Validation(TargetConnector connector, int port) {
        this.connector = connector;
        this.port = port;
    }

    /** Validates; returns normally only when a conformant certificate was presented over acme-tls/1. */
    void validate(Identifier identifier, String keyAuthorization, AttemptContext ctx) throws ValidationFailure {
        boolean ip = identifier.type() == Identifier.Type.IP;
        List<InetAddress> addresses = connector.resolve(identifier.value(), ctx);
        String sni = ip ? ReverseMap.fromAddress(addresses.get(0)).toString(true) : identifier.value();
        Socket plain = connector.connect(addresses, port, ctx);
        String where = TargetConnector.endpoint(plain.getInetAddress(), port);
        try (SSLSocket ssl = connector.handshake(plain, sni, new String[] {ACME_TLS_1}, ctx)) {
            SSLSession session = ssl.getSession();
            if (!ACME_TLS_1.equals(ssl.getApplicationProtocol())) {
                throw new ValidationFailure("unauthorized", "server at " + where + " did not negotiate ALPN "
                        + ACME_TLS_1 + " (got " + ValidationFailure.quoted(String.valueOf(ssl.getApplicationProtocol()), 32)
                        + ")");
            }
            if (!Arrays.asList(TargetConnector.TLS_PROTOCOLS).contains(session.getProtocol())) {
                throw new ValidationFailure("tls", "server at " + where + " negotiated " + session.getProtocol());
            }
            Certificate[] chain = session.getPeerCertificates();
            if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
                throw new ValidationFailure("unauthorized", "server at " + where + " presented no certificate");
            }
            checkCertificate(leaf.getEncoded(), identifier, keyAuthorization, where);
        } catch (SSLPeerUnverifiedException e) {
            throw new ValidationFailure("unauthorized", "server at " + where + " presented no certificate");
        } catch (CertificateEncodingException e) {
            throw new ValidationFailure("unauthorized", "certificate from " + where + " cannot be encoded");
        } catch (IOException e) {
            throw new ValidationFailure("connection", "connection to " + where + " failed: " + e.getMessage());
        } finally {
            try {
                plain.close();
            } catch (IOException ignored) {
                // Nothing more to read.
            }
        }
    }

    /**
     * Checks the leaf certificate of an acme-tls/1 handshake (RFC 8737 §3). Pure; visible for tests.
     *
     * @throws ValidationFailure {@code unauthorized} naming the first deviation found
     */
    static void checkCertificate(byte[] der, Identifier identifier, String keyAuthorization, String where)
            throws ValidationFailure {
        Extensions extensions;
        try {
            org.bouncycastle.asn1.x509.Certificate cert = org.bouncycastle.asn1.x509.Certificate.getInstance(
                    ASN1Primitive.fromByteArray(der));
            extensions = cert.getTBSCertificate().getExtensions();
        } catch (IOException | RuntimeException e) {
            throw new ValidationFailure("unauthorized", "certificate from " + where + " cannot be parsed: "
                    + e.getMessage());
        }
        if (extensions == null) {
            throw new ValidationFailure("unauthorized", "certificate from " + where + " has no extensions");
        }
        checkSubjectAltName(extensions, identifier, where);
        Extension acme = extensions.getExtension(ACME_IDENTIFIER);
        if (acme == null) {
            throw new ValidationFailure("unauthorized", extensions.getExtension(LEGACY_ACME_IDENTIFIER) != null
                    ? "certificate from " + where + " uses the obsolete acmeIdentifier OID " + LEGACY_ACME_IDENTIFIER
                    + "; RFC 8737 requires " + ACME_IDENTIFIER
                    : "certificate from " + where + " has no acmeIdentifier extension (" + ACME_IDENTIFIER + ")");
        }
        if (!acme.isCritical()) {
            throw new ValidationFailure("unauthorized", "acmeIdentifier extension in the certificate from " + where
                    + " is not critical (RFC 8737 §3)");
        }
        byte[] raw = acme.getExtnValue().getOctets();
        byte[] digest;
        try {
            ASN1OctetString value = ASN1OctetString.getInstance(ASN1Primitive.fromByteArray(raw));
            digest = value.getOctets();
            // Strict DER: re-encoding must give back exactly what was sent (no BER, no trailing bytes).
            if (!Arrays.equals(new DEROctetString(digest).getEncoded(), raw)) {
                throw new IllegalArgumentException("not DER");
            }
        } catch (IOException | RuntimeException e) {
            throw new ValidationFailure("unauthorized", "acmeIdentifier extension in the certificate from " + where
                    + " is not a DER OCTET STRING");
        }
        if (!MessageDigest.isEqual(digest, Dns01Validation.sha256(keyAuthorization))) {
            throw new ValidationFailure("unauthorized", "acmeIdentifier extension in the certificate from " + where
                    + " does not match the key authorization");
        }
    }

    private static void checkSubjectAltName(Extensions extensions, Identifier identifier, String where)
            throws ValidationFailure {
        GeneralNames names;
        try {
            names = GeneralNames.fromExtensions(extensions, Extension.subjectAlternativeName);
        } catch (RuntimeException e) {
            throw new ValidationFailure("unauthorized", "subjectAltName in the certificate from " + where
                    + " cannot be parsed");
        }
        if (names == null) {
            throw new ValidationFailure("unauthorized", "certificate from " + where + " has no subjectAltName");
        }
        GeneralName[] all = names.getNames();
        if (all.length != 1) {
            throw new ValidationFailure("unauthorized", "certificate from " + where + " must name exactly "
                    + identifier.value() + " in its subjectAltName, found " + all.length + " names");
        }
        GeneralName only = all[0];
        boolean matches;
        if (identifier.type() == Identifier.Type.IP) {
            byte[] want = IdentifierSyntax.parseIpLiteral(identifier.value()).map(InetAddress::getAddress)
                    .orElse(new byte[0]);
            matches = only.getTagNo() == GeneralName.iPAddress
                    && Arrays.equals(ASN1OctetString.getInstance(only.getName()).getOctets(), want);
        } else {
            matches = only.getTagNo() == GeneralName.dNSName
                    && only.getName().toString().equalsIgnoreCase(identifier.value());
        }
        if (!matches) {
            throw new ValidationFailure("unauthorized", "certificate from " + where + " names "
                    + ValidationFailure.quoted(only.toString(), 80) + " instead of " + identifier.value());
        }
    }
}
