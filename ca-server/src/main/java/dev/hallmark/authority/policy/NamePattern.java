package dev.hallmark.authority.policy;

import dev.hallmark.authority.Identifier;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;

/**
 * One compiled allow or deny pattern. {@link #covers} answers "is every name the identifier stands for matched"
 * (used for allow lists) and {@link #touches} "is any of them matched" (used for deny lists, so that deny
 * wins over a wildcard that would reach a denied name). For non-wildcard identifiers both are plain matching.
 */
sealed interface NamePattern permits NamePattern.Dns, NamePattern.Cidr, NamePattern.Email, NamePattern.UriHost {

    boolean covers(String value);

    boolean touches(String value);

    /**
     * Parses a configured pattern for identifiers of {@code type}.
     *
     * @throws IllegalArgumentException describing what is wrong with the pattern
     */
    static NamePattern parse(Identifier.Type type, String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("pattern is empty");
        }
        String t = text.trim();
        return switch (type) {
            case DNS -> Dns.parse(t);
            case IP -> Cidr.parse(t);
            case EMAIL -> Email.parse(t);
            case URI -> UriHost.parse(t);
        };
    }

    /** {@code example.com} exact, {@code *.example.com} strictly below, {@code .example.com} the domain and below. */
    record Dns(Scope scope, String domain) implements NamePattern {
        enum Scope { EXACT, BELOW, DOMAIN_AND_BELOW }

        static Dns parse(String text) {
            String t = text.toLowerCase(Locale.ROOT);
            Scope scope = Scope.EXACT;
            if (t.startsWith("*.")) {
                scope = Scope.BELOW;
                t = t.substring(2);
            } else if (t.startsWith(".")) {
                scope = Scope.DOMAIN_AND_BELOW;
                t = t.substring(1);
            }
            Optional<String> problem = IdentifierSyntax.dnsProblem(t, false);
            if (problem.isPresent()) {
                throw new IllegalArgumentException("'" + text + "': " + problem.get());
            }
            return new Dns(scope, t);
        }

        boolean matchesName(String name) {
            return switch (scope) {
                case EXACT -> name.equals(domain);
                case BELOW -> isBelow(name, domain);
                case DOMAIN_AND_BELOW -> name.equals(domain) || isBelow(name, domain);
            };
        }

        @Override
        public boolean covers(String value) {
            if (!IdentifierSyntax.isWildcard(value)) {
                return matchesName(value);
            }
            // "*.B" stands for every name one label below B.
            String base = value.substring(2);
            return scope != Scope.EXACT && (base.equals(domain) || isBelow(base, domain));
        }

        @Override
        public boolean touches(String value) {
            if (!IdentifierSyntax.isWildcard(value)) {
                return matchesName(value);
            }
            String base = value.substring(2);
            boolean parentIsBase = parent(domain).map(base::equals).orElse(false);
            return switch (scope) {
                case EXACT -> parentIsBase;
                case BELOW -> base.equals(domain) || isBelow(base, domain);
                case DOMAIN_AND_BELOW -> base.equals(domain) || isBelow(base, domain) || parentIsBase;
            };
        }

        private static boolean isBelow(String name, String domain) {
            return name.length() > domain.length() + 1 && name.endsWith("." + domain);
        }

        private static Optional<String> parent(String name) {
            int dot = name.indexOf('.');
            return dot < 0 ? Optional.empty() : Optional.of(name.substring(dot + 1));
        }
    }

    /** An IPv4 or IPv6 network in CIDR notation; a bare address means a single host. */
    record Cidr(BigInteger network, int addressBits, int prefix) implements NamePattern {

        static Cidr parse(String text) {
            int slash = text.indexOf('/');
            String addr = slash < 0 ? text : text.substring(0, slash);
            InetAddress a = IdentifierSyntax.parseIpLiteral(addr)
                    .orElseThrow(() -> new IllegalArgumentException("'" + text + "': not an IP address or CIDR"));
            int bits = a.getAddress().length * 8;
            int prefix = bits;
            if (slash >= 0) {
                try {
                    prefix = Integer.parseInt(text.substring(slash + 1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + text + "': prefix length is not a number", e);
                }
                if (prefix < 0 || prefix > bits) {
                    throw new IllegalArgumentException("'" + text + "': prefix length must be 0.." + bits);
                }
            }
            BigInteger value = new BigInteger(1, a.getAddress());
            if (!value.shiftRight(bits - prefix).shiftLeft(bits - prefix).equals(value)) {
                throw new IllegalArgumentException("'" + text + "': host bits are set below the prefix");
            }
            return new Cidr(value, bits, prefix);
        }

        @Override
        public boolean covers(String value) {
            Optional<InetAddress> a = IdentifierSyntax.parseIpLiteral(value);
            if (a.isEmpty() || a.get().getAddress().length * 8 != addressBits) {
                return false;
            }
            BigInteger v = new BigInteger(1, a.get().getAddress());
            int shift = addressBits - prefix;
            return v.shiftRight(shift).equals(network.shiftRight(shift));
        }

        @Override
        public boolean touches(String value) {
            return covers(value);
        }
    }

    /** {@code user@example.com} exact (domain case-insensitive), or a DNS pattern applied to the domain. */
    record Email(String exactAddress, Dns domain) implements NamePattern {

        static Email parse(String text) {
            if (text.indexOf('@') >= 0) {
                Optional<String> problem = IdentifierSyntax.emailProblem(text);
                if (problem.isPresent()) {
                    throw new IllegalArgumentException("'" + text + "': " + problem.get());
                }
                return new Email(normalise(text), null);
            }
            return new Email(null, Dns.parse(text));
        }

        private static String normalise(String address) {
            int at = address.lastIndexOf('@');
            return address.substring(0, at + 1) + address.substring(at + 1).toLowerCase(Locale.ROOT);
        }

        @Override
        public boolean covers(String value) {
            int at = value.lastIndexOf('@');
            if (at < 0) {
                return false;
            }
            if (exactAddress != null) {
                return exactAddress.equals(normalise(value));
            }
            return domain.matchesName(value.substring(at + 1).toLowerCase(Locale.ROOT));
        }

        @Override
        public boolean touches(String value) {
            return covers(value);
        }
    }

    /** {@code scheme://host-pattern}, where the host pattern is a DNS pattern or {@code *} for any host. */
    record UriHost(String scheme, Dns host) implements NamePattern {

        static UriHost parse(String text) {
            int sep = text.indexOf("://");
            if (sep <= 0) {
                throw new IllegalArgumentException("'" + text + "': expected scheme://host-pattern");
            }
            String scheme = text.substring(0, sep).toLowerCase(Locale.ROOT);
            if (!scheme.matches("[a-z][a-z0-9+.-]*")) {
                throw new IllegalArgumentException("'" + text + "': invalid scheme");
            }
            String host = text.substring(sep + 3);
            return new UriHost(scheme, host.equals("*") ? null : Dns.parse(host));
        }

        @Override
        public boolean covers(String value) {
            try {
                URI uri = new URI(value);
                if (uri.getScheme() == null || !uri.getScheme().equalsIgnoreCase(scheme)) {
                    return false;
                }
            } catch (URISyntaxException e) {
                return false;
            }
            Optional<String> h = IdentifierSyntax.uriHost(value);
            return h.isPresent() && (host == null || host.matchesName(h.get()));
        }

        @Override
        public boolean touches(String value) {
            return covers(value);
        }
    }
}
