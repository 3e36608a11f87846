package dev.hallmark.protocol.acme;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * External account binding keys (RFC 8555 §7.3.4): creates them and opens them for verifying a binding.
 *
 * <p>The HMAC key a client is given is stored only sealed: AES-256-GCM under a key-encryption key (KEK) kept in a
 * file beside the data, not in the database, with the kid as associated data so a sealed key cannot be moved to
 * another kid. A copy of the database alone (a backup, a read replica, an SQL injection) therefore never reveals
 * an EAB key (RELIABILITY I12). The KEK file is created on first use with 32 random bytes, mode 0600, atomically
 * and under a file lock so two processes starting together agree on one KEK. Nodes that share the database must
 * share the KEK file too, as they share the soft token file; a node without it cannot create keys while keys exist
 * and cannot open them ({@link IllegalStateException}).
 *
 * <p>Thread-safe. The HMAC key is returned once by {@link #create(String)} and never logged.
 */
public final class EabKeys {
    private static final int KEY_BYTES = 32;
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;
    /** First byte of a sealed key: the format (AES-256-GCM, 12-byte IV, 128-bit tag, kid as AAD). */
    private static final byte FORMAT_V1 = 1;
    /** Serialises KEK creation within this JVM; the file lock serialises it between processes. */
    private static final Object KEK_CREATION = new Object();

    private final AcmeStore store;
    private final Path kekFile;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private volatile byte[] kek;

    /**
     * @param store   where sealed keys are kept
     * @param kekFile the key-encryption key file (created on first {@link #create} when no EAB key exists yet)
     * @param clock   the time recorded as a key's creation
     */
    public EabKeys(AcmeStore store, Path kekFile, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.kekFile = Objects.requireNonNull(kekFile, "kekFile");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * A new EAB key, as handed to its holder once.
     *
     * @param kid              the key identifier
     * @param hmacKeyBase64Url the HMAC key, base64url without padding (RFC 8555 §7.3.4); not shown by {@link #toString()}
     */
    public record Created(String kid, String hmacKeyBase64Url) {
        @Override
        public String toString() {
            return "Created[kid=" + kid + ", hmacKeyBase64Url=<redacted>]";
        }
    }

    /**
     * Creates an unused key: a random kid and 32-byte HMAC key, stored sealed.
     *
     * @param createdBy who asks (recorded with the key)
     * @return the kid and the HMAC key, to show once
     * @throws IllegalStateException when the KEK file is missing although EAB keys exist
     */
    public Created create(String createdBy) {
        byte[] kidBytes = new byte[12];
        random.nextBytes(kidBytes);
        String kid = "kid-" + Base64.getUrlEncoder().withoutPadding().encodeToString(kidBytes);
        byte[] hmac = new byte[KEY_BYTES];
        do {
            random.nextBytes(hmac);
            // A key whose base64url starts with '-' (1 in 64) reads as an option to argument parsers: certbot's
            // "--eab-hmac-key -W0K..." fails. Drawing again costs the key less than 0.03 of its 256 bits.
        } while ((hmac[0] & 0xfc) == 0xf8);
        try {
            byte[] sealed = seal(kek(true), kid, hmac);
            store.createEab(new EabKey(kid, sealed, clock.instant(), createdBy, null, false));
            return new Created(kid, Base64.getUrlEncoder().withoutPadding().encodeToString(hmac));
        } finally {
            Arrays.fill(hmac, (byte) 0);
        }
    }

    /**
     * The HMAC key of {@code kid} for verifying an external account binding.
     *
     * @return the key when {@code kid} exists, is unused and is not revoked; else empty
     * @throws IllegalStateException when the KEK file is missing or is not the one the key was sealed with
     */
    public Optional<byte[]> hmacKey(String kid) {
        Optional<EabKey> key = store.eab(kid);
        if (key.isEmpty() || key.get().accountId() != null || key.get().revoked()) {
            return Optional.empty();
        }
        return Optional.of(unseal(kek(false), kid, key.get().sealedKey()));
    }

    private byte[] seal(byte[] k, String kid, byte[] plain) {
        byte[] iv = new byte[IV_BYTES];
        random.nextBytes(iv);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(k, "AES"), new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(kid.getBytes(StandardCharsets.UTF_8));
            byte[] body = cipher.doFinal(plain);
            return ByteBuffer.allocate(1 + IV_BYTES + body.length).put(FORMAT_V1).put(iv).put(body).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot seal an EAB key", e);
        }
    }

    private static byte[] unseal(byte[] k, String kid, byte[] sealed) {
        if (sealed.length < 1 + IV_BYTES || sealed[0] != FORMAT_V1) {
            throw new IllegalStateException("EAB key " + kid + " is stored in an unknown format");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(k, "AES"),
                    new GCMParameterSpec(TAG_BITS, sealed, 1, IV_BYTES));
            cipher.updateAAD(kid.getBytes(StandardCharsets.UTF_8));
            return cipher.doFinal(sealed, 1 + IV_BYTES, sealed.length - 1 - IV_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot open EAB key " + kid + ": it was sealed with another key-encryption"
                    + " key than the one in the EAB KEK file (nodes sharing a database must share that file)", e);
        }
    }

    /** The KEK, read once; created when {@code mayCreate} and no EAB key exists that it would orphan. */
    private byte[] kek(boolean mayCreate) {
        byte[] k = kek;
        if (k != null) {
            return k;
        }
        synchronized (KEK_CREATION) {
            if (kek == null) {
                kek = Files.exists(kekFile) ? read() : createIfAbsent(mayCreate);
            }
            return kek;
        }
    }

    private byte[] createIfAbsent(boolean mayCreate) {
        if (!mayCreate || !store.eabKeys().isEmpty()) {
            throw new IllegalStateException("the EAB key-encryption key file " + kekFile + " is missing but EAB keys"
                    + " exist; copy it from the node that created them (nodes sharing a database share this file)");
        }
        try {
            Path dir = kekFile.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path lockFile = dir.resolve(kekFile.getFileName() + ".lock");
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                FileLock lock = channel.lock();
                try {
                    // Another process may have created it while we waited for the lock.
                    return Files.exists(kekFile) ? read() : writeNew(dir);
                } finally {
                    lock.release();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the EAB key-encryption key file " + kekFile, e);
        }
    }

    private byte[] writeNew(Path dir) throws IOException {
        byte[] fresh = new byte[KEY_BYTES];
        random.nextBytes(fresh);
        Path tmp = Files.createTempFile(dir, kekFile.getFileName().toString(), ".tmp", ownerOnly(dir));
        try {
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(fresh);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                out.force(true);
            }
            Files.move(tmp, kekFile, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return fresh;
    }

    private static FileAttribute<?>[] ownerOnly(Path dir) {
        return dir.getFileSystem().supportedFileAttributeViews().contains("posix")
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
    }

    private byte[] read() {
        try {
            byte[] k = Files.readAllBytes(kekFile);
            if (k.length != KEY_BYTES) {
                throw new IllegalStateException("the EAB key-encryption key file " + kekFile + " must hold " + KEY_BYTES
                        + " bytes, not " + k.length);
            }
            return k;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the EAB key-encryption key file " + kekFile, e);
        }
    }
}
