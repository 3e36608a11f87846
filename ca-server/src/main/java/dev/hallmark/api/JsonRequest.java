package dev.hallmark.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.authority.CaException;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A JSON request body: one object whose members are checked by name and type. The server's body limit bounds the
 * input before it gets here; Jackson's read constraints bound nesting. Duplicate members, trailing content, a
 * non-object, an unknown member or a member of the wrong type are {@code MALFORMED} (400), never a 500.
 */
final class JsonRequest {
    /** Deeper than any request of this API needs; a deeper body is refused while it is read. */
    private static final int MAX_DEPTH = 16;
    private static final ObjectMapper READER = new ObjectMapper(JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
            .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final ObjectNode object;

    private JsonRequest(ObjectNode object) {
        this.object = object;
    }

    /**
     * Parses {@code body} as a JSON object that may only have the members {@code allowed}.
     *
     * @param body    the request body; null or empty is refused
     * @param allowed the member names the route understands
     * @throws CaException {@code MALFORMED} naming what is wrong
     */
    static JsonRequest parse(Buffer body, Set<String> allowed) {
        if (body == null || body.length() == 0) {
            throw new CaException(CaException.Kind.MALFORMED, "the request body is empty; send a JSON object");
        }
        return parseObject(body, allowed);
    }

    /** As {@link #parse}, but an empty body counts as {@code {}} (every member optional). */
    static JsonRequest parseOrEmpty(Buffer body, Set<String> allowed) {
        if (body == null || body.length() == 0) {
            return new JsonRequest(READER.createObjectNode());
        }
        return parseObject(body, allowed);
    }

    private static JsonRequest parseObject(Buffer body, Set<String> allowed) {
        JsonNode node;
        try {
            node = READER.readTree(body.getBytes());
        } catch (JsonProcessingException e) {
            throw new CaException(CaException.Kind.MALFORMED, "the body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new CaException(CaException.Kind.MALFORMED, "the body cannot be read as JSON");
        }
        if (node == null || !node.isObject()) {
            throw new CaException(CaException.Kind.MALFORMED, "the body must be a JSON object");
        }
        List<String> unknown = new ArrayList<>();
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                unknown.add(name);
            }
        }
        if (!unknown.isEmpty()) {
            throw new CaException(CaException.Kind.MALFORMED, "unknown member" + (unknown.size() == 1 ? " " : "s ")
                    + String.join(", ", unknown.stream().map(JsonRequest::quoted).toList()) + "; this request takes "
                    + String.join(", ", allowed.stream().sorted().map(JsonRequest::quoted).toList()));
        }
        return new JsonRequest((ObjectNode) node);
    }

    /**
     * The string member {@code name}.
     *
     * @throws CaException {@code MALFORMED} when it is missing, null, empty or not a string
     */
    String requiredString(String name) {
        return optionalString(name).orElseThrow(() -> new CaException(CaException.Kind.MALFORMED,
                "member '" + name + "' is required"));
    }

    /**
     * The string member {@code name}, empty when absent or null.
     *
     * @throws CaException {@code MALFORMED} when it is present but not a non-empty string
     */
    Optional<String> optionalString(String name) {
        JsonNode value = object.get(name);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isTextual()) {
            throw new CaException(CaException.Kind.MALFORMED, "member '" + name + "' must be a string, not "
                    + value.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }
        if (value.textValue().isBlank()) {
            throw new CaException(CaException.Kind.MALFORMED, "member '" + name + "' must not be empty");
        }
        return Optional.of(value.textValue());
    }

    private static String quoted(String name) {
        String shown = name.length() > 64 ? name.substring(0, 64) + "…" : name;
        return "'" + shown.replaceAll("\\p{Cntrl}", "?") + "'";
    }
}
