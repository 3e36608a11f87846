package dev.hallmark.protocol.acme.validation;

import dev.hallmark.authority.Identifier;
import dev.hallmark.authority.policy.IdentifierSyntax;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * http-01 (RFC 8555 §8.3; RFC 8738 §4 for IP identifiers): GET
 * {@code http://<identifier>:<port>/.well-known/acme-challenge/<token>} and compare the body with the key
 * authorization, trailing whitespace ignored.
 *
 * <p>Redirects (§8.3 allows following them) are limited the way Let's Encrypt limits them: at most
 * {@link #MAX_REDIRECTS}, only to http or https, only to the configured challenge ports or 80/443, each hop
 * resolved again and checked against the deny list (a redirect is an SSRF vector), a repeated URL is a loop.
 * https targets are not authenticated. Thread-safe.
 */
final class Http01Validation {
    static final int MAX_REDIRECTS = 10;
    private static final int MAX_URL_LENGTH = 2048;

    private final TargetConnector connector;
    private final int httpPort;
    private final int tlsPort;

    Http01Validation(TargetConnector connector, int httpPort, int tlsPort) {
        this.connector = connector;
        this.httpPort = httpPort;
        this.tlsPort = tlsPort;
    }

    /** Validates; returns normally only when the key authorization was served. */
    void validate(Identifier identifier, String token, String keyAuthorization, AttemptContext ctx)
            throws ValidationFailure {
        String host = identifier.type() == Identifier.Type.IP && identifier.value().indexOf(':') >= 0
                ? "[" + identifier.value() + "]" : identifier.value();
        URI url = URI.create("http://" + host + ":" + httpPort + "/.well-known/acme-challenge/" + token);
        // RFC 8555 §8.3 names the Host header after the identifier itself (bracketed for IPv6, RFC 8738 §4).
        String hostHeader = host;
        Set<String> visited = new HashSet<>();
        for (int hop = 0; ; hop++) {
            if (!visited.add(url.toString())) {
                throw new ValidationFailure("connection", "redirect loop at " + url);
            }
            HttpExchange.Response response = fetch(url, hostHeader, ctx);
            if (isRedirect(response.status())) {
                if (hop == MAX_REDIRECTS) {
                    throw new ValidationFailure("connection", "too many redirects (more than " + MAX_REDIRECTS
                            + "), last to " + url);
                }
                url = redirectTarget(url, response.location());
                hostHeader = authority(url);
                continue;
            }
            if (response.status() != 200) {
                throw new ValidationFailure("unauthorized", "invalid response from " + url + ": HTTP "
                        + response.status());
            }
            if (response.bodyTooLong()) {
                throw new ValidationFailure("unauthorized", "response body from " + url + " is longer than "
                        + HttpExchange.MAX_BODY + " bytes");
            }
            byte[] body = trimTrailingWhitespace(response.body());
            if (!MessageDigest.isEqual(body, keyAuthorization.getBytes(StandardCharsets.US_ASCII))) {
                throw new ValidationFailure("incorrectResponse", "the key authorization served at " + url
                        + " does not match: expected " + ValidationFailure.quoted(keyAuthorization, 160) + ", got "
                        + ValidationFailure.quoted(new String(body, StandardCharsets.ISO_8859_1), 160));
            }
            return;
        }
    }

    private HttpExchange.Response fetch(URI url, String hostHeader, AttemptContext ctx) throws ValidationFailure {
        boolean https = url.getScheme().equals("https");
        int port = url.getPort() >= 0 ? url.getPort() : (https ? 443 : 80);
        String host = url.getHost();
        List<InetAddress> addresses = connector.resolve(host, ctx);
        Socket socket = connector.connect(addresses, port, ctx);
        try {
            if (https) {
                String bare = host.startsWith("[") ? null : host;
                String sni = bare != null && IdentifierSyntax.parseIpLiteral(bare).isEmpty() ? bare : null;
                socket = connector.handshake(socket, sni, new String[0], ctx);
            }
            String target = url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
            return HttpExchange.get(socket, hostHeader, target, url.toString(), ctx);
        } finally {
            try {
                socket.close();
            } catch (IOException ignored) {
                // The exchange is over either way.
            }
        }
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    /** Resolves and vets a Location header against the rules in the class comment. */
    private URI redirectTarget(URI from, String location) throws ValidationFailure {
        if (location == null || location.isEmpty()) {
            throw new ValidationFailure("connection", "redirect from " + from + " has no Location");
        }
        if (location.length() > MAX_URL_LENGTH) {
            throw new ValidationFailure("connection", "redirect from " + from + " is longer than "
                    + MAX_URL_LENGTH + " characters");
        }
        URI to;
        try {
            to = from.resolve(new URI(location)).normalize();
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new ValidationFailure("connection", "redirect from " + from + " to an invalid URL "
                    + ValidationFailure.quoted(location, 128));
        }
        String scheme = to.getScheme() == null ? "" : to.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new ValidationFailure("connection", "redirect to " + ValidationFailure.quoted(location, 128)
                    + ": only http and https are followed");
        }
        if (to.getHost() == null || to.getRawUserInfo() != null) {
            throw new ValidationFailure("connection", "redirect to " + ValidationFailure.quoted(location, 128)
                    + ": a host and no user information required");
        }
        String host = to.getHost().toLowerCase(Locale.ROOT);
        String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        if (IdentifierSyntax.parseIpLiteral(bare).isEmpty() && IdentifierSyntax.dnsProblem(bare, false).isPresent()) {
            throw new ValidationFailure("connection", "redirect to " + ValidationFailure.quoted(location, 128)
                    + ": invalid host");
        }
        int port = to.getPort() >= 0 ? to.getPort() : (scheme.equals("https") ? 443 : 80);
        if (port != httpPort && port != tlsPort && port != 80 && port != 443) {
            throw new ValidationFailure("connection", "redirect to " + ValidationFailure.quoted(location, 128)
                    + ": port " + port + " is not allowed (only " + httpPort + ", " + tlsPort + ", 80 and 443)");
        }
        try {
            // Rebuilt without the fragment, with the host lower-cased, so the loop check compares like with like.
            return new URI(scheme, null, bare, to.getPort(), to.getPath(), to.getQuery(), null);
        } catch (URISyntaxException e) {
            throw new ValidationFailure("connection", "redirect to an invalid URL "
                    + ValidationFailure.quoted(location, 128));
        }
    }

    /** The Host header for a redirect hop: host, plus the port when it is not the scheme's default. */
    private static String authority(URI url) {
        int port = url.getPort();
        boolean defaultPort = port < 0 || (url.getScheme().equals("http") ? port == 80 : port == 443);
        return url.getHost() + (defaultPort ? "" : ":" + port);
    }

    /** RFC 8555 §8.3: the server SHOULD ignore whitespace characters at the end of the body. */
    static byte[] trimTrailingWhitespace(byte[] body) {
        int end = body.length;
        while (end > 0 && (body[end - 1] == ' ' || body[end - 1] == '\t' || body[end - 1] == '\r'
                || body[end - 1] == '\n')) {
            end--;
        }
        return Arrays.copyOf(body, end);
    }
}
