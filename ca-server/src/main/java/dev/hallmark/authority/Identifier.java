package dev.hallmark.authority;

import java.util.Locale;
import java.util.Objects;

/**
 * A name a certificate vouches for. DNS names are stored lower-case without a trailing dot; IP addresses in
 * their canonical textual form (RFC 5952 for IPv6, see {@code IdentifierSyntax.canonicalIp}).
 *
 * @param type  the kind of name
 * @param value its normalised text
 */
public record Identifier(Type type, String value) {

    /** Identifier kinds, matching the subjectAltName choices a profile may allow. */
    public enum Type {
        DNS("dns"), IP("ip"), EMAIL("email"), URI("uri");

        private final String label;

        Type(String label) {
            this.label = label;
        }

        /** The lower-case label used in configuration and storage ({@code dns}, {@code ip}, ...). */
        public String label() {
            return label;
        }

        /** Parses a configuration label. */
        public static Type parse(String label) {
            for (Type t : values()) {
                if (t.label.equalsIgnoreCase(label.trim())) {
                    return t;
                }
            }
            throw new IllegalArgumentException("unknown identifier type '" + label + "'; expected dns, ip, email or uri");
        }
    }

    public Identifier {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
        if (type == Type.DNS) {
            value = value.toLowerCase(Locale.ROOT);
            if (value.endsWith(".")) {
                value = value.substring(0, value.length() - 1);
            }
        }
    }

    public static Identifier dns(String name) {
        return new Identifier(Type.DNS, name);
    }

    public static Identifier ip(String address) {
        return new Identifier(Type.IP, address);
    }

    @Override
    public String toString() {
        return type.label() + ":" + value;
    }
}
