package dev.hallmark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hallmark.config.ConfigException;
import dev.hallmark.hsm.SignatureAlgorithm;
import dev.hallmark.ledger.Checkpoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The latest signed ledger checkpoint, remembered outside the database in {@code DIR/ledger-anchor.json}. Someone
 * who can rewrite the database can delete the tail of the ledger together with the checkpoints above it; the copy
 * kept here still remembers how long the ledger was and what its root was, so {@code hallmark ledger verify}
 * detects the truncation. Copy this file somewhere else (an append-only store, another machine) to raise the bar.
 */
final class LedgerAnchor {
    static final String FILE_NAME = "ledger-anchor.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private LedgerAnchor() {
    }

    /** Writes {@code checkpoint} unless the file already remembers a larger tree. */
    static void remember(Path dataDir, Checkpoint checkpoint) {
        Checkpoint current = read(dataDir);
        if (current != null && current.treeSize() > checkpoint.treeSize()) {
            return;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", Checkpoint.FORMAT);
        m.put("treeSize", checkpoint.treeSize());
        m.put("rootHash", Base64.getEncoder().encodeToString(checkpoint.rootHash()));
        m.put("signedAt", checkpoint.signedAt().toString());
        m.put("keyAlias", checkpoint.keyAlias());
        m.put("algorithm", checkpoint.algorithm().name());
        m.put("signature", Base64.getEncoder().encodeToString(checkpoint.signature()));
        try {
            Cli.writeFile(dataDir.resolve(FILE_NAME), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(m), "rw-r--r--");
        } catch (IOException e) {
            throw new ConfigException("cannot write " + FILE_NAME + ": " + e.getMessage(), e);
        }
    }

    /** The remembered checkpoint, or null when there is none yet. */
    static Checkpoint read(Path dataDir) {
        Path file = dataDir.resolve(FILE_NAME);
        if (!Files.exists(file)) {
            return null;
        }
        try {
            JsonNode n = JSON.readTree(new String(Cli.readBounded(file, 16 * 1024, "ledger anchor"), StandardCharsets.UTF_8));
            return new Checkpoint(n.get("treeSize").asLong(), Base64.getDecoder().decode(n.get("rootHash").asText()),
                    Instant.parse(n.get("signedAt").asText()), n.get("keyAlias").asText(),
                    SignatureAlgorithm.valueOf(n.get("algorithm").asText()),
                    Base64.getDecoder().decode(n.get("signature").asText()));
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(file + " is not a valid ledger anchor: " + e.getMessage(), e);
        }
    }
}
