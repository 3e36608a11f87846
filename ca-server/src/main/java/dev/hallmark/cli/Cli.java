package dev.hallmark.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;

/** What the CLI verbs share: the operator's identity, JSON output, bounded file reads and private file writes. */
final class Cli {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Cli() {
    }

    /** The clock every verb runs on. */
    static Clock clock() {
        return Clock.systemUTC();
    }

    /** Who is acting, recorded as requester and in the ledger: {@code cli:user@host}. */
    static String actor() {
        String user = System.getProperty("user.name", "unknown");
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "localhost";
        }
        return "cli:" + user + "@" + host;
    }

    /** Prints {@code value} as indented JSON. */
    static void printJson(PrintWriter out, Object value) {
        try {
            out.println(JSON.writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render JSON", e);
        }
        out.flush();
    }

    /**
     * Reads a file of at most {@code maxBytes}, checking the size before reading (I11).
     *
     * @throws CliException when it is missing, unreadable or too large
     */
    static byte[] readBounded(Path file, int maxBytes, String what) {
        try {
            long size = Files.size(file);
            if (size > maxBytes) {
                throw new CliException(what + " " + file + " is " + size + " bytes; at most " + maxBytes + " are accepted");
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new CliException("cannot read " + what + " " + file + ": " + e.getMessage());
        }
    }

    /** Writes {@code text} atomically (temporary file and rename) with the given POSIX permissions. */
    static void writeFile(Path file, byte[] content, String permissions) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(permissions)));
            Files.write(tmp, content, StandardOpenOption.TRUNCATE_EXISTING);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new CliException("cannot write " + file + ": " + e.getMessage());
        }
    }

    /** A user-facing failure of a verb: printed as one line, exit code 1. */
    static final class CliException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CliException(String message) {
            super(message);
        }
    }
}
