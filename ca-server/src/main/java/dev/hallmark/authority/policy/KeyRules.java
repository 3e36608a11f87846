package dev.hallmark.authority.policy;

import dev.hallmark.config.ConfigNode;
import dev.hallmark.hsm.KeyType;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Subject key rules, applied on top of the profile's key types (BR 6.1.5, 6.1.6, 6.1.1.3).
 *
 * @param allowed     key types accepted by policy; a key must also be in the profile's {@code keyTypes}
 * @param rsaMinBits  smallest RSA modulus, at least 2048 and a multiple of 8 (BR 6.1.5)
 * @param rsaMaxBits  largest RSA modulus (bounds the cost of key checks), at most 16384, multiple of 8
 * @param rejectWeak  run the {@link WeakKeys} checks (small factors, Fermat, ROCA); on by default
 */
public record KeyRules(Set<KeyType> allowed, int rsaMinBits, int rsaMaxBits, boolean rejectWeak) {

    /** Lower bound for {@link #rsaMinBits()} (BR 6.1.5). */
    public static final int RSA_FLOOR_BITS = 2048;
    /** Upper bound for {@link #rsaMaxBits()}. */
    public static final int RSA_CEILING_BITS = 16384;

    /**
     * @throws IllegalArgumentException naming the bad field
     */
    public KeyRules {
        if (allowed == null || allowed.isEmpty()) {
            throw new IllegalArgumentException("keys.allowed must list at least one key type");
        }
        allowed = Set.copyOf(allowed);
        if (rsaMinBits < RSA_FLOOR_BITS || rsaMinBits % 8 != 0) {
            throw new IllegalArgumentException("keys.rsaMinBits must be a multiple of 8 and at least " + RSA_FLOOR_BITS
                    + ", was " + rsaMinBits);
        }
        if (rsaMaxBits < rsaMinBits || rsaMaxBits > RSA_CEILING_BITS || rsaMaxBits % 8 != 0) {
            throw new IllegalArgumentException("keys.rsaMaxBits must be a multiple of 8 between keys.rsaMinBits and "
                    + RSA_CEILING_BITS + ", was " + rsaMaxBits);
        }
    }

    /**
     * Reads {@code {allowed: [ec-p256, ...], rsaMinBits: 2048, rsaMaxBits: 8192, rejectWeak: true}}; absent keys
     * take {@link #defaults()}.
     *
     * @throws dev.hallmark.config.ConfigException naming the bad or unknown key
     */
    public static KeyRules fromConfig(ConfigNode node) {
        KeyRules d = defaults();
        if (node.isMissing()) {
            return d;
        }
        node.rejectUnknown("allowed", "rsaMinBits", "rsaMaxBits", "rejectWeak");
        List<KeyType> allowed = node.list("allowed", List.copyOf(d.allowed()), KeyType::parse);
        if (allowed.isEmpty()) {
            throw node.get("allowed").error("must list at least one key type");
        }
        int min = node.integer("rsaMinBits", d.rsaMinBits(), RSA_FLOOR_BITS, RSA_CEILING_BITS);
        int max = node.integer("rsaMaxBits", Math.max(d.rsaMaxBits(), min), RSA_FLOOR_BITS, RSA_CEILING_BITS);
        try {
            return new KeyRules(EnumSet.copyOf(allowed), min, max, node.bool("rejectWeak", true));
        } catch (IllegalArgumentException e) {
            throw node.error(e.getMessage());
        }
    }

    /** Every key type Hallmark supports, RSA 2048..8192, weak-key checks on. */
    public static KeyRules defaults() {
        return new KeyRules(EnumSet.allOf(KeyType.class), 2048, 8192, true);
    }
}
