package dev.hallmark.protocol.acme.validation;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * How the validation authority reaches out. Immutable; validated on construction with a message that names the
 * bad field.
 *
 * @param http01Port    the port http-01 connects to (RFC 8555 §8.3 says 80; tests use their own), 1..65535
 * @param tlsAlpn01Port the port tls-alpn-01 connects to (RFC 8737 §3 says 443), 1..65535; an http-01 redirect
 *                      may also go to this port, to {@code http01Port}, or to 80 and 443
 * @param dnsResolver   the recursive resolver for every lookup, or null for the system resolver (the first
 *                      server of {@code /etc/resolv.conf}, as dnsjava's {@code ResolverConfig} finds it)
 * @param timeout       the hard overall deadline of one attempt (DNS, connect, TLS, read, redirects), positive
 *                      and at most 5 minutes
 * @param denyNetworks  networks never contacted (SSRF guard), not null; see {@link Network#SPECIAL_PURPOSE}
 * @param caaEnabled    whether {@link Validator#checkCaa} consults CAA (RFC 8659) or always allows
 * @param caaIdentities issuer domain names this CA answers to in CAA {@code issue}/{@code issuewild}
 *                      properties (lower-cased, trailing dot removed); must be non-empty when CAA is enabled
 * @param threads       size of the validator's fixed thread pool, 1..256
 */
public record ValidationSettings(int http01Port, int tlsAlpn01Port, InetSocketAddress dnsResolver, Duration timeout,
                                 List<Network> denyNetworks, boolean caaEnabled, Set<String> caaIdentities,
                                 int threads) {

    /** RFC 8555 §8.3 / BR 3.2.2.4.19 leave the deadline to the CA; Boulder uses about 10 seconds too. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /** Default pool size: validations are I/O bound, and the pool bounds outbound sockets (T21). */
    public static final int DEFAULT_THREADS = 8;

    public ValidationSettings {
        requirePort("http01Port", http01Port);
        requirePort("tlsAlpn01Port", tlsAlpn01Port);
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException("timeout must be positive and at most 5 minutes, got " + timeout);
        }
        denyNetworks = List.copyOf(Objects.requireNonNull(denyNetworks, "denyNetworks"));
        Objects.requireNonNull(caaIdentities, "caaIdentities");
        Set<String> normalised = new LinkedHashSet<>();
        for (String identity : caaIdentities) {
            String id = Objects.requireNonNull(identity, "caaIdentities entry").trim().toLowerCase(Locale.ROOT);
            if (id.endsWith(".")) {
                id = id.substring(0, id.length() - 1);
            }
            if (id.isEmpty()) {
                throw new IllegalArgumentException("caaIdentities must not contain an empty name");
            }
            normalised.add(id);
        }
        caaIdentities = Set.copyOf(normalised);
        if (caaEnabled && caaIdentities.isEmpty()) {
            throw new IllegalArgumentException(
                    "caaIdentities must name at least one issuer domain when caaEnabled is true");
        }
        if (threads < 1 || threads > 256) {
            throw new IllegalArgumentException("threads must be 1..256, got " + threads);
        }
    }

    /**
     * Production defaults: ports 80 and 443, the system resolver, {@link #DEFAULT_TIMEOUT}, the
     * {@link Network#SPECIAL_PURPOSE} deny list, CAA off (a private CA has no CAA identity until configured),
     * {@link #DEFAULT_THREADS} threads.
     */
    public static ValidationSettings defaults() {
        return new ValidationSettings(80, 443, null, DEFAULT_TIMEOUT, Network.SPECIAL_PURPOSE, false, Set.of(),
                DEFAULT_THREADS);
    }

    /** A copy with other challenge ports. */
    public ValidationSettings withPorts(int http01, int tlsAlpn01) {
        return new ValidationSettings(http01, tlsAlpn01, dnsResolver, timeout, denyNetworks, caaEnabled,
                caaIdentities, threads);
    }

    /** A copy using {@code resolver} (null: the system resolver). */
    public ValidationSettings withDnsResolver(InetSocketAddress resolver) {
        return new ValidationSettings(http01Port, tlsAlpn01Port, resolver, timeout, denyNetworks, caaEnabled,
                caaIdentities, threads);
    }

    /** A copy with another per-attempt deadline. */
    public ValidationSettings withTimeout(Duration deadline) {
        return new ValidationSettings(http01Port, tlsAlpn01Port, dnsResolver, deadline, denyNetworks, caaEnabled,
                caaIdentities, threads);
    }

    /** A copy with another deny list. */
    public ValidationSettings withDenyNetworks(List<Network> networks) {
        return new ValidationSettings(http01Port, tlsAlpn01Port, dnsResolver, timeout, networks, caaEnabled,
                caaIdentities, threads);
    }

    /** A copy with CAA checking on and these issuer domain names. */
    public ValidationSettings withCaa(Set<String> identities) {
        return new ValidationSettings(http01Port, tlsAlpn01Port, dnsResolver, timeout, denyNetworks, true,
                identities, threads);
    }

    /** A copy with another pool size. */
    public ValidationSettings withThreads(int poolSize) {
        return new ValidationSettings(http01Port, tlsAlpn01Port, dnsResolver, timeout, denyNetworks, caaEnabled,
                caaIdentities, poolSize);
    }

    private static void requirePort(String name, int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(name + " must be 1..65535, got " + port);
        }
    }
}
