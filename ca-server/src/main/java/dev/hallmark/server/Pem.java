package dev.hallmark.server;

import dev.hallmark.authority.Identifier;
import java.io.IOException;
import java.io.StringReader;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.PEMParser;

/** Reading the PEM files the server keeps (its own HTTPS key and chain). */
final class Pem {
    private Pem() {
    }

    static List<X509CertificateHolder> certificates(String pem) throws IOException {
        List<X509CertificateHolder> out = new ArrayList<>();
        try (PEMParser p = new PEMParser(new StringReader(pem))) {
            Object o;
            while ((o = p.readObject()) != null) {
                if (o instanceof X509CertificateHolder h) {
                    out.add(h);
                }
            }
        }
        return out;
    }

    /** Whether the PKCS#8 PEM private key belongs to the certificate: a test signature must verify with its key. */
    static boolean publicKeyMatches(String keyPem, X509CertificateHolder cert) throws IOException {
        try (PEMParser p = new PEMParser(new StringReader(keyPem))) {
            if (!(p.readObject() instanceof PrivateKeyInfo info)) {
                return false;
            }
            java.security.PrivateKey key = new JcaPEMKeyConverter().getPrivateKey(info);
            byte[] probe = new byte[32];
            new java.security.SecureRandom().nextBytes(probe);
            java.security.Signature signer = java.security.Signature.getInstance("SHA256withECDSA");
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            java.security.Signature verifier = java.security.Signature.getInstance("SHA256withECDSA");
            verifier.initVerify(new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter().getCertificate(cert).getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (java.security.GeneralSecurityException e) {
            return false;
        }
    }

    /** The DNS and IP subject alternative names of a certificate. */
    static List<Identifier> identifiers(X509CertificateHolder cert) throws IOException {
        List<Identifier> out = new ArrayList<>();
        GeneralNames names = GeneralNames.fromExtensions(cert.getExtensions(), Extension.subjectAlternativeName);
        if (names == null) {
            return out;
        }
        for (GeneralName n : names.getNames()) {
            if (n.getTagNo() == GeneralName.dNSName) {
                out.add(Identifier.dns(n.getName().toString()));
            } else if (n.getTagNo() == GeneralName.iPAddress) {
                byte[] raw = DEROctetString.getInstance(n.getName()).getOctets();
                out.add(Identifier.ip(dev.hallmark.authority.policy.IdentifierSyntax.canonicalIp(InetAddress.getByAddress(raw))));
            }
        }
        return out;
    }
}
