package dev.hallmark.authority.policy;

import dev.hallmark.authority.Identifier;
import java.net.IDN;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Syntax rules for the identifiers a certificate may carry, shared by {@link PolicyEngine} (on requests) and the
 * linter (on to-be-signed certificates). Pure functions; thread-safe; never performs a DNS lookup.
 *
 * <ul>
 *   <li>DNS (RFC 1034 3.5, RFC 5890, BR 7.1.4.2.1): lower-case LDH labels of 1..63 octets, at most 253 octets,
 *       no empty label, no trailing dot, no underscore, no all-numeric top-level label; labels with hyphens in
 *       positions 3-4 must be valid IDNA A-labels ({@code xn--}, round-tripping through {@link IDN}); a wildcard
 *       only as the entire leftmost label, followed by at least two labels.</li>
 *   <li>IP: an IPv4 dotted quad or an IPv6 literal, in the canonical form of
 *       {@link #canonicalIp} (RFC 5952; no zone, no IPv4-mapped form).</li>
 *   <li>Email (RFC 5322 dot-atom, RFC 5280 4.2.1.6): {@code local@domain} with a valid DNS domain.</li>
 *   <li>URI (RFC 3986): absolute, with a scheme and a host that is a valid DNS name or IP literal.</li>
 * </ul>
 */
public final class IdentifierSyntax {

    /** RFC 1034 3.1: at most 253 octets in text form without the trailing dot. */
    public static final int MAX_DNS_NAME_LENGTH = 253;
    /** RFC 1034 3.1: at most 63 octets per label. */
    public static final int MAX_DNS_LABEL_LENGTH = 63;
    /** RFC 5321 4.5.3.1.1 local part limit. */
    public static final int MAX_EMAIL_LOCAL_LENGTH = 64;
    /** RFC 5321 4.5.3.1.3 path limit minus the angle brackets. */
    public static final int MAX_EMAIL_LENGTH = 254;
    /** Upper bound on URI SANs; longer ones are refused rather than parsed. */
    public static final int MAX_URI_LENGTH = 2048;

    private static final Pattern IPV4 = Pattern.compile(
            "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9a-fA-F:.]{2,45}");
    private static final Pattern EMAIL_ATOM = Pattern.compile("[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+");

    private IdentifierSyntax() {
    }

    /**
     * Checks one identifier's syntax for its type. Wildcard DNS names are syntactically valid here; whether
     * they are permitted is policy ({@link PolicyRules#allowWildcards()}).
     *
     * @param identifier the identifier, not null
     * @return empty when valid, else a sentence naming the problem (safe to show to the requester)
     */
    public static Optional<String> problem(Identifier identifier) {
        return switch (identifier.type()) {
            case DNS -> dnsProblem(identifier.value(), true);
            case IP -> ipProblem(identifier.value());
            case EMAIL -> emailProblem(identifier.value());
            case URI -> uriProblem(identifier.value());
        };
    }

    /** True when {@code name} starts with the wildcard label {@code *.}. Says nothing about validity. */
    public static boolean isWildcard(String name) {
        return name.startsWith("*.");
    }

    /**
     * Checks a DNS name (RFC 1034 3.5, RFC 5890 2.3.2.1, BR 7.1.4.2.1).
     *
     * @param name             the name as it would appear in a dNSName SAN
     * @param wildcardAllowed  whether a leftmost {@code *} label is acceptable syntax
     * @return empty when valid, else the problem
     */
    public static Optional<String> dnsProblem(String name, boolean wildcardAllowed) {
        if (name == null || name.isEmpty()) {
            return Optional.of("DNS name is empty");
        }
        if (name.length() > MAX_DNS_NAME_LENGTH) {
            return Optional.of("DNS name is longer than " + MAX_DNS_NAME_LENGTH + " characters");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c >= 0x80) {
                return Optional.of("DNS name contains non-ASCII characters; use the IDNA A-label (xn--) form");
            }
            if (c >= 'A' && c <= 'Z') {
                return Optional.of("DNS name must be lower-case");
            }
        }
        if (name.endsWith(".")) {
            return Optional.of("DNS name must not end with a dot");
        }
        String[] labels = name.split("\\.", -1);
        for (int i = 0; i < labels.length; i++) {
            String label = labels[i];
            if (label.isEmpty()) {
                return Optional.of("DNS name has an empty label");
            }
            if (label.equals("*")) {
                if (!wildcardAllowed) {
                    return Optional.of("wildcard not allowed here");
                }
                if (i != 0) {
                    return Optional.of("wildcard is only allowed as the entire leftmost label");
                }
                if (labels.length < 3) {
                    return Optional.of("wildcard must be followed by at least two labels");
                }
                continue;
            }
            if (label.indexOf('*') >= 0) {
                return Optional.of("wildcard is only allowed as the entire leftmost label");
            }
            Optional<String> labelProblem = labelProblem(label);
            if (labelProblem.isPresent()) {
                return labelProblem;
            }
        }
        if (labels[labels.length - 1].chars().allMatch(c -> c >= '0' && c <= '9')) {
            return Optional.of("top-level label must not be all-numeric (an IP address is not a DNS name)");
        }
        return Optional.empty();
    }

    private static Optional<String> labelProblem(String label) {
        if (label.length() > MAX_DNS_LABEL_LENGTH) {
            return Optional.of("DNS label is longer than " + MAX_DNS_LABEL_LENGTH + " characters");
        }
        for (int j = 0; j < label.length(); j++) {
            char c = label.charAt(j);
            boolean ldh = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
            if (!ldh) {
                return Optional.of("DNS label contains the invalid character '" + printable(c) + "'");
            }
        }
        if (label.startsWith("-") || label.endsWith("-")) {
            return Optional.of("DNS label must not start or end with a hyphen");
        }
        if (label.length() >= 4 && label.charAt(2) == '-' && label.charAt(3) == '-') {
            if (!label.startsWith("xn--")) {
                return Optional.of("DNS label '" + label + "' is a reserved R-LDH label (hyphens in positions 3 and 4)");
            }
            return aLabelProblem(label);
        }
        return Optional.empty();
    }

    /** RFC 5891 5.4: an A-label must decode to Unicode and encode back to itself. */
    private static Optional<String> aLabelProblem(String label) {
        String unicode = IDN.toUnicode(label, IDN.ALLOW_UNASSIGNED);
        if (unicode.equals(label)) {
            return Optional.of("DNS label '" + label + "' is not a valid IDNA A-label");
        }
        try {
            String back = IDN.toASCII(unicode, 0);
            if (!back.equals(label)) {
                return Optional.of("DNS label '" + label + "' is not in canonical IDNA form");
            }
        } catch (IllegalArgumentException e) {
            return Optional.of("DNS label '" + label + "' is not a valid IDNA A-label");
        }
        return Optional.empty();
    }

    /**
     * Parses an IP literal strictly, without any name lookup: an IPv4 dotted quad without leading zeros, or an
     * IPv6 literal without brackets or zone.
     *
     * @return the address, or empty when {@code text} is not such a literal
     */
    public static Optional<InetAddress> parseIpLiteral(String text) {
        if (text == null) {
            return Optional.empty();
        }
        try {
            if (IPV4.matcher(text).matches()) {
                String[] parts = text.split("\\.");
                byte[] b = new byte[4];
                for (int i = 0; i < 4; i++) {
                    b[i] = (byte) Integer.parseInt(parts[i]);
                }
                return Optional.of(InetAddress.getByAddress(b));
            }
            // With a ':' present, InetAddress treats the text as an IPv6 literal and never resolves it.
            if (text.indexOf(':') >= 0 && IPV6_CHARS.matcher(text).matches()) {
                return Optional.of(InetAddress.getByName(text));
            }
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /**
     * The canonical text of an address: IPv4 dotted quad; IPv6 per RFC 5952 section 4 (lower case, no leading
     * zeros, the longest run of two or more zero groups as {@code ::}, the first such run on a tie). BR 7.1.4.3 wants
     * this form wherever an IPv6 address is written as text, e.g. in a CN.
     */
    public static String canonicalIp(InetAddress address) {
        byte[] b = address.getAddress();
        if (b.length == 4) {
            return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + (b[3] & 0xff);
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLength - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[i]));
        }
        return sb.toString();
    }

    /** Checks an IP identifier: a valid literal in canonical form ({@link #canonicalIp}). */
    public static Optional<String> ipProblem(String text) {
        Optional<InetAddress> address = parseIpLiteral(text);
        if (address.isEmpty()) {
            return Optional.of("not a valid IP address literal");
        }
        String canonical = canonicalIp(address.get());
        if (!canonical.equals(text)) {
            return Optional.of("IP address is not in canonical form (expected " + canonical + ")");
        }
        return Optional.empty();
    }

    /** Checks an rfc822Name: dot-atom local part, one {@code @}, a valid DNS domain (no wildcard). */
    public static Optional<String> emailProblem(String address) {
        if (address == null || address.isEmpty()) {
            return Optional.of("email address is empty");
        }
        if (address.length() > MAX_EMAIL_LENGTH) {
            return Optional.of("email address is longer than " + MAX_EMAIL_LENGTH + " characters");
        }
        int at = address.indexOf('@');
        if (at <= 0 || at != address.lastIndexOf('@') || at == address.length() - 1) {
            return Optional.of("email address must have the form local@domain");
        }
        String local = address.substring(0, at);
        if (local.length() > MAX_EMAIL_LOCAL_LENGTH) {
            return Optional.of("email local part is longer than " + MAX_EMAIL_LOCAL_LENGTH + " characters");
        }
        for (String atom : local.split("\\.", -1)) {
            if (!EMAIL_ATOM.matcher(atom).matches()) {
                return Optional.of("email local part is not a valid dot-atom");
            }
        }
        return dnsProblem(address.substring(at + 1).toLowerCase(Locale.ROOT), false)
                .map(p -> "email domain: " + p);
    }

    /** Checks a uniformResourceIdentifier: absolute, hierarchical, with a valid host (RFC 5280 4.2.1.6). */
    public static Optional<String> uriProblem(String text) {
        if (text == null || text.isEmpty()) {
            return Optional.of("URI is empty");
        }
        if (text.length() > MAX_URI_LENGTH) {
            return Optional.of("URI is longer than " + MAX_URI_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            return Optional.of("not a valid URI");
        }
        if (!uri.isAbsolute() || uri.isOpaque()) {
            return Optional.of("URI must be absolute with a scheme and an authority");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            return Optional.of("URI has no host");
        }
        return hostProblem(host).map(p -> "URI host: " + p);
    }

    /**
     * The host of a URI, lower-cased, with IPv6 brackets removed; empty when the URI cannot be parsed or has
     * no host.
     */
    public static Optional<String> uriHost(String text) {
        try {
            String host = new URI(text).getHost();
            if (host == null || host.isEmpty()) {
                return Optional.empty();
            }
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            return Optional.of(host.toLowerCase(Locale.ROOT));
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> hostProblem(String host) {
        if (host.startsWith("[") && host.endsWith("]")) {
            Optional<InetAddress> a = parseIpLiteral(host.substring(1, host.length() - 1));
            return a.isPresent() && a.get() instanceof Inet6Address
                    ? Optional.empty() : Optional.of("not a valid IPv6 literal");
        }
        if (IPV4.matcher(host).matches()) {
            return Optional.empty();
        }
        return dnsProblem(host.toLowerCase(Locale.ROOT), false);
    }

    private static String printable(char c) {
        return c < 0x20 || c == 0x7f ? String.format(Locale.ROOT, "\\u%04x", (int) c) : String.valueOf(c);
    }
}
