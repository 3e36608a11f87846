package dev.hallmark.protocol.acme.validation;

import dev.hallmark.authority.policy.IdentifierSyntax;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An IPv4 or IPv6 network in CIDR form, as used by the validation deny list (RELIABILITY.md §C: validation must
 * not reach forbidden networks). Host bits below the prefix are cleared, so {@code 10.1.2.3/8} is {@code 10.0.0.0/8}.
 *
 * <p>IPv4-mapped IPv6 addresses ({@code ::ffff:a.b.c.d}) are IPv4 addresses to Java and therefore to this class:
 * an IPv4 network matches them and an IPv6 network never does. Immutable and thread-safe.
 *
 * @param address the network address (host bits cleared), not null
 * @param prefix  the prefix length: 0..32 for IPv4, 0..128 for IPv6
 */
public record Network(InetAddress address, int prefix) {

    /**
     * Special-purpose ranges that are not globally reachable (IANA IPv4 and IPv6 special-purpose address
     * registries, RFC 6890 and successors): the default deny list, so a public VA never validates against its
     * own network, loopback, link-local (cloud metadata at 169.254.169.254) or documentation ranges.
     */
    public static final List<Network> SPECIAL_PURPOSE = List.of(
            parse("0.0.0.0/8"), parse("10.0.0.0/8"), parse("100.64.0.0/10"), parse("127.0.0.0/8"),
            parse("169.254.0.0/16"), parse("172.16.0.0/12"), parse("192.0.0.0/24"), parse("192.0.2.0/24"),
            parse("192.88.99.0/24"), parse("192.168.0.0/16"), parse("198.18.0.0/15"), parse("198.51.100.0/24"),
            parse("203.0.113.0/24"), parse("224.0.0.0/4"), parse("240.0.0.0/4"),
            parse("::/128"), parse("::1/128"), parse("64:ff9b:1::/48"), parse("100::/64"), parse("2001::/23"),
            parse("2001:db8::/32"), parse("2002::/16"), parse("fc00::/7"), parse("fe80::/10"), parse("ff00::/8"));

    public Network {
        Objects.requireNonNull(address, "address");
        int bits = address.getAddress().length * 8;
        if (prefix < 0 || prefix > bits) {
            throw new IllegalArgumentException("prefix must be 0.." + bits + " for " + address.getHostAddress()
                    + ", got " + prefix);
        }
        address = masked(address, prefix);
    }

    /**
     * Parses {@code address/prefix}; without {@code /prefix} the network is the single address. Never performs
     * a DNS lookup: only IP literals are accepted.
     *
     * @param cidr for example {@code 169.254.0.0/16} or {@code fe80::/10}, not null
     * @return the network
     * @throws IllegalArgumentException when {@code cidr} is not an IP literal with an optional valid prefix
     */
    public static Network parse(String cidr) {
        Objects.requireNonNull(cidr, "cidr");
        String text = cidr.trim();
        int slash = text.indexOf('/');
        String host = slash < 0 ? text : text.substring(0, slash);
        InetAddress address = IdentifierSyntax.parseIpLiteral(host).orElseThrow(
                () -> new IllegalArgumentException("not a CIDR network (IP literal expected): '" + cidr + "'"));
        int bits = address.getAddress().length * 8;
        if (slash < 0) {
            return new Network(address, bits);
        }
        String digits = text.substring(slash + 1);
        if (digits.isEmpty() || digits.length() > 3 || !digits.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("not a CIDR network (bad prefix length): '" + cidr + "'");
        }
        return new Network(address, Integer.parseInt(digits));
    }

    /**
     * Whether {@code a} lies in this network. Addresses of the other family never match.
     *
     * @param a an address, not null
     * @return true when the first {@link #prefix} bits equal this network's
     */
    public boolean contains(InetAddress a) {
        byte[] candidate = a.getAddress();
        byte[] network = address.getAddress();
        if (candidate.length != network.length) {
            return false;
        }
        return Arrays.equals(masked(candidate, prefix), network);
    }

    @Override
    public String toString() {
        return IdentifierSyntax.canonicalIp(address) + "/" + prefix;
    }

    private static InetAddress masked(InetAddress a, int prefix) {
        try {
            return InetAddress.getByAddress(masked(a.getAddress(), prefix));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e.getMessage(), e); // unreachable: the length is 4 or 16
        }
    }

    private static byte[] masked(byte[] raw, int prefix) {
        byte[] out = raw.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] = (byte) (out[i] & (0xff << (8 - keep)));
        }
        return out;
    }
}
