package dev.hallmark.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A read-only view of one YAML node that knows its path, so every error names the file and key
 * ({@code hallmark.yaml: token.type: expected one of soft, pkcs11}). Typed getters take a default for absent
 * keys; present but invalid values always fail. Unknown keys are reported by {@link #rejectUnknown}.
 */
public final class ConfigNode {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)\\s*(d|h|ms|m|s)");

    private final String file;
    private final String path;
    private final JsonNode node;

    private ConfigNode(String file, String path, JsonNode node) {
        this.file = file;
        this.path = path;
        this.node = node == null ? MissingNode.getInstance() : node;
    }

    /** Reads a YAML file; a missing file is an error. */
    public static ConfigNode read(Path file) {
        try {
            return parse(file.getFileName().toString(), Files.readString(file));
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot be read: " + e.getMessage(), e);
        }
    }

    /** Parses YAML text; {@code name} is used in error messages. */
    public static ConfigNode parse(String name, String yaml) {
        try {
            JsonNode root = YAML.readTree(yaml);
            return new ConfigNode(name, "", root);
        } catch (JacksonException e) {
            throw new ConfigException(name + ": not valid YAML: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * A copy of this (root) node with {@code values} set at their dotted keys, replacing what the file said: how
     * environment variables and flags beat the file. Intermediate mappings are created as needed; values are
     * strings, which every typed getter accepts.
     *
     * @throws ConfigException when a dotted key runs through a scalar of the file
     */
    public ConfigNode overlay(Map<String, String> values) {
        com.fasterxml.jackson.databind.node.ObjectNode root = node.isObject()
                ? ((com.fasterxml.jackson.databind.node.ObjectNode) node).deepCopy() : YAML.createObjectNode();
        for (Map.Entry<String, String> e : values.entrySet()) {
            String[] parts = e.getKey().split("\\.");
            com.fasterxml.jackson.databind.node.ObjectNode at = root;
            for (int i = 0; i < parts.length - 1; i++) {
                JsonNode next = at.get(parts[i]);
                if (next == null || next.isNull()) {
                    at = at.putObject(parts[i]);
                } else if (next.isObject()) {
                    at = (com.fasterxml.jackson.databind.node.ObjectNode) next;
                } else {
                    throw new ConfigException(file + ": " + e.getKey() + ": cannot be overridden, '" + parts[i]
                            + "' is not a mapping");
                }
            }
            at.put(parts[parts.length - 1], e.getValue());
        }
        return new ConfigNode(file, path, root);
    }

    /** A canonical text of this node's content (JSON), for digests; empty for a missing node. */
    public String canonicalText() {
        return isMissing() ? "" : node.toString();
    }

    /** True when the key is absent or null. */
    public boolean isMissing() {
        return node.isMissingNode() || node.isNull();
    }

    /** The child at {@code key} (possibly missing). */
    public ConfigNode get(String key) {
        return new ConfigNode(file, child(key), node.get(key));
    }

    /** The dotted path of this node. */
    public String path() {
        return path;
    }

    /** Field names of a mapping, in document order. */
    public List<String> keys() {
        List<String> keys = new ArrayList<>();
        if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator();
            it.forEachRemaining(e -> keys.add(e.getKey()));
        } else if (!isMissing()) {
            throw error("expected a mapping");
        }
        return keys;
    }

    /** Fails naming the first key of this mapping that is not in {@code known}. */
    public ConfigNode rejectUnknown(String... known) {
        Set<String> allowed = new TreeSet<>(List.of(known));
        for (String k : keys()) {
            if (!allowed.contains(k)) {
                throw new ConfigException(file + ": " + child(k) + ": unknown key; expected one of " + String.join(", ", allowed));
            }
        }
        return this;
    }

    public String string(String key, String defaultValue) {
        ConfigNode c = get(key);
        if (c.isMissing()) {
            return defaultValue;
        }
        if (!c.node.isValueNode()) {
            throw c.error("expected a string");
        }
        return c.node.asText();
    }

    /** A required string. */
    public String string(String key) {
        String v = string(key, null);
        if (v == null || v.isBlank()) {
            throw get(key).error("is required");
        }
        return v;
    }

    public int integer(String key, int defaultValue, int min, int max) {
        ConfigNode c = get(key);
        if (c.isMissing()) {
            return defaultValue;
        }
        // Environment variables and flags arrive as text: "8443" is as good as 8443.
        long v;
        if (c.node.isIntegralNumber() && c.node.canConvertToLong()) {
            v = c.node.asLong();
        } else if (c.node.isTextual() && c.node.asText().trim().matches("-?\\d{1,18}")) {
            v = Long.parseLong(c.node.asText().trim());
        } else {
            throw c.error("expected an integer");
        }
        if (v < min || v > max) {
            throw c.error("must be between " + min + " and " + max);
        }
        return (int) v;
    }

    public boolean bool(String key, boolean defaultValue) {
        ConfigNode c = get(key);
        if (c.isMissing()) {
            return defaultValue;
        }
        if (c.node.isBoolean()) {
            return c.node.asBoolean();
        }
        String t = c.node.asText().toLowerCase(Locale.ROOT);
        if (t.equals("true") || t.equals("false")) {
            return Boolean.parseBoolean(t);
        }
        throw c.error("expected true or false");
    }

    /** A duration written {@code 90d}, {@code 12h}, {@code 30m}, {@code 10s} or ISO-8601 ({@code P90D}). */
    public Duration duration(String key, Duration defaultValue) {
        ConfigNode c = get(key);
        if (c.isMissing()) {
            return defaultValue;
        }
        Duration d = parseDuration(c.node.asText());
        if (d == null || d.isNegative()) {
            throw c.error("expected a duration such as 90d, 12h, 30m or P90D");
        }
        return d;
    }

    /** A duration between {@code min} and {@code max} inclusive; see {@link #duration(String, Duration)}. */
    public Duration duration(String key, Duration defaultValue, Duration min, Duration max) {
        Duration d = duration(key, defaultValue);
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw get(key).error("must be between " + text(min) + " and " + text(max));
        }
        return d;
    }

    private static String text(Duration d) {
        if (d.toSeconds() % 86_400 == 0) {
            return d.toDays() + "d";
        }
        if (d.toMillis() % 1000 != 0) {
            return d.toMillis() + "ms";
        }
        return d.toSeconds() % 3600 == 0 ? d.toHours() + "h" : d.toSeconds() % 60 == 0 ? d.toMinutes() + "m" : d.toSeconds() + "s";
    }

    /** Parses {@code 90d}, {@code 12h}, {@code 30m}, {@code 10s}, {@code 500ms} or ISO-8601; null when it is none of them. */
    public static Duration parseDuration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        Matcher m = SHORT_DURATION.matcher(t);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "d" -> Duration.ofDays(n);
                case "h" -> Duration.ofHours(n);
                case "m" -> Duration.ofMinutes(n);
                case "ms" -> Duration.ofMillis(n);
                default -> Duration.ofSeconds(n);
            };
        }
        try {
            return Duration.parse(t.toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** A list of strings (a single scalar counts as a one-element list). */
    public List<String> strings(String key, List<String> defaultValue) {
        ConfigNode c = get(key);
        if (c.isMissing()) {
            return defaultValue;
        }
        List<String> out = new ArrayList<>();
        if (c.node.isArray()) {
            for (int i = 0; i < c.node.size(); i++) {
                JsonNode e = c.node.get(i);
                if (!e.isValueNode()) {
                    throw new ConfigNode(file, c.path + "[" + i + "]", e).error("expected a string");
                }
                out.add(e.asText());
            }
        } else if (c.node.isValueNode()) {
            out.add(c.node.asText());
        } else {
            throw c.error("expected a list");
        }
        return out;
    }

    /** A list mapped element by element; {@code parse} may throw IllegalArgumentException, reported with the key. */
    public <T> List<T> list(String key, List<T> defaultValue, Function<String, T> parse) {
        List<String> raw = strings(key, null);
        if (raw == null) {
            return defaultValue;
        }
        List<T> out = new ArrayList<>();
        for (String s : raw) {
            try {
                out.add(parse.apply(s));
            } catch (IllegalArgumentException e) {
                throw get(key).error(e.getMessage());
            }
        }
        return out;
    }

    /** An enum constant written in any case with - or _ (e.g. {@code first-san} for {@code FIRST_SAN}). */
    public <E extends Enum<E>> E enumValue(String key, Class<E> type, E defaultValue) {
        ConfigNode c = get(key);
        if (c.isMissing()) {
            return defaultValue;
        }
        return c.asEnum(type, c.node.asText());
    }

    /** Converts {@code text} to a constant of {@code type}, failing with this node's path. */
    public <E extends Enum<E>> E asEnum(Class<E> type, String text) {
        String normal = text.trim().replace('-', '_').toUpperCase(Locale.ROOT);
        String camel = text.trim().replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(normal) || e.name().equals(camel)) {
                return e;
            }
        }
        List<String> names = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            names.add(e.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        throw error("'" + text + "' is not one of " + String.join(", ", names));
    }

    /** An error naming this node's file and path. */
    public ConfigException error(String message) {
        return new ConfigException(file + ": " + (path.isEmpty() ? "(root)" : path) + ": " + message);
    }

    private String child(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }
}
