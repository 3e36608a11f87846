package dev.hallmark.hsm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a PIN or passphrase from a file or an environment variable, as a {@code char[]} the caller wipes with
 * {@link #wipe(char[])} when done. The secret itself is never logged nor put into an exception message; only
 * where it was looked for is.
 *
 * <p>Stateless and thread-safe.
 */
public final class Secret {
    private static final Logger LOG = LoggerFactory.getLogger(Secret.class);

    private Secret() {
    }

    /**
     * Reads a secret from {@code file} if it is given, else from the environment variable {@code envVar}.
     * A file's trailing line break ({@code \n} or {@code \r\n}) is removed; nothing else is trimmed.
     *
     * @param file   the secret file, or {@code null} to use the environment variable
     * @param envVar the environment variable, or {@code null} when only a file is acceptable
     * @return a fresh array the caller owns and should wipe
     * @throws TokenException {@code BAD_CONFIG} when neither source is given, the file is missing or unreadable,
     *                        the variable is unset, or the secret is empty
     */
    public static char[] read(Path file, String envVar) {
        return read(file, envVar, System.getenv());
    }

    /**
     * Like {@link #read(Path, String)} with an explicit environment (for tests and launchers).
     *
     * @param environment the variables to look {@code envVar} up in; not {@code null}
     */
    public static char[] read(Path file, String envVar, Map<String, String> environment) {
        if (file != null) {
            return fromFile(file);
        }
        if (envVar != null) {
            String value = environment.get(envVar);
            if (value == null || value.isEmpty()) {
                throw new TokenException(TokenException.Reason.BAD_CONFIG,
                        "environment variable " + envVar + " is not set or empty; it should hold the secret");
            }
            return value.toCharArray();
        }
        throw new TokenException(TokenException.Reason.BAD_CONFIG,
                "no secret configured: give a secret file or an environment variable");
    }

    /**
     * Reads a secret file (UTF-8), dropping one trailing line break. Warns (without the content) when the file is
     * readable by group or others.
     *
     * @throws TokenException {@code BAD_CONFIG} if the file is missing, unreadable, not UTF-8 or empty
     */
    public static char[] fromFile(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new TokenException(TokenException.Reason.BAD_CONFIG, "secret file " + file + " does not exist");
        } catch (IOException e) {
            throw new TokenException(TokenException.Reason.BAD_CONFIG,
                    "secret file " + file + " cannot be read: " + e.getClass().getSimpleName());
        }
        warnIfShared(file);
        try {
            int length = bytes.length;
            if (length > 0 && bytes[length - 1] == '\n') {
                length--;
                if (length > 0 && bytes[length - 1] == '\r') {
                    length--;
                }
            }
            char[] secret = decode(bytes, length, file);
            if (secret.length == 0) {
                throw new TokenException(TokenException.Reason.BAD_CONFIG, "secret file " + file + " is empty");
            }
            return secret;
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /** Overwrites {@code secret} with zeros; {@code null} is ignored. */
    public static void wipe(char[] secret) {
        if (secret != null) {
            Arrays.fill(secret, '\0');
        }
    }

    private static char[] decode(byte[] bytes, int length, Path file) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        CharBuffer chars;
        try {
            chars = decoder.decode(ByteBuffer.wrap(bytes, 0, length));
        } catch (CharacterCodingException e) {
            throw new TokenException(TokenException.Reason.BAD_CONFIG, "secret file " + file + " is not UTF-8");
        }
        char[] result = new char[chars.remaining()];
        chars.get(result);
        if (chars.hasArray()) {
            Arrays.fill(chars.array(), '\0');
        }
        return result;
    }

    private static void warnIfShared(Path file) {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            if (permissions.contains(PosixFilePermission.GROUP_READ)
                    || permissions.contains(PosixFilePermission.OTHERS_READ)) {
                LOG.warn("secret file {} is readable by group or others; chmod 600 it", file);
            }
        } catch (IOException | UnsupportedOperationException e) {
            LOG.debug("cannot read permissions of {}", file);
        }
    }
}
