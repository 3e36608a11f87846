package dev.hallmark.packaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** curl as the end-to-end tests' HTTP client of the running jar (as an operator or a load balancer would use it). */
final class Curl {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Curl() {
    }

    /**
     * A curl response: status 0 when no HTTP response came back.
     *
     * @param body       the response body, in a file
     * @param headers    the response head as received
     * @param curlOutput what the curl process printed, for failure messages
     */
    record Http(int status, String contentType, Path body, String headers, String curlOutput) {
        String mediaType() {
            return contentType.split(";")[0].strip().toLowerCase(Locale.ROOT);
        }

        String header(String name) {
            Matcher m = Pattern.compile("(?im)^" + Pattern.quote(name) + ":\\s*(.*?)\\s*$").matcher(headers);
            return m.find() ? m.group(1) : "";
        }

        JsonNode json() throws IOException {
            return JSON.readTree(body.toFile());
        }

        @Override
        public String toString() {
            String text;
            try {
                text = Files.size(body) > 4096 ? "(" + Files.size(body) + " bytes)" : Files.readString(body);
            } catch (IOException e) {
                text = "(unreadable or binary)";
            }
            return status + " " + contentType + "\n" + headers + text + "\n" + curlOutput;
        }
    }

    /**
     * Runs {@code curl [args] url}, keeping body and head in files under {@code dir}.
     *
     * @param trust the CA certificate (PEM) an {@code https} URL must chain to, or null for curl's default store
     */
    static Http run(Path dir, Path trust, String url, String... args) {
        try {
            Path body = Files.createTempFile(dir, "body", "");
            Path headers = Files.createTempFile(dir, "headers", "");
            List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "60", "-o", body.toString(),
                    "-D", headers.toString(), "-w", "%{http_code} %{content_type}"));
            if (url.startsWith("https:") && trust != null) {
                cmd.addAll(List.of("--cacert", trust.toString()));
            }
            cmd.addAll(List.of(args));
            cmd.add(url);
            Processes.Result r = Processes.run(Map.of(), cmd);
            String[] w = r.out().strip().split(" ", 2);
            int status = w[0].matches("\\d+") ? Integer.parseInt(w[0]) : 0;
            return new Http(status, w.length > 1 ? w[1] : "", body, Files.readString(headers), r.toString());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
