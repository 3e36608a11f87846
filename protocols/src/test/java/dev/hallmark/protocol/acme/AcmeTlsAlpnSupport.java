package dev.hallmark.protocol.acme;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.security.KeyPair;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedKeyManager;
import org.shredzone.acme4j.Identifier;
import org.xbill.DNS.ReverseMap;

/**
 * A tls-alpn-01 responder (RFC 8737 §3) that serves exactly the certificates a client made, such as acme4j's
 * {@code TlsAlpn01Challenge.createCertificate}: JSSE on 127.0.0.1 with a free port, ALPN {@code acme-tls/1} only,
 * the certificate chosen by the SNI the validator sends (the DNS name, or for an IP address its reverse-DNS name,
 * RFC 8738 §6). Unlike {@code testing.TlsAlpn01Server} it builds no certificate itself, so the flow test proves that
 * what a real client library produces validates. Thread-safe; close it to stop.
 */
final class AcmeTlsAlpnSupport implements AutoCloseable {
    private record Served(PrivateKey key, X509Certificate certificate) {
    }

    private final SSLServerSocket listener;
    private final Map<String, Served> bySni = new ConcurrentHashMap<>();
    private final List<String> handshakes = new CopyOnWriteArrayList<>();
    private volatile Duration delay = Duration.ZERO;
    private volatile boolean closed;

    private AcmeTlsAlpnSupport() throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(new KeyManager[] {new SniKeyManager()}, null, null);
        listener = (SSLServerSocket) context.getServerSocketFactory().createServerSocket(0, 50,
                InetAddress.getLoopbackAddress());
        SSLParameters params = listener.getSSLParameters();
        params.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        params.setApplicationProtocols(new String[] {"acme-tls/1"});
        listener.setSSLParameters(params);
        Thread t = new Thread(this::accept, "test-acme-tls-alpn-" + listener.getLocalPort());
        t.setDaemon(true);
        t.start();
    }

    static AcmeTlsAlpnSupport start() {
        try {
            return new AcmeTlsAlpnSupport();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the tls-alpn-01 responder", e);
        }
    }

    int port() {
        return listener.getLocalPort();
    }

    /** Presents {@code certificate} (made with {@code keys}) to a validator asking for {@code identifier}. */
    void put(Identifier identifier, KeyPair keys, X509Certificate certificate) {
        bySni.put(sniFor(identifier), new Served(keys.getPrivate(), certificate));
    }

    /** Waits this long after accepting a connection before answering its ClientHello (a slow responder). */
    void delay(Duration d) {
        this.delay = d;
    }

    /** The SNI of every completed handshake, in order (one per validation attempt). */
    List<String> handshakes() {
        return List.copyOf(handshakes);
    }

    /** The SNI RFC 8737 §3 / RFC 8738 §6 prescribe for {@code identifier}. */
    static String sniFor(Identifier identifier) {
        if (!Identifier.TYPE_IP.equals(identifier.getType())) {
            return identifier.getValue().toLowerCase(Locale.ROOT);
        }
        try {
            return ReverseMap.fromAddress(identifier.getValue()).toString(true);
        } catch (IOException e) {
            throw new IllegalArgumentException(identifier.getValue(), e);
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
    }

    private void accept() {
        while (!closed) {
            try {
                Socket s = listener.accept();
                Duration wait = delay;
                Thread t = new Thread(() -> serve((SSLSocket) s, wait, handshakes), "test-acme-tls-alpn-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private static void serve(SSLSocket ssl, Duration wait, List<String> handshakes) {
        try (ssl) {
            ssl.setSoTimeout(10_000);
            Thread.sleep(wait.toMillis());
            ssl.startHandshake();
            handshakes.add(((ExtendedSSLSession) ssl.getSession()).getRequestedServerNames().stream()
                    .filter(SNIHostName.class::isInstance).map(n -> ((SNIHostName) n).getAsciiName().toLowerCase(Locale.ROOT))
                    .findFirst().orElse(""));
            InputStream in = ssl.getInputStream();
            while (in.read() >= 0) {
                // RFC 8737 §3: the validator closes once it has seen the certificate.
            }
        } catch (IOException e) {
            // A refused handshake or a validator that went away.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Chooses the certificate by the SNI of the ClientHello. */
    private final class SniKeyManager extends X509ExtendedKeyManager {
        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            if (!(socket instanceof SSLSocket ssl) || !(ssl.getHandshakeSession() instanceof ExtendedSSLSession session)) {
                return null;
            }
            for (SNIServerName name : session.getRequestedServerNames()) {
                if (name instanceof SNIHostName host) {
                    String sni = host.getAsciiName().toLowerCase(Locale.ROOT);
                    Served served = bySni.get(sni);
                    return served != null && served.key().getAlgorithm().equals(keyType) ? sni : null;
                }
            }
            return null;
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            Served s = bySni.get(alias);
            return s == null ? null : new X509Certificate[] {s.certificate()};
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            Served s = bySni.get(alias);
            return s == null ? null : s.key();
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return bySni.keySet().toArray(new String[0]);
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
