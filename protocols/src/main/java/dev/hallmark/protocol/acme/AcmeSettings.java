package dev.hallmark.protocol.acme;

import dev.hallmark.config.ConfigNode;
import dev.hallmark.config.HallmarkConfig;
import dev.hallmark.protocol.acme.validation.Network;
import dev.hallmark.protocol.acme.validation.ValidationSettings;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The ACME server's settings ({@code acme:} in hallmark.yaml), validated at start. Keys and defaults:
 * docs/CONFIGURATION.md and docs/ACME.md.
 *
 * @param enabled                 serve {@code /acme/} at all
 * @param baseUrl                 the public HTTPS base URL clients use ({@code https://ca.example:8443}), or null to
 *                                take scheme, host and port from each request's {@code Host}
 * @param ca                      the issuing CA
 * @param profiles                the Hallmark profiles clients may ask for (RFC: the ACME profiles extension)
 * @param defaultProfile          the profile of an order that names none
 * @param termsOfService          {@code meta.termsOfService}, or null
 * @param website                 {@code meta.website}, or null
 * @param externalAccountRequired every new account needs an EAB key from {@code hallmark acme eab create}
 * @param nonceLifetime           how long a nonce stays redeemable
 * @param orderLifetime           how long a pending order and its new authorizations live
 * @param authzReuse              how long a valid authorization may be reused by later orders
 * @param validation              the validator's ports, resolver and limits
 * @param limits                  rate limits
 */
public record AcmeSettings(boolean enabled, URI baseUrl, String ca, List<String> profiles, String defaultProfile,
                           String termsOfService, String website, boolean externalAccountRequired,
                           Duration nonceLifetime, Duration orderLifetime, Duration authzReuse,
                           ValidationSettings validation, RateLimits limits) {

    /**
     * Rate limits; each is a count per {@code window} (fixed windows stored in the database, shared by nodes).
     *
     * @param window                  the window length
     * @param newOrdersPerAccount     new orders one account may place
     * @param newOrdersPerDomain      new orders naming one registered domain (the last two labels)
     * @param newAccountsPerIp        accounts created from one client address
     * @param failedValidationsPerAccount failed challenge validations of one account
     */
    public record RateLimits(Duration window, long newOrdersPerAccount, long newOrdersPerDomain, long newAccountsPerIp,
                             long failedValidationsPerAccount) {
    }

    /** Reads {@code acme:} from the configuration. */
    public static AcmeSettings from(HallmarkConfig config) {
        ConfigNode a = config.root().get("acme").rejectUnknown("enabled", "baseUrl", "ca", "profiles", "defaultProfile",
                "termsOfService", "website", "externalAccountRequired", "nonceLifetime", "orderLifetime", "authzReuse",
                "validation", "rateLimits", "caaIdentities");
        boolean enabled = a.bool("enabled", true);
        String base = a.string("baseUrl", null);
        URI baseUrl = null;
        if (base != null) {
            try {
                baseUrl = URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
            } catch (IllegalArgumentException e) {
                throw a.get("baseUrl").error("'" + base + "' is not a URL");
            }
            if (!"https".equals(baseUrl.getScheme()) || baseUrl.getHost() == null || baseUrl.getQuery() != null
                    || (baseUrl.getPath() != null && !baseUrl.getPath().isEmpty())) {
                throw a.get("baseUrl").error("'" + base + "' must be an https URL with host and optional port only "
                        + "(RFC 8555 §6.1: ACME runs over HTTPS)");
            }
        }
        String ca = a.string("ca", config.issuingCa());
        List<String> profiles = a.strings("profiles", List.of("tls-server"));
        if (profiles.isEmpty()) {
            throw a.get("profiles").error("name at least one profile ACME clients may use");
        }
        for (String p : profiles) {
            var profile = config.profiles().profiles().get(p);
            if (profile == null) {
                throw a.get("profiles").error("no profile '" + p + "'; profiles: " + config.profiles().profiles().keySet());
            }
            if (!profile.allowsChannel("acme")) {
                throw a.get("profiles").error("profile '" + p + "' does not allow the acme channel");
            }
        }
        String defaultProfile = a.string("defaultProfile", profiles.get(0));
        if (!profiles.contains(defaultProfile)) {
            throw a.get("defaultProfile").error("'" + defaultProfile + "' is not one of acme.profiles " + profiles);
        }
        Duration nonceLifetime = a.duration("nonceLifetime", Duration.ofHours(1), Duration.ofMinutes(1), Duration.ofDays(1));
        Duration orderLifetime = a.duration("orderLifetime", Duration.ofDays(1), Duration.ofMinutes(5), Duration.ofDays(30));
        Duration authzReuse = a.duration("authzReuse", Duration.ofDays(30), Duration.ZERO, Duration.ofDays(398));

        ConfigNode v = a.get("validation").rejectUnknown("http01Port", "tlsAlpn01Port", "dnsResolver", "timeout",
                "denyNetworks", "caa", "threads");
        int http01 = v.integer("http01Port", 80, 1, 65535);
        int alpn = v.integer("tlsAlpn01Port", 443, 1, 65535);
        String resolverText = v.string("dnsResolver", null);
        InetSocketAddress resolver = resolverText == null || resolverText.isBlank() ? null : resolver(v, resolverText);
        Duration timeout = v.duration("timeout", Duration.ofSeconds(10), Duration.ofMillis(200), Duration.ofSeconds(60));
        List<Network> deny = v.list("denyNetworks", List.of(Network.parse("0.0.0.0/8"), Network.parse("169.254.0.0/16"),
                Network.parse("224.0.0.0/4"), Network.parse("240.0.0.0/4"), Network.parse("fe80::/10"),
                Network.parse("ff00::/8")), Network::parse);
        boolean caa = v.bool("caa", false);
        int threads = v.integer("threads", 8, 1, 256);
        Set<String> caaIdentities = new LinkedHashSet<>(a.strings("caaIdentities", List.of()));
        if (caa && caaIdentities.isEmpty()) {
            throw a.get("caaIdentities").error("acme.validation.caa is on: name the domains this CA is known by in "
                    + "CAA records (acme.caaIdentities)");
        }
        ValidationSettings validation = new ValidationSettings(http01, alpn, resolver, timeout, deny, caa,
                caaIdentities, threads);

        ConfigNode r = a.get("rateLimits").rejectUnknown("window", "newOrdersPerAccount", "newOrdersPerDomain",
                "newAccountsPerIp", "failedValidationsPerAccount");
        RateLimits limits = new RateLimits(
                r.duration("window", Duration.ofHours(1), Duration.ofSeconds(1), Duration.ofDays(7)),
                r.integer("newOrdersPerAccount", 300, 0, Integer.MAX_VALUE),
                r.integer("newOrdersPerDomain", 300, 0, Integer.MAX_VALUE),
                r.integer("newAccountsPerIp", 50, 0, Integer.MAX_VALUE),
                r.integer("failedValidationsPerAccount", 100, 0, Integer.MAX_VALUE));
        return new AcmeSettings(enabled, baseUrl, ca, List.copyOf(profiles), defaultProfile,
                a.string("termsOfService", null), a.string("website", null), a.bool("externalAccountRequired", false),
                nonceLifetime, orderLifetime, authzReuse, validation, limits);
    }

    private static InetSocketAddress resolver(ConfigNode v, String text) {
        int colon = text.lastIndexOf(':');
        String host = text;
        int port = 53;
        if (colon > 0 && text.indexOf(':') == colon) { // host:port (an IPv6 address needs brackets: [::1]:53)
            host = text.substring(0, colon);
            port = port(v, text.substring(colon + 1));
        } else if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw v.get("dnsResolver").error("'" + text + "' has no closing ']'");
            }
            host = text.substring(1, close);
            if (close + 1 < text.length()) {
                if (text.charAt(close + 1) != ':') {
                    throw v.get("dnsResolver").error("'" + text + "' is not [address]:port");
                }
                port = port(v, text.substring(close + 2));
            }
        }
        return new InetSocketAddress(host, port);
    }

    private static int port(ConfigNode v, String text) {
        try {
            int p = Integer.parseInt(text);
            if (p < 1 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw v.get("dnsResolver").error("port '" + text + "' is not a number from 1 to 65535");
        }
    }
}
