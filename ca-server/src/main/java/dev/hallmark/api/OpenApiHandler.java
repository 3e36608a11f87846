package dev.hallmark.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hallmark.server.Caller;
import dev.hallmark.server.Endpoint;
import dev.hallmark.server.ServerContext;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code GET /api/v1/openapi.json}: the hand-written OpenAPI document (resource {@value #RESOURCE}), the contract
 * of this API, with the {@linkplain Endpoint#openApiResource fragments} of the other active endpoints merged in
 * (paths, component schemas and tags; a name documented twice fails the start). Merged once, at start; served from
 * memory on the event loop. Open: it describes the API, it grants nothing.
 */
final class OpenApiHandler {
    /** Where the document lives on the class path. */
    static final String RESOURCE = "/dev/hallmark/api/openapi.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final Set<String> FRAGMENT_KEYS = Set.of("paths", "components", "tags");

    private final Buffer document;

    /**
     * @param others the other endpoints the server runs; those with a fragment for {@code context} are merged in
     * @throws IllegalStateException naming the endpoint and resource, when a fragment is missing, is not JSON, holds
     *                               more than paths, schemas and tags, documents a path, schema or tag twice, or
     *                               refers to something the document does not have
     */
    OpenApiHandler(ServerContext context, List<Endpoint> others) {
        List<Fragment> fragments = new ArrayList<>();
        for (Endpoint e : others) {
            Optional<String> resource = e.openApiResource(context);
            resource.ifPresent(r -> fragments.add(Fragment.load(e, r)));
        }
        this.document = Buffer.buffer(merge(load(), fragments));
    }

    /** The admin API's own document, without fragments. */
    static byte[] load() {
        try (InputStream in = OpenApiHandler.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    /**
     * An endpoint's OpenAPI fragment.
     *
     * @param source names it in messages: endpoint and resource
     * @param json   the parsed fragment
     */
    record Fragment(String source, JsonNode json) {
        static Fragment load(Endpoint endpoint, String resource) {
            String source = "endpoint " + endpoint.name() + " (" + resource + ")";
            try (InputStream in = endpoint.getClass().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("OpenAPI fragment of " + source + " is missing from the class path");
                }
                return new Fragment(source, JSON.readTree(in));
            } catch (IOException e) {
                throw new IllegalStateException("OpenAPI fragment of " + source + " is not valid JSON: " + e.getMessage(), e);
            }
        }
    }

    /**
     * {@code base} with every fragment's paths, component schemas and tags added after its own, in order.
     *
     * @throws IllegalStateException as {@link #OpenApiHandler(ServerContext, List)}
     */
    static byte[] merge(byte[] base, List<Fragment> fragments) {
        ObjectNode doc;
        try {
            doc = (ObjectNode) JSON.readTree(base);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse " + RESOURCE, e);
        }
        ObjectNode paths = doc.withObject("/paths");
        ObjectNode schemas = doc.withObject("/components/schemas");
        ArrayNode tags = doc.withArray("/tags");
        Map<String, String> owners = new HashMap<>();
        paths.fieldNames().forEachRemaining(p -> owners.put("path " + p, "the admin API (" + RESOURCE + ")"));
        schemas.fieldNames().forEachRemaining(s -> owners.put("schema " + s, "the admin API (" + RESOURCE + ")"));
        tags.forEach(t -> owners.put("tag " + t.path("name").asText(), "the admin API (" + RESOURCE + ")"));
        for (Fragment f : fragments) {
            JsonNode json = f.json();
            if (!json.isObject()) {
                throw new IllegalStateException("OpenAPI fragment of " + f.source() + " is not a JSON object");
            }
            json.fieldNames().forEachRemaining(k -> {
                if (!FRAGMENT_KEYS.contains(k)) {
                    throw new IllegalStateException("OpenAPI fragment of " + f.source() + " may only add paths,"
                            + " components.schemas and tags, not '" + k + "'");
                }
            });
            json.path("components").fieldNames().forEachRemaining(k -> {
                if (!k.equals("schemas")) {
                    throw new IllegalStateException("OpenAPI fragment of " + f.source() + " may only add"
                            + " components.schemas, not 'components." + k + "'");
                }
            });
            for (Map.Entry<String, JsonNode> p : json.path("paths").properties()) {
                if (!p.getKey().startsWith(AdminApiEndpoint.BASE + "/")) {
                    throw new IllegalStateException("OpenAPI fragment of " + f.source() + " documents " + p.getKey()
                            + ", which is not under " + AdminApiEndpoint.BASE + "/");
                }
                claim(owners, "path " + p.getKey(), f);
                paths.set(p.getKey(), p.getValue());
            }
            for (Map.Entry<String, JsonNode> s : json.path("components").path("schemas").properties()) {
                claim(owners, "schema " + s.getKey(), f);
                schemas.set(s.getKey(), s.getValue());
            }
            for (JsonNode t : json.path("tags")) {
                claim(owners, "tag " + t.path("name").asText(), f);
                tags.add(t);
            }
        }
        for (Fragment f : fragments) {
            checkReferences(doc, f.json(), f);
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(doc);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the OpenAPI document", e);
        }
    }

    private static void claim(Map<String, String> owners, String name, Fragment f) {
        String owner = owners.putIfAbsent(name, f.source());
        if (owner != null) {
            throw new IllegalStateException("OpenAPI " + name + " is documented twice: by " + owner + " and by "
                    + f.source() + "; rename one");
        }
    }

    /** Every {@code $ref} under {@code node} is local and names something {@code doc} has. */
    private static void checkReferences(JsonNode doc, JsonNode node, Fragment f) {
        JsonNode ref = node.get("$ref");
        if (ref != null && ref.isTextual()) {
            if (!ref.asText().startsWith("#/") || doc.at(ref.asText().substring(1)).isMissingNode()) {
                throw new IllegalStateException("OpenAPI fragment of " + f.source() + " refers to " + ref.asText()
                        + ", which the document does not have");
            }
        }
        node.forEach(child -> checkReferences(doc, child, f));
    }

    void handle(RoutingContext ctx, Caller caller) {
        ctx.response().putHeader("Content-Type", Replies.JSON).putHeader("Cache-Control", "public, max-age=300")
                .end(document);
    }
}
