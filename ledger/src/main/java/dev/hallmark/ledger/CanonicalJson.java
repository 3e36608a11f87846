package dev.hallmark.ledger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The canonical JSON text of a flat string map: keys in {@link String#compareTo} order, no whitespace, only
 * {@code "}, {@code \} and control characters escaped (as backslash-u and four lower-case hex digits). The text is what the
 * leaf hash covers, so it is written here by hand rather than by a library whose output could change.
 */
final class CanonicalJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private CanonicalJson() {
    }

    static String write(SortedMap<String, String> map) {
        StringBuilder sb = new StringBuilder(64);
        sb.append('{');
        boolean first = true;
        for (Map.Entry<String, String> e : map.entrySet()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            string(sb, e.getKey());
            sb.append(':');
            string(sb, e.getValue());
        }
        return sb.append('}').toString();
    }

    static SortedMap<String, String> read(String json) {
        try {
            Map<String, String> m = MAPPER.readValue(json,
                    MAPPER.getTypeFactory().constructMapType(TreeMap.class, String.class, String.class));
            return Collections.unmodifiableSortedMap(new TreeMap<>(m));
        } catch (JsonProcessingException e) {
            throw new LedgerException("stored ledger details are not a JSON object of strings", e);
        }
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '"' || ch == '\\') {
                sb.append('\\').append(ch);
            } else if (ch < 0x20) {
                sb.append(String.format("\\u%04x", (int) ch));
            } else {
                sb.append(ch);
            }
        }
        sb.append('"');
    }
}
