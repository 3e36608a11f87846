package dev.hallmark.authority.policy;

import dev.hallmark.config.ConfigNode;
import java.util.List;

/**
 * Allow and deny lists for one identifier type. Deny wins over allow; an empty allow list allows every name
 * that is not denied. Pattern syntax depends on the type and is checked by {@link PolicyRules}:
 * <ul>
 *   <li>DNS: {@code example.com} (exactly that name), {@code *.example.com} (any name strictly below),
 *       {@code .example.com} (the domain and any name below). A requested wildcard is allowed only when a
 *       pattern covers every name it could match, and denied when a deny pattern could match any of them.</li>
 *   <li>IP: CIDR ({@code 10.0.0.0/8}, {@code 2001:db8::/32}) or a single address.</li>
 *   <li>Email: an exact address ({@code ops@example.com}) or a DNS pattern for the domain.</li>
 *   <li>URI: {@code scheme://host-pattern} ({@code spiffe://*.example.com}, {@code https://*}).</li>
 * </ul>
 *
 * @param allow patterns of which at least one must match (when non-empty); null means empty
 * @param deny  patterns none of which may match; null means empty
 */
public record NameRules(List<String> allow, List<String> deny) {

    public NameRules {
        allow = allow == null ? List.of() : List.copyOf(allow);
        deny = deny == null ? List.of() : List.copyOf(deny);
    }

    /**
     * Reads {@code {allow: [...], deny: [...]}}; a missing node is {@link #unrestricted()}. Patterns are validated
     * by {@link PolicyRules}.
     *
     * @throws dev.hallmark.config.ConfigException naming an unknown key
     */
    public static NameRules fromConfig(ConfigNode node) {
        if (node.isMissing()) {
            return unrestricted();
        }
        node.rejectUnknown("allow", "deny");
        return new NameRules(node.strings("allow", List.of()), node.strings("deny", List.of()));
    }

    /** No restriction: everything allowed, nothing denied. */
    public static NameRules unrestricted() {
        return new NameRules(List.of(), List.of());
    }
}
