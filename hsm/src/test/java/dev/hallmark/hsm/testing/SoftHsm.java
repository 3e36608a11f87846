package dev.hallmark.hsm.testing;

import dev.hallmark.hsm.pkcs11.Pkcs11Settings;
import dev.hallmark.hsm.pkcs11.Pkcs11Token;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Fresh SoftHSM2 tokens for tests, reached through SunPKCS11 like a real HSM.
 *
 * <p>The SoftHSM2 configuration file is the one named by the system property {@code hallmark.softhsm.conf}; the
 * parent pom's surefire configuration sets it and sets the environment variable {@code SOFTHSM2_CONF} (which the
 * native library reads at its first {@code C_Initialize}, so it cannot be set from Java) to the same path. The file
 * is created if missing, with its token directory {@code tokens/} beside it, never the system token directory.
 * Every {@link #newToken()} hands out a token no one has used, with a random label, so tests never share keys and
 * may run in parallel JVMs (see there for why tokens are prepared in a pool).
 *
 * <p>When SoftHSM2 is missing, tests are skipped (JUnit assumptions), except under {@code CI} (environment
 * variable {@code CI} set), where a missing SoftHSM2 fails the test. Thread-safe.
 */
public final class SoftHsm {
    /** The Debian/Ubuntu location of the SoftHSM2 PKCS#11 module. */
    public static final Path LIBRARY = Path.of("/usr/lib/softhsm/libsofthsm2.so");
    /** The property naming the SoftHSM2 configuration file. */
    public static final String CONF_PROPERTY = "hallmark.softhsm.conf";

    /** The property giving the number of tokens each JVM prepares. */
    public static final String POOL_PROPERTY = "hallmark.softhsm.tokens";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern LABEL_LINE = Pattern.compile("(?m)^\\s*Label:\\s*(hm-(\\d+)-\\S*)\\s*$");
    /** Guarded by {@code SoftHsm.class}; null until the first {@link #newToken()}. */
    private static List<Token> pool;

    private SoftHsm() {
    }

    /**
     * A freshly initialised token.
     *
     * @param library the PKCS#11 module
     * @param label   the token label (random, {@code hallmark-…})
     * @param pin     the user PIN (a fresh copy per call)
     * @param soPin   the security officer PIN
     * @param pinFile a 0600 file holding the user PIN (no line break)
     * @param conf    the SoftHSM2 configuration file (give it to child processes as {@code SOFTHSM2_CONF})
     */
    public record Token(Path library, String label, String pin, String soPin, Path pinFile, Path conf) {
        /** Settings for {@link Pkcs11Token#open} under the provider name {@code name}. */
        public Pkcs11Settings settings(String name) {
            return new Pkcs11Settings(name, library, label, pin.toCharArray());
        }

        /** Settings named after the label. */
        public Pkcs11Settings settings() {
            return settings(label);
        }

        /** Opens a new {@link Pkcs11Token} (a new SunPKCS11 instance) on this token. */
        public Pkcs11Token open() {
            return Pkcs11Token.open(settings());
        }
    }

    /**
     * Skips the calling test when SoftHSM2 is not installed or the JVM was not started with {@code SOFTHSM2_CONF};
     * fails it instead when the environment variable {@code CI} is set.
     */
    public static void assumeAvailable() {
        String missing = missing();
        if (missing == null) {
            return;
        }
        if (System.getenv("CI") != null) {
            Assertions.fail("SoftHSM2 is required under CI: " + missing);
        }
        Assumptions.abort("SoftHSM2 not usable, skipping: " + missing);
    }

    /** True when {@link #assumeAvailable()} would neither skip nor fail. */
    public static boolean available() {
        return missing() == null;
    }

    /**
     * A token nobody has used yet, with a random label and PINs (calls {@link #assumeAvailable()} first).
     *
     * <p>SoftHSM2 scans its token directory only at {@code C_Initialize}, once per JVM, and the JDK offers no
     * {@code C_InitToken}; a token initialised by {@code softhsm2-util} afterwards is invisible to this JVM. So the
     * first call initialises a pool of {@code hallmark.softhsm.tokens} (default 64) tokens <em>before</em> anything
     * in this JVM loads the library, and every call hands out the next one. Call it (or {@link #openToken()}) before
     * opening any other PKCS#11 token on SoftHSM2 in the same JVM. Tokens are not deleted at exit (deleting a token
     * directory breaks {@code C_GetSlotList} in every other JVM that loaded it); the next pool deletes those of
     * exited JVMs when no other pool's JVM is alive.
     *
     * @throws IllegalStateException if {@code softhsm2-util} fails or the pool is used up
     */
    public static Token newToken() {
        assumeAvailable();
        synchronized (SoftHsm.class) {
            if (pool == null) {
                pool = createPool(Integer.getInteger(POOL_PROPERTY, 64));
            }
            if (pool.isEmpty()) {
                throw new IllegalStateException("all SoftHSM2 tokens of this JVM are used; raise -D" + POOL_PROPERTY
                        + " (the library cannot see tokens created after it was loaded)");
            }
            return pool.remove(0);
        }
    }

    /** A ready {@link Pkcs11Token} on a fresh token; the caller closes it. */
    public static Pkcs11Token openToken() {
        return newToken().open();
    }

    /**
     * The SoftHSM2 configuration file, created (atomically, so parallel JVMs agree) if missing.
     *
     * @throws IllegalStateException if the file cannot be written
     */
    public static Path ensureConfig() {
        Path conf = Path.of(System.getProperty(CONF_PROPERTY, System.getenv().getOrDefault("SOFTHSM2_CONF", "")))
                .toAbsolutePath();
        if (Files.isRegularFile(conf)) {
            return conf;
        }
        try {
            Path tokens = conf.resolveSibling("tokens");
            Files.createDirectories(tokens);
            Path temporary = Files.createTempFile(conf.getParent(), ".softhsm2", ".conf");
            Files.writeString(temporary, "# written by dev.hallmark.hsm.testing.SoftHsm\n"
                    + "directories.tokendir = " + tokens + "\n"
                    + "objectstore.backend = file\n"
                    + "log.level = ERROR\n"
                    + "slots.removable = false\n", StandardCharsets.UTF_8);
            try {
                Files.move(temporary, conf, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
                Files.deleteIfExists(temporary);
            }
            return conf;
        } catch (IOException e) {
            throw new IllegalStateException("cannot write SoftHSM2 configuration " + conf, e);
        }
    }

    /**
     * Runs a command with {@code SOFTHSM2_CONF=conf} in its environment and returns its standard output (standard
     * error merged).
     *
     * @throws IllegalStateException if it exits non-zero or takes more than a minute
     */
    public static String run(Path conf, List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("SOFTHSM2_CONF", conf.toString());
        try {
            Process process = builder.start();
            process.getOutputStream().close();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(command.get(0) + " did not finish");
            }
            String text = new String(output, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(command.get(0) + " exited with " + process.exitValue() + ": " + text);
            }
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Creates the pool under a file lock shared by all JVMs using {@code conf}, so no JVM loads the library while
     * another one is deleting tokens.
     */
    private static List<Token> createPool(int size) {
        Path conf = ensureConfig();
        try (FileChannel lockFile = FileChannel.open(conf.resolveSibling("pool.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock lock = lockFile.lock()) {
            deleteTokensOfDeadJvms(conf);
            return initialise(conf, size);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Token> initialise(Path conf, int size) {
        String prefix = "hm-" + ProcessHandle.current().pid() + "-" + hex(3) + "-";
        List<Token> tokens = new ArrayList<>();
        Path pins = conf.resolveSibling("pins");
        try {
            Files.createDirectories(pins);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (int i = 0; i < size; i++) {
            String label = prefix + i;
            String pin = hex(8);
            String soPin = hex(8);
            run(conf, List.of("softhsm2-util", "--init-token", "--free", "--label", label, "--so-pin", soPin,
                    "--pin", pin));
            Path pinFile = pins.resolve(label + ".pin");
            try {
                Files.deleteIfExists(pinFile);
                Files.createFile(pinFile,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(pinFile, pin, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            tokens.add(new Token(LIBRARY, label, pin, soPin, pinFile, conf));
        }
        return tokens;
    }

    /**
     * Deletes the tokens of JVMs that have exited, but only when no other JVM's pool is alive. Deleting a token
     * directory makes {@code C_GetSlotList} fail with {@code CKR_GENERAL_ERROR} in every process that loaded it,
     * so tokens are never deleted while a JVM that may have loaded them runs (JVMs exit without deleting theirs).
     */
    private static void deleteTokensOfDeadJvms(Path conf) {
        String slots;
        try {
            slots = run(conf, List.of("softhsm2-util", "--show-slots"));
        } catch (IllegalStateException e) {
            return;
        }
        List<String> dead = new ArrayList<>();
        Matcher m = LABEL_LINE.matcher(slots);
        while (m.find()) {
            long pid = Long.parseLong(m.group(2));
            if (ProcessHandle.of(pid).isPresent()) {
                return;
            }
            dead.add(m.group(1));
        }
        for (String label : dead) {
            deleteToken(conf, label, conf.resolveSibling("pins").resolve(label + ".pin"));
        }
    }

    private static void deleteToken(Path conf, String label, Path pinFile) {
        try {
            run(conf, List.of("softhsm2-util", "--delete-token", "--token", label));
            Files.deleteIfExists(pinFile);
        } catch (RuntimeException | IOException e) {
            // Best effort: a leftover token only costs disk space under target/.
        }
    }

    private static String missing() {
        if (!Files.isReadable(LIBRARY)) {
            return LIBRARY + " not found (apt-get install softhsm2)";
        }
        if (!onPath("softhsm2-util")) {
            return "softhsm2-util not on PATH (apt-get install softhsm2)";
        }
        String env = System.getenv("SOFTHSM2_CONF");
        if (env == null || env.isEmpty()) {
            return "environment variable SOFTHSM2_CONF is not set for this JVM (run the tests through Maven)";
        }
        String property = System.getProperty(CONF_PROPERTY);
        if (property != null && !Path.of(property).toAbsolutePath().equals(Path.of(env).toAbsolutePath())) {
            return "SOFTHSM2_CONF (" + env + ") and -D" + CONF_PROPERTY + " (" + property + ") differ";
        }
        return null;
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    private static String hex(int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return HexFormat.of().formatHex(random);
    }
}
