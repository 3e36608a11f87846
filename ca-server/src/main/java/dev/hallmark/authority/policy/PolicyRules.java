package dev.hallmark.authority.policy;

import dev.hallmark.authority.Identifier;
import dev.hallmark.config.ConfigNode;
import java.time.Duration;
import java.util.List;

/**
 * The CA-wide issuance policy, applied to every request whatever the protocol (RELIABILITY I7). Loaded from
 * configuration; a null object field takes its default, and every value is validated here so that a bad
 * configuration fails at start-up with a message naming the field.
 *
 * @param dns            DNS name allow/deny patterns
 * @param ip             IP CIDR allow/deny lists
 * @param email          email domain/address allow/deny lists
 * @param uri            URI scheme+host allow/deny lists
 * @param keys           subject key rules
 * @param maxValidity    longest certificate lifetime (default 398 days, BR 6.3.2); positive, at most 20 years
 * @param maxSans        most identifiers per certificate (default 100), 1..1000; the profile's limit also applies
 * @param allowWildcards whether {@code *.example.com} DNS identifiers may be issued (default true)
 */
public record PolicyRules(
        NameRules dns,
        NameRules ip,
        NameRules email,
        NameRules uri,
        KeyRules keys,
        Duration maxValidity,
        int maxSans,
        boolean allowWildcards) {

    /** Default {@link #maxValidity()}: 398 days (BR 6.3.2). */
    public static final Duration DEFAULT_MAX_VALIDITY = Duration.ofDays(398);
    /** Default {@link #maxSans()}. */
    public static final int DEFAULT_MAX_SANS = 100;
    /** Upper bound on {@link #maxSans()}. */
    public static final int MAX_SANS_CEILING = 1000;
    /** Upper bound on {@link #maxValidity()}. */
    public static final Duration MAX_VALIDITY_CEILING = Duration.ofDays(20 * 366);

    /**
     * @throws IllegalArgumentException naming the bad field, e.g. {@code dns.deny[2]: ...}
     */
    public PolicyRules {
        dns = dns == null ? NameRules.unrestricted() : dns;
        ip = ip == null ? NameRules.unrestricted() : ip;
        email = email == null ? NameRules.unrestricted() : email;
        uri = uri == null ? NameRules.unrestricted() : uri;
        keys = keys == null ? KeyRules.defaults() : keys;
        maxValidity = maxValidity == null ? DEFAULT_MAX_VALIDITY : maxValidity;
        validatePatterns(Identifier.Type.DNS, dns);
        validatePatterns(Identifier.Type.IP, ip);
        validatePatterns(Identifier.Type.EMAIL, email);
        validatePatterns(Identifier.Type.URI, uri);
        if (maxValidity.isZero() || maxValidity.isNegative() || maxValidity.compareTo(MAX_VALIDITY_CEILING) > 0) {
            throw new IllegalArgumentException("maxValidity must be positive and at most " + MAX_VALIDITY_CEILING.toDays()
                    + " days, was " + maxValidity);
        }
        if (maxSans < 1 || maxSans > MAX_SANS_CEILING) {
            throw new IllegalArgumentException("maxSans must be between 1 and " + MAX_SANS_CEILING + ", was " + maxSans);
        }
    }

    /** Safe defaults: no name restrictions beyond syntax, {@link KeyRules#defaults()}, 398 days, 100 SANs, wildcards on. */
    public static PolicyRules defaults() {
        return new PolicyRules(null, null, null, null, null, DEFAULT_MAX_VALIDITY, DEFAULT_MAX_SANS, true);
    }

    /**
     * Reads the {@code policy:} section of {@code hallmark.yaml}; a missing node gives {@link #defaults()}.
     * <pre>
     * policy:
     *   dns:   {allow: [.example.com], deny: [secret.example.com]}
     *   ip:    {allow: [10.0.0.0/8, 2001:db8::/32]}
     *   email: {allow: [example.com]}
     *   uri:   {allow: ["spiffe://*.example.com"]}
     *   keys:  {allowed: [ec-p256, ec-p384, rsa-2048], rsaMinBits: 2048, rsaMaxBits: 8192, rejectWeak: true}
     *   maxValidity: 398d
     *   maxSans: 100
     *   allowWildcards: true
     * </pre>
     *
     * @throws dev.hallmark.config.ConfigException naming the file and key path of the first bad or unknown key
     */
    public static PolicyRules fromConfig(ConfigNode node) {
        if (node.isMissing()) {
            return defaults();
        }
        node.rejectUnknown("dns", "ip", "email", "uri", "keys", "maxValidity", "maxSans", "allowWildcards");
        NameRules dns = NameRules.fromConfig(node.get("dns"));
        NameRules ip = NameRules.fromConfig(node.get("ip"));
        NameRules email = NameRules.fromConfig(node.get("email"));
        NameRules uri = NameRules.fromConfig(node.get("uri"));
        KeyRules keys = KeyRules.fromConfig(node.get("keys"));
        Duration maxValidity = node.duration("maxValidity", DEFAULT_MAX_VALIDITY);
        int maxSans = node.integer("maxSans", DEFAULT_MAX_SANS, 1, MAX_SANS_CEILING);
        boolean wildcards = node.bool("allowWildcards", true);
        try {
            return new PolicyRules(dns, ip, email, uri, keys, maxValidity, maxSans, wildcards);
        } catch (IllegalArgumentException e) {
            throw node.error(e.getMessage());
        }
    }

    /** The rules for one identifier type. */
    public NameRules rulesFor(Identifier.Type type) {
        return switch (type) {
            case DNS -> dns;
            case IP -> ip;
            case EMAIL -> email;
            case URI -> uri;
        };
    }

    private static void validatePatterns(Identifier.Type type, NameRules rules) {
        check(type, "allow", rules.allow());
        check(type, "deny", rules.deny());
    }

    private static void check(Identifier.Type type, String list, List<String> patterns) {
        for (int i = 0; i < patterns.size(); i++) {
            try {
                NamePattern.parse(type, patterns.get(i));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(type.label() + "." + list + "[" + i + "]: " + e.getMessage(), e);
            }
        }
    }
}
