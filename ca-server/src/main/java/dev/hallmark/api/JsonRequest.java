package dev.hallmark.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.authority.CaException;
import io.vertx.core.buffer.Buffer;
import java.io.CharConversionException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A JSON request body: one object whose members are checked by name and type. The server's body limit bounds the
 * input before it gets here; this reader bounds nesting. Duplicate members, trailing content, a non-object, an
 * unknown member or a member of the wrong type are {@code MALFORMED} (400), never a 500. Problem details are this
 * class's own short sentences (what is wrong, and where), never the JSON library's messages.
 */
final class JsonRequest {
    /** Deeper than any request of this API needs; a deeper body is refused while it is read. */
    static final int MAX_DEPTH = 16;
    private static final JsonFactory FACTORY = JsonFactory.builder()
            // A backstop only: read() refuses anything deeper than MAX_DEPTH itself, with its own message.
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH * 2).build())
            .build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

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
            return new JsonRequest(NODES.objectNode());
        }
        return parseObject(body, allowed);
    }

    private static JsonRequest parseObject(Buffer body, Set<String> allowed) {
        JsonNode node;
        try (JsonParser parser = FACTORY.createParser(body.getBytes())) {
            node = read(parser);
        } catch (StreamConstraintsException e) {
            throw notJson("a number or string is too long" + at(e.getLocation()));
        } catch (JsonEOFException e) {
            throw notJson("it ends before the value is complete");
        } catch (CharConversionException e) {
            throw notJson("it is not UTF-8 text");
        } catch (JsonProcessingException e) {
            throw notJson("unexpected content" + at(e.getLocation()));
        } catch (IOException e) {
            throw notJson("it cannot be read");
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

    /** The one value of the body, with no duplicate member, no depth beyond {@link #MAX_DEPTH}, nothing after it. */
    private static JsonNode read(JsonParser parser) throws IOException {
        JsonToken first = parser.nextToken();
        if (first == null) {
            throw notJson("it holds no value");
        }
        JsonNode value = value(parser, first, 1);
        if (parser.nextToken() != null) {
            throw notJson("there is content after the value" + at(parser.currentTokenLocation()));
        }
        return value;
    }

    private static JsonNode value(JsonParser parser, JsonToken token, int depth) throws IOException {
        if ((token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) && depth > MAX_DEPTH) {
            throw notJson("nested too deeply (limit " + MAX_DEPTH + ")" + at(parser.currentTokenLocation()));
        }
        switch (token) {
            case START_OBJECT: {
                ObjectNode object = NODES.objectNode();
                for (JsonToken t = parser.nextToken(); t != JsonToken.END_OBJECT; t = parser.nextToken()) {
                    String name = parser.currentName();
                    if (object.has(name)) {
                        throw notJson("member " + quoted(name) + " appears more than once" + at(parser.currentTokenLocation()));
                    }
                    object.set(name, value(parser, parser.nextToken(), depth + 1));
                }
                return object;
            }
            case START_ARRAY: {
                ArrayNode array = NODES.arrayNode();
                for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
                    array.add(value(parser, t, depth + 1));
                }
                return array;
            }
            case VALUE_STRING:
                return NODES.textNode(parser.getText());
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                // Only the type matters to this API (no member is a number); the text is not converted.
                return NODES.numberNode(0);
            case VALUE_TRUE:
            case VALUE_FALSE:
                return NODES.booleanNode(token == JsonToken.VALUE_TRUE);
            case VALUE_NULL:
                return NODES.nullNode();
            default:
                throw notJson("unexpected content" + at(parser.currentTokenLocation()));
        }
    }

    private static CaException notJson(String why) {
        return new CaException(CaException.Kind.MALFORMED, "the body is not valid JSON: " + why);
    }

    private static String at(JsonLocation where) {
        return where == null || where.getLineNr() < 1 ? "" : " at line " + where.getLineNr() + ", column " + where.getColumnNr();
    }

    private static String quoted(String name) {
        String shown = name.length() > 64 ? name.substring(0, 64) + "…" : name;
        return "'" + shown.replaceAll("\\p{Cntrl}", "?") + "'";
    }
}
