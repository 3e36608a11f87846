package dev.hallmark.protocol.acme;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * Strict, bounded JSON for ACME: nesting at most {@value #MAX_DEPTH} deep (T06: a 100,000-deep document is refused
 * while reading, without recursion), duplicate members refused (a duplicate {@code alg} must not let two parsers
 * disagree), trailing content refused. The body size is bounded by the route before this runs.
 */
public final class AcmeJson {
    /** Deeper than any ACME message (the key-change inner JWS is three levels). */
    public static final int MAX_DEPTH = 16;
    static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH)
                    .maxStringLength(200_000).maxNumberLength(64).build())
            .build())
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private AcmeJson() {
    }

    /**
     * Parses a JSON object.
     *
     * @param what names the document in the problem detail ("the JWS", "the protected header")
     * @throws AcmeProblem {@code malformed} for anything that is not exactly one well-formed JSON object
     */
    public static ObjectNode object(byte[] json, String what) {
        JsonNode node;
        try (JsonParser p = MAPPER.getFactory().createParser(json)) {
            node = MAPPER.readTree(p);
            if (node != null && p.nextToken() != null) {
                throw AcmeProblem.malformed(what + " has content after the JSON object");
            }
        } catch (com.fasterxml.jackson.core.exc.StreamConstraintsException e) {
            throw AcmeProblem.malformed(what + " is nested too deeply or holds an oversized value");
        } catch (JsonProcessingException e) {
            String m = e.getOriginalMessage();
            throw AcmeProblem.malformed(what + " is not valid JSON" + (m != null && m.startsWith("Duplicate field")
                    ? ": it has a duplicate member" : ""));
        } catch (IOException e) {
            throw AcmeProblem.malformed(what + " cannot be read");
        }
        if (node == null || !node.isObject()) {
            throw AcmeProblem.malformed(what + " must be a JSON object");
        }
        return (ObjectNode) node;
    }

    /** A text member, or null when absent; {@code malformed} when present but not a string. */
    public static String text(JsonNode o, String member, String what) {
        JsonNode n = o.get(member);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw AcmeProblem.malformed(what + " member '" + member + "' must be a string");
        }
        return n.asText();
    }

    /** A required text member. */
    public static String requiredText(JsonNode o, String member, String what) {
        String s = text(o, member, what);
        if (s == null) {
            throw AcmeProblem.malformed(what + " lacks '" + member + "'");
        }
        return s;
    }

    /** A boolean member, {@code def} when absent. */
    public static boolean bool(JsonNode o, String member, boolean def, String what) {
        JsonNode n = o.get(member);
        if (n == null || n.isNull()) {
            return def;
        }
        if (!n.isBoolean()) {
            throw AcmeProblem.malformed(what + " member '" + member + "' must be true or false");
        }
        return n.asBoolean();
    }

    /** Renders a value as JSON text. */
    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render JSON", e);
        }
    }

    /** A new empty object node. */
    public static ObjectNode newObject() {
        return MAPPER.createObjectNode();
    }
}
