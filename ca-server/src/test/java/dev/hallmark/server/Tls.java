package dev.hallmark.server;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/** TLS plumbing for the listener tests: handshakes with chosen protocols, client key managers, certificates. */
final class Tls {
    private Tls() {
    }

    static X509Certificate x509(byte[] der) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A handshaken connection to {@code localhost:port} with only {@code protocols} enabled and host name checks on. */
    static SSLSocket connect(SSLContext context, int port, String... protocols) {
        try {
            SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket("localhost", port);
            s.setSoTimeout(RawHttp.READ_TIMEOUT_MILLIS);
            if (protocols.length > 0) {
                s.setEnabledProtocols(protocols);
            }
            SSLParameters p = s.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            s.setSSLParameters(p);
            s.startHandshake();
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The serial of the certificate the server presented on {@code socket}. */
    static BigInteger servedSerial(SSLSocket socket) {
        return servedLeaf(socket).getSerialNumber();
    }

    static X509Certificate servedLeaf(SSLSocket socket) {
        try {
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static KeyPair newKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Key managers presenting {@code key} with its certificate chain (leaf first, DER). */
    static KeyManager[] keyManagers(KeyPair key, List<byte[]> chain) {
        try {
            char[] password = "test".toCharArray();
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("client", key.getPrivate(), password,
                    chain.stream().map(Tls::x509).toArray(X509Certificate[]::new));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, password);
            return kmf.getKeyManagers();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A self-signed certificate for {@code key} (a client certificate Hallmark never issued). */
    static X509Certificate selfSigned(KeyPair key, String subject) {
        try {
            org.bouncycastle.asn1.x500.X500Name name = new org.bouncycastle.asn1.x500.X500Name(subject);
            java.util.Date now = new java.util.Date();
            var builder = new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(name, BigInteger.TEN,
                    new java.util.Date(now.getTime() - 3_600_000L), new java.util.Date(now.getTime() + 86_400_000L), name,
                    key.getPublic());
            var signer = new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate());
            return x509(builder.build(signer).getEncoded());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
