package dev.hallmark.authority.profile;

import dev.hallmark.authority.CaException;
import dev.hallmark.authority.Identifier;
import dev.hallmark.config.ConfigException;
import dev.hallmark.config.ConfigNode;
import dev.hallmark.hsm.KeyType;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The profiles in force, read from YAML ({@code DATA/profiles.yaml}; the shipped defaults are
 * {@link #DEFAULT_RESOURCE}). Immutable; validated completely at load with errors that name the key.
 *
 * @param profiles by name, in file order
 * @param yaml     the text they were read from (its digest is audited when it changes)
 */
public record ProfileCatalog(Map<String, Profile> profiles, String yaml) {
    /** Classpath location of the shipped profiles. */
    public static final String DEFAULT_RESOURCE = "/dev/hallmark/authority/profile/default-profiles.yaml";
    private static final Duration MAX_VALIDITY = Duration.ofDays(3650);

    public ProfileCatalog {
        profiles = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(profiles));
    }

    /** The shipped profile file's text. */
    public static String defaultYaml() {
        try (InputStream in = ProfileCatalog.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + DEFAULT_RESOURCE);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The shipped profiles. */
    public static ProfileCatalog defaults() {
        return parse("default-profiles.yaml", defaultYaml());
    }

    /** Loads a profile file. */
    public static ProfileCatalog load(Path file) {
        try {
            return parse(file.getFileName().toString(), Files.readString(file));
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot be read: " + e.getMessage(), e);
        }
    }

    /** Parses profile YAML; {@code name} labels errors. */
    public static ProfileCatalog parse(String name, String yaml) {
        ConfigNode root = ConfigNode.parse(name, yaml).rejectUnknown("profiles");
        ConfigNode all = root.get("profiles");
        if (all.keys().isEmpty()) {
            throw all.error("at least one profile is required");
        }
        Map<String, Profile> out = new LinkedHashMap<>();
        for (String key : all.keys()) {
            out.put(key, profile(key, all.get(key)));
        }
        return new ProfileCatalog(out, yaml);
    }

    /**
     * The profile called {@code name}.
     *
     * @throws CaException {@code NOT_FOUND} naming the profiles that exist
     */
    public Profile get(String name) {
        Profile p = profiles.get(name);
        if (p == null) {
            throw new CaException(CaException.Kind.NOT_FOUND, "no profile '" + name + "'; profiles: "
                    + String.join(", ", profiles.keySet()));
        }
        return p;
    }

    public Collection<Profile> all() {
        return profiles.values();
    }

    private static Profile profile(String name, ConfigNode n) {
        if (!name.matches("[a-z0-9][a-z0-9-]{0,62}")) {
            throw n.error("profile names use a-z, 0-9 and '-' (at most 63 characters)");
        }
        n.rejectUnknown("version", "description", "validity", "backdate", "keyTypes", "keyUsage", "extendedKeyUsage",
                "subjectAltNames", "commonName", "ocspNoCheck", "ocspUrls", "caIssuersUrls", "crlUrls", "channels");
        int version = n.integer("version", -1, 1, Integer.MAX_VALUE);
        if (version < 1) {
            throw n.get("version").error("is required (a positive integer raised on every change)");
        }
        Duration validity = n.duration("validity", Duration.ofDays(90));
        if (validity.isZero() || validity.compareTo(MAX_VALIDITY) > 0) {
            throw n.get("validity").error("must be between 1s and 3650d");
        }
        Duration backdate = n.duration("backdate", Duration.ofHours(1));
        if (backdate.compareTo(Duration.ofDays(2)) > 0) {
            throw n.get("backdate").error("must be at most 48h (BR 7.1.2.7)");
        }
        Set<KeyType> keyTypes = EnumSet.noneOf(KeyType.class);
        keyTypes.addAll(n.list("keyTypes", List.of(KeyType.EC_P256, KeyType.EC_P384, KeyType.RSA_2048,
                KeyType.RSA_3072, KeyType.RSA_4096), KeyType::parse));
        ConfigNode ku = n.get("keyUsage");
        Set<Profile.KeyUsageBit> keyUsage = EnumSet.noneOf(Profile.KeyUsageBit.class);
        for (String s : n.strings("keyUsage", List.of("digital-signature"))) {
            keyUsage.add(ku.asEnum(Profile.KeyUsageBit.class, s));
        }
        if (keyUsage.isEmpty()) {
            throw ku.error("at least one keyUsage bit is required");
        }
        ConfigNode eku = n.get("extendedKeyUsage");
        List<Profile.ExtendedKeyUsage> ekus = n.strings("extendedKeyUsage", List.of()).stream()
                .map(s -> eku.asEnum(Profile.ExtendedKeyUsage.class, s)).distinct().toList();
        ConfigNode san = n.get("subjectAltNames").rejectUnknown("types", "required", "max");
        Set<Identifier.Type> sanTypes = EnumSet.noneOf(Identifier.Type.class);
        sanTypes.addAll(san.list("types", List.of(Identifier.Type.DNS), Identifier.Type::parse));
        boolean required = san.bool("required", !sanTypes.isEmpty());
        int max = san.integer("max", sanTypes.isEmpty() ? 0 : 100, 0, 1000);
        if (required && (sanTypes.isEmpty() || max == 0)) {
            throw san.error("required SANs need at least one type and max >= 1");
        }
        if (ekus.contains(Profile.ExtendedKeyUsage.SERVER_AUTH) && !required) {
            throw san.get("required").error("must be true for a serverAuth profile (BR 7.1.2.7.12)");
        }
        Profile.CommonName cn = n.enumValue("commonName", Profile.CommonName.class, Profile.CommonName.FIRST_SAN);
        boolean ocspNoCheck = n.bool("ocspNoCheck", false);
        // Refuse at load time what the linter would refuse at every issuance.
        if (ocspNoCheck && !ekus.contains(Profile.ExtendedKeyUsage.OCSP_SIGNING)) {
            throw n.get("ocspNoCheck").error("needs extendedKeyUsage ocsp-signing (RFC 6960 4.2.2.2.1)");
        }
        if (ekus.contains(Profile.ExtendedKeyUsage.SERVER_AUTH) && !keyUsage.contains(Profile.KeyUsageBit.DIGITAL_SIGNATURE)) {
            throw ku.error("a server-auth profile needs digital-signature (EC and Ed25519 keys cannot use key-encipherment)");
        }
        if (ekus.contains(Profile.ExtendedKeyUsage.SERVER_AUTH) && cn == Profile.CommonName.REQUESTED) {
            throw n.get("commonName").error("a server-auth profile's CN must be one of its SANs: use first-san, "
                    + "requested-if-in-sans or none");
        }
        if (sanTypes.isEmpty() && cn != Profile.CommonName.REQUESTED) {
            throw n.get("commonName").error("a profile without SANs needs commonName: requested (else the subject is empty)");
        }
        return new Profile(name, version, n.string("description", ""), validity, backdate, keyTypes, keyUsage, ekus,
                sanTypes, required, max, cn, ocspNoCheck, urls(n, "ocspUrls"),
                urls(n, "caIssuersUrls"), urls(n, "crlUrls"), channels(n));
    }

    /** The channels a profile is limited to (empty: all). */
    public static final Set<String> CHANNELS = Set.of("cli", "api", "acme", "est", "scep", "system");

    private static Set<String> channels(ConfigNode n) {
        Set<String> out = new java.util.TreeSet<>();
        for (String c : n.strings("channels", List.of())) {
            if (!CHANNELS.contains(c)) {
                throw n.get("channels").error("'" + c + "' is not one of " + new java.util.TreeSet<>(CHANNELS));
            }
            out.add(c);
        }
        return out;
    }

    private static List<String> urls(ConfigNode n, String key) {
        List<String> urls = n.strings(key, List.of());
        for (String u : urls) {
            try {
                URI uri = URI.create(u.replace("{ca}", "ca"));
                if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                    throw n.get(key).error("'" + u + "' is not an absolute http(s) URL");
                }
            } catch (IllegalArgumentException e) {
                throw n.get(key).error("'" + u + "' is not a valid URL");
            }
        }
        return urls;
    }
}
