package dev.hallmark.server;

import dev.hallmark.admin.AdminCredentials;
import dev.hallmark.authority.Authority;
import dev.hallmark.authority.CaRecord;
import dev.hallmark.authority.SerialNumber;
import dev.hallmark.authority.SerialRecord;
import java.io.IOException;
import org.bouncycastle.cert.CertException;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import java.util.Locale;
import java.util.Optional;

/**
 * Turns a bearer token or a client certificate into a {@link Caller}. Every request is looked up in the database
 * (one indexed read of a SHA-256), so a revoked credential stops working at once on every node. Blocking.
 */
final class Authenticator {
    private final AdminCredentials credentials;
    private final Authority authority;
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();

    Authenticator(AdminCredentials credentials, Authority authority) {
        this.credentials = credentials;
        this.authority = authority;
    }

    /** The caller for an {@code Authorization} header value; empty unless it is a valid, unrevoked bearer token. */
    Optional<Caller> bearer(String authorization) {
        String value = authorization.trim();
        if (value.length() < 7 || !value.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
            return Optional.empty();
        }
        return credentials.authenticate(value.substring(7).trim())
                .map(c -> new Caller(c.id(), c.name(), c.role(), "token"));
    }

    /** Whether the caller's credential is still unrevoked now (checked again right before the handler runs). */
    boolean stillValid(Caller caller) {
        return credentials.find(caller.credentialId()).map(c -> !c.isRevoked()).orElse(false);
    }

    /**
     * The caller for a client certificate the TLS handshake verified against Hallmark's CAs: it must be registered
     * as a credential, and Hallmark must not have revoked it (its issuer is one of Hallmark's CAs, so the answer is
     * authoritative and immediate, no CRL or OCSP round trip).
     */
    Optional<Caller> certificate(byte[] der) {
        Optional<AdminCredentials.Credential> credential = credentials.authenticateCertificate(der);
        if (credential.isEmpty() || isRevokedOrForeign(der)) {
            return Optional.empty();
        }
        AdminCredentials.Credential c = credential.get();
        return Optional.of(new Caller(c.id(), c.name(), c.role(), "certificate"));
    }

    /**
     * True unless the certificate is currently valid, was issued by one of Hallmark's CAs (signature checked: the TLS
     * layer accepts any client certificate) and is not revoked by Hallmark.
     */
    private boolean isRevokedOrForeign(byte[] der) {
        X509CertificateHolder cert;
        try {
            cert = new X509CertificateHolder(der);
        } catch (IOException | RuntimeException e) {
            return true;
        }
        if (!cert.isValidOn(java.util.Date.from(authority.now()))) {
            return true;
        }
        for (CaRecord ca : authority.cas()) {
            try {
                X509CertificateHolder caCert = new X509CertificateHolder(ca.certificateDer());
                if (caCert.getSubject().equals(cert.getIssuer()) && cert.isSignatureValid(
                        new JcaContentVerifierProviderBuilder().setProvider(BC).build(caCert))) {
                    return authority.serial(ca.name(), new SerialNumber(cert.getSerialNumber()))
                            .map(SerialRecord::isRevoked).orElse(true);
                }
            } catch (IOException | OperatorCreationException | CertException | java.security.cert.CertificateException
                    | RuntimeException e) {
                // not this CA
            }
        }
        return true;
    }
}
