package dev.hallmark.protocol.acme.validation;

import dev.hallmark.authority.policy.IdentifierSyntax;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Opens the VA's outbound connections: resolves a host through {@link DnsClient} (or takes an IP literal as is),
 * refuses the whole target when any of its addresses is denied, and connects within the attempt's deadline,
 * IPv6 first and then IPv4 on connection failure (Boulder's order). Every socket is registered with the
 * {@link AttemptContext} so the deadline can close it.
 *
 * <p>Why refuse the whole target rather than skip denied addresses: a name that publishes an internal address
 * next to a public one is either misconfigured or probing the CA's network; failing closed with a clear detail is
 * easier to reason about and to audit. Thread-safe.
 */
final class TargetConnector {
    /** Only TLS 1.2 and 1.3 (RFC 8737 §4 requires at least 1.2 for tls-alpn-01; LE does the same for https). */
    static final String[] TLS_PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private final DnsClient dns;
    private final List<Network> deny;

    TargetConnector(DnsClient dns, List<Network> deny) {
        this.dns = dns;
        this.deny = deny;
    }

    /**
     * The addresses to try for {@code host} (a DNS name, or an IP literal with or without brackets).
     *
     * @throws ValidationFailure {@code dns} when resolution fails, {@code connection} when an address is denied
     */
    List<InetAddress> resolve(String host, AttemptContext ctx) throws ValidationFailure {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        Optional<InetAddress> literal = IdentifierSyntax.parseIpLiteral(bare);
        List<InetAddress> addresses = literal.isPresent() ? List.of(literal.get()) : dns.addresses(bare, ctx);
        for (InetAddress a : addresses) {
            checkAllowed(a);
        }
        return addresses;
    }

    /** Refuses addresses in the deny list, and always the unspecified and multicast ones (0.0.0.0 reaches localhost). */
    void checkAllowed(InetAddress a) throws ValidationFailure {
        if (a.isAnyLocalAddress() || a.isMulticastAddress()) {
            throw new ValidationFailure("connection", "address " + IdentifierSyntax.canonicalIp(a)
                    + " is not a unicast address");
        }
        for (Network n : deny) {
            if (n.contains(a)) {
                throw new ValidationFailure("connection", "address " + IdentifierSyntax.canonicalIp(a)
                        + " is in a denied network");
            }
        }
    }

    /**
     * Connects to the first reachable address on {@code port}.
     *
     * @throws ValidationFailure {@code connection} when no address accepts the connection in time
     */
    Socket connect(List<InetAddress> addresses, int port, AttemptContext ctx) throws ValidationFailure {
        List<InetAddress> ordered = new ArrayList<>();
        addresses.stream().filter(a -> a instanceof Inet6Address).forEach(ordered::add);
        addresses.stream().filter(a -> !(a instanceof Inet6Address)).forEach(ordered::add);
        ValidationFailure last = null;
        for (InetAddress a : ordered) {
            String where = endpoint(a, port);
            ctx.contacted(where);
            ctx.phase("connection", "connecting to " + where);
            Socket socket = new Socket();
            ctx.register(socket);
            try {
                socket.connect(new InetSocketAddress(a, port), ctx.remainingMillis());
                socket.setSoTimeout(ctx.remainingMillis());
                return socket;
            } catch (SocketTimeoutException e) {
                throw ctx.timedOut();
            } catch (IOException e) {
                last = new ValidationFailure("connection", "error connecting to " + where + ": " + e.getMessage());
            }
        }
        throw last != null ? last : new ValidationFailure("connection", "no address to connect to");
    }

    /**
     * Runs a TLS 1.2/1.3 handshake over {@code plain} that trusts any certificate: http-01 redirects to https
     * are followed without validation (RFC 8555 §8.3, as Let's Encrypt does), and the tls-alpn-01 certificate is
     * self-signed by design (RFC 8737 §3); the VA checks what it needs itself.
     *
     * @param sni  the server name to send, or null for none
     * @param alpn the ALPN protocols to offer, or empty for none
     * @throws ValidationFailure {@code tls} when the handshake fails, {@code connection} on the deadline
     */
    SSLSocket handshake(Socket plain, String sni, String[] alpn, AttemptContext ctx) throws ValidationFailure {
        String where = endpoint(plain.getInetAddress(), plain.getPort());
        ctx.phase("connection", "in the TLS handshake with " + where);
        try {
            // A fresh context per connection: no session cache, so a resumed session can never replay a
            // certificate the server presented to an earlier attempt.
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new TrustAny()}, null);
            SSLSocket ssl = (SSLSocket) context.getSocketFactory().createSocket(plain, null, plain.getPort(), true);
            ctx.register(ssl);
            SSLParameters params = ssl.getSSLParameters();
            params.setProtocols(TLS_PROTOCOLS);
            params.setApplicationProtocols(alpn);
            params.setServerNames(sni == null ? List.<SNIServerName>of() : List.of(new SNIHostName(sni)));
            params.setEndpointIdentificationAlgorithm(null);
            ssl.setSSLParameters(params);
            ssl.setSoTimeout(ctx.remainingMillis());
            ssl.startHandshake();
            return ssl;
        } catch (SocketTimeoutException e) {
            throw ctx.timedOut();
        } catch (SSLException e) {
            throw new ValidationFailure("tls", "TLS handshake with " + where + " failed: " + e.getMessage());
        } catch (IOException e) {
            throw new ValidationFailure("connection", "connection to " + where + " failed during the TLS handshake: "
                    + e.getMessage());
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new ValidationFailure("tls", "cannot set up TLS to " + where + ": " + e.getMessage());
        }
    }

    /** {@code 192.0.2.1:80} or {@code [2001:db8::1]:443}. */
    static String endpoint(InetAddress a, int port) {
        String ip = IdentifierSyntax.canonicalIp(a);
        return (a instanceof Inet6Address ? "[" + ip + "]" : ip) + ":" + port;
    }

    /**
     * Accepts any server certificate. An {@link X509ExtendedTrustManager}, so JSSE does not wrap it with
     * hostname and algorithm checks; the VA never relies on this connection's authenticity (see
     * {@link #handshake}).
     */
    private static final class TrustAny extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            throw new CertificateException("client side only");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
            // Deliberately accepts everything: see the class comment.
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            throw new CertificateException("client side only");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            // Deliberately accepts everything: see the class comment.
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("client side only");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            // Deliberately accepts everything: see the class comment.
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
