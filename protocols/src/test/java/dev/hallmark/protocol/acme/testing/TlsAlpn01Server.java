package dev.hallmark.protocol.acme.testing;

import dev.hallmark.authority.Identifier;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedKeyManager;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.xbill.DNS.ReverseMap;

/**
 * A tls-alpn-01 responder (RFC 8737 §3) on {@code 127.0.0.1} with a free port (JSSE): for each identifier
 * {@link #put} it presents a self-signed certificate with one subjectAltName and a critical acmeIdentifier
 * extension holding SHA-256 of the key authorization, chosen by the SNI the client sends (the DNS name, or for an
 * IP its reverse-DNS name, RFC 8738 §6), and negotiates ALPN {@code acme-tls/1}. It serves any number of
 * identifiers at once, each with its own key authorization.
 *
 * <p>The {@link #put(Identifier, KeyPair, X509Certificate)} form presents a certificate made elsewhere, unchanged
 * (such as acme4j's {@code TlsAlpn01Challenge.createCertificate}, RSA or EC), so an end-to-end test proves that
 * what a real client library produces validates.
 *
 * <p>{@link Defect}s reproduce the non-conformant responders of T19 and the stall of T21. Certificate defects
 * apply to that identifier's certificate; connection defects ({@link Defect#perConnection()}) act before the SNI
 * is known, so they apply to every later connection. Thread-safe; close it to stop.
 */
public final class TlsAlpn01Server implements AutoCloseable {
    /** What to get wrong. */
    public enum Defect {
        /** The acmeIdentifier extension is not marked critical. */
        NON_CRITICAL,
        /** The extension uses the pre-RFC OID 1.3.6.1.5.5.7.1.30.1. */
        LEGACY_OID,
        /** A second subjectAltName ({@code extra.example}). */
        EXTRA_SAN,
        /** The digest is of another key authorization. */
        WRONG_DIGEST,
        /** The server speaks only TLS 1.1: it answers any ClientHello with a TLS 1.1 ServerHello. */
        TLS11_ONLY,
        /** The server does not negotiate ALPN at all. */
        NO_ALPN,
        /** The server accepts the connection and never answers the ClientHello. */
        STALL_HANDSHAKE;

        /** Whether the defect is about the connection rather than the certificate. */
        public boolean perConnection() {
            return this == TLS11_ONLY || this == NO_ALPN || this == STALL_HANDSHAKE;
        }
    }

    private static final ASN1ObjectIdentifier ACME_IDENTIFIER = new ASN1ObjectIdentifier("1.3.6.1.5.5.7.1.31");
    private static final ASN1ObjectIdentifier LEGACY_OID = new ASN1ObjectIdentifier("1.3.6.1.5.5.7.1.30.1");

    private final ServerSocket listener;
    private final SSLContext context;
    private final Map<String, TestCertificates.KeyAndCertificate> bySni = new ConcurrentHashMap<>();
    private final Set<Defect> connectionDefects = ConcurrentHashMap.newKeySet();
    private final List<String> sniSeen = new CopyOnWriteArrayList<>();
    private final List<String> handshakes = new CopyOnWriteArrayList<>();
    private volatile Duration delay = Duration.ZERO;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    private TlsAlpn01Server() throws Exception {
        this.listener = new ServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        this.context = SSLContext.getInstance("TLS");
        context.init(new KeyManager[] {new SniKeyManager()}, null, null);
        Thread t = new Thread(this::accept, "test-tls-alpn-" + listener.getLocalPort());
        t.setDaemon(true);
        t.start();
    }

    /** Starts a responder with no identifiers yet (handshakes fail until one is {@link #put}). */
    public static TlsAlpn01Server start() {
        try {
            return new TlsAlpn01Server();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the tls-alpn-01 test server", e);
        }
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Presents a certificate for {@code identifier} proving {@code keyAuthorization}, with {@code defects}. */
    public TlsAlpn01Server put(Identifier identifier, String keyAuthorization, Defect... defects) {
        Set<Defect> set = defects.length == 0 ? EnumSet.noneOf(Defect.class) : EnumSet.of(defects[0], defects);
        set.stream().filter(Defect::perConnection).forEach(connectionDefects::add);
        List<GeneralName> names = new ArrayList<>();
        names.add(identifier.type() == Identifier.Type.IP
                ? new GeneralName(GeneralName.iPAddress, identifier.value())
                : new GeneralName(GeneralName.dNSName, identifier.value()));
        if (set.contains(Defect.EXTRA_SAN)) {
            names.add(new GeneralName(GeneralName.dNSName, "extra.example"));
        }
        String proven = set.contains(Defect.WRONG_DIGEST) ? keyAuthorization + "x" : keyAuthorization;
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(proven.getBytes(StandardCharsets.UTF_8));
            Extension acme = new Extension(set.contains(Defect.LEGACY_OID) ? LEGACY_OID : ACME_IDENTIFIER,
                    !set.contains(Defect.NON_CRITICAL), new DEROctetString(digest).getEncoded());
            bySni.put(sniFor(identifier), TestCertificates.selfSigned(names, List.of(acme)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return this;
    }

    /** Presents {@code certificate} (made with {@code keys}) unchanged for {@code identifier}. */
    public TlsAlpn01Server put(Identifier identifier, KeyPair keys, X509Certificate certificate) {
        bySni.put(sniFor(identifier), new TestCertificates.KeyAndCertificate(keys, certificate));
        return this;
    }

    /**
     * Waits this long after accepting a connection before reading its ClientHello (a slow responder); connections
     * already accepted keep the delay they started with.
     */
    public void delay(Duration d) {
        this.delay = d;
    }

    /** The SNI names clients sent, in order, whether or not the handshake then completed. */
    public List<String> sniSeen() {
        return List.copyOf(sniSeen);
    }

    /** The SNI of every completed handshake, in order (one per successful validation attempt). */
    public List<String> handshakes() {
        return List.copyOf(handshakes);
    }

    /** The SNI a conformant VA sends for {@code identifier}. */
    public static String sniFor(Identifier identifier) {
        if (identifier.type() != Identifier.Type.IP) {
            return identifier.value().toLowerCase(Locale.ROOT);
        }
        try {
            return ReverseMap.fromAddress(identifier.value()).toString(true);
        } catch (IOException e) {
            throw new IllegalArgumentException(identifier.value(), e);
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // Stopping anyway.
        }
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException ignored) {
                // Stopping anyway.
            }
        }
    }

    private void accept() {
        while (!closed) {
            try {
                Socket s = listener.accept();
                open.add(s);
                Duration wait = delay;
                Thread t = new Thread(() -> serve(s, wait), "test-tls-alpn-conn-" + listener.getLocalPort());
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket plain, Duration wait) {
        try (plain) {
            plain.setSoTimeout(30_000);
            Thread.sleep(wait.toMillis());
            if (connectionDefects.contains(Defect.STALL_HANDSHAKE)) {
                readRecord(plain.getInputStream());
                Thread.sleep(30_000);
                return;
            }
            if (connectionDefects.contains(Defect.TLS11_ONLY)) {
                readRecord(plain.getInputStream());
                plain.getOutputStream().write(tls11ServerHello());
                plain.getOutputStream().flush();
                readRecord(plain.getInputStream()); // the client's protocol_version alert
                return;
            }
            SSLSocket ssl = (SSLSocket) context.getSocketFactory().createSocket(plain, null, plain.getPort(), true);
            ssl.setUseClientMode(false);
            SSLParameters params = ssl.getSSLParameters();
            params.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
            params.setApplicationProtocols(connectionDefects.contains(Defect.NO_ALPN)
                    ? new String[0] : new String[] {"acme-tls/1"});
            ssl.setSSLParameters(params);
            ssl.startHandshake();
            handshakes.add(requestedSni(ssl.getSession()));
            // RFC 8737 §3: the client closes once it has the certificate; wait for that.
            InputStream in = ssl.getInputStream();
            while (in.read() >= 0) {
                // Discard anything sent.
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // Handshake refused or client gone: expected in the negative tests.
        } finally {
            open.remove(plain);
        }
    }

    private static void readRecord(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        byte[] header = new byte[5];
        data.readFully(header);
        int length = ((header[3] & 0xff) << 8) | (header[4] & 0xff);
        data.readFully(new byte[length]);
    }

    /** A TLS 1.1 ServerHello choosing TLS_RSA_WITH_AES_128_CBC_SHA, what a TLS 1.1-only server answers. */
    private static byte[] tls11ServerHello() {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        byte[] out = new byte[5 + 4 + 38];
        int i = 0;
        for (int b : new int[] {0x16, 0x03, 0x02, 0x00, 42, 0x02, 0x00, 0x00, 38, 0x03, 0x02}) {
            out[i++] = (byte) b;
        }
        System.arraycopy(random, 0, out, i, 32);
        i += 32;
        out[i++] = 0x00; // empty session id
        out[i++] = 0x00;
        out[i++] = 0x2f; // TLS_RSA_WITH_AES_128_CBC_SHA
        out[i] = 0x00; // no compression
        return out;
    }

    /** The first host_name SNI of {@code session}, lower-cased, or {@code ""} without one. */
    private static String requestedSni(SSLSession session) {
        if (session instanceof ExtendedSSLSession extended) {
            for (SNIServerName name : extended.getRequestedServerNames()) {
                if (name instanceof SNIHostName host) {
                    return host.getAsciiName().toLowerCase(Locale.ROOT);
                }
            }
        }
        return "";
    }

    /** The key algorithm of what is served for {@code sni}: EC, the self-signed kind, when nothing is. */
    private String servedKeyType(String sni) {
        TestCertificates.KeyAndCertificate kc = bySni.get(sni);
        return kc == null ? "EC" : kc.keys().getPrivate().getAlgorithm();
    }

    /** Picks the certificate by the SNI in the ClientHello, as an RFC 8737 responder must. */
    private final class SniKeyManager extends X509ExtendedKeyManager {
        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            if (!(socket instanceof SSLSocket ssl) || !(ssl.getHandshakeSession() instanceof ExtendedSSLSession session)) {
                return null;
            }
            String sni = requestedSni(session);
            // JSSE asks once per key type; only the ask for the served key's type counts as this ClientHello.
            if (!servedKeyType(sni).equals(keyType)) {
                return null;
            }
            sniSeen.add(sni);
            return bySni.containsKey(sni) ? sni : null;
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            TestCertificates.KeyAndCertificate kc = bySni.get(alias);
            return kc == null ? null : new X509Certificate[] {kc.certificate()};
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            TestCertificates.KeyAndCertificate kc = bySni.get(alias);
            return kc == null ? null : kc.keys().getPrivate();
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return bySni.keySet().stream().filter(sni -> servedKeyType(sni).equals(keyType)).toArray(String[]::new);
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return null;
        }
    }
}
