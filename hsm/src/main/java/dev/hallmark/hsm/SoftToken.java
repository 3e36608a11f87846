package dev.hallmark.hsm;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link CryptoToken} whose keys live in an encrypted PKCS#12 file, with BouncyCastle doing key generation and
 * signing. Meant for development, tests and small deployments without an HSM; keys are decrypted into memory at
 * {@link #open}.
 *
 * <p>File format: BouncyCastle's {@code PKCS12-PBMAC1} key store: every private key is a shrouded key bag
 * encrypted with AES-256-CBC under PBES2/PBKDF2-HMAC-SHA256 (300,000 iterations), certificates with AES-128-CBC,
 * and the whole file is authenticated with PBMAC1 (RFC 9579, HMAC-SHA512, PBKDF2-HMAC-SHA256). OpenSSL reads
 * PBMAC1 from 3.4 on; BouncyCastle and keytool-with-BC read it everywhere. Each key sits next to a self-signed
 * {@link PlaceholderCertificate} signed by that key. The file is rewritten atomically (temporary file in the
 * same directory, fsync, rename) after every {@link #generateKey} and always has permissions {@code 0600}.
 *
 * <p>Thread-safe: {@link #sign} runs concurrently without locks (one {@link Signature} per call over cached
 * keys); {@link #generateKey} is serialised, across processes too: it writes under an exclusive lock on
 * {@code .<file>.lock} after re-reading the file, so processes sharing one token file (a CA node and an OCSP node
 * over one data directory) never overwrite each other's keys, and each sees the others' keys from then on.
 */
public final class SoftToken implements CryptoToken {
    private static final Logger LOG = LoggerFactory.getLogger(SoftToken.class);
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String STORE_TYPE = "PKCS12-PBMAC1";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final AtomicInteger MEMORY_TOKENS = new AtomicInteger();
    /** One monitor per token file in this JVM: file locks are per process, so threads of one process queue here. */
    private static final Map<Path, Object> FILE_LOCKS = new ConcurrentHashMap<>();

    private final String name;
    /** Null for an in-memory token. */
    private final Path file;
    /** Null for an in-memory token. */
    private final char[] passphrase;
    /** Null for an in-memory token; guarded by {@code this} for writes. */
    private final KeyStore store;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private record Entry(KeyRef ref, PrivateKey privateKey, PublicKey publicKey) {
    }

    private SoftToken(String name, Path file, char[] passphrase, KeyStore store) {
        this.name = name;
        this.file = file;
        this.passphrase = passphrase;
        this.store = store;
    }

    /**
     * Creates a new, empty token file (mode 0600). The passphrase is copied; the caller may wipe its array.
     *
     * @throws TokenException {@code BAD_CONFIG} if the file exists already, its directory does not exist, or the
     *                        passphrase is empty
     */
    public static SoftToken create(Path file, char[] passphrase) {
        Objects.requireNonNull(file, "file");
        char[] secret = copyPassphrase(passphrase);
        Path absolute = file.toAbsolutePath();
        if (absolute.getParent() == null || !Files.isDirectory(absolute.getParent())) {
            throw new TokenException(TokenException.Reason.BAD_CONFIG,
                    "directory of soft token file " + absolute + " does not exist");
        }
        try {
            Files.newByteChannel(absolute, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    ownerOnly(absolute.getParent())).close();
        } catch (FileAlreadyExistsException e) {
            throw new TokenException(TokenException.Reason.BAD_CONFIG,
                    "soft token file " + absolute + " exists already; open it instead of creating it");
        } catch (IOException e) {
            throw new TokenException(TokenException.Reason.BAD_CONFIG,
                    "cannot create soft token file " + absolute + ": " + e.getMessage(), e);
        }
        try {
            KeyStore store = KeyStore.getInstance(STORE_TYPE, BC);
            store.load(null, null);
            SoftToken token = new SoftToken(nameOf(absolute), absolute, secret, store);
            token.persist();
            return token;
        } catch (GeneralSecurityException | IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(absolute);
            } catch (IOException ignored) {
                LOG.warn("cannot remove half-created soft token file {}", absolute);
            }
            throw e instanceof TokenException te ? te : new TokenException(TokenException.Reason.BAD_CONFIG,
                    "cannot create soft token file " + absolute + ": " + e.getMessage(), e);
        }
    }

    /**
     * Opens an existing token file and decrypts its keys into memory. The passphrase is copied.
     *
     * @throws TokenException {@code BAD_CONFIG} if the file is missing, the passphrase is wrong, or the file is
     *                        corrupt
     */
    public static SoftToken open(Path file, char[] passphrase) {
        Objects.requireNonNull(file, "file");
        char[] secret = copyPassphrase(passphrase);
        Path absolute = file.toAbsolutePath();
        byte[] content;
        try {
            content = Files.readAllBytes(absolute);
        } catch (NoSuchFileException e) {
            throw new TokenException(TokenException.Reason.BAD_CONFIG, "soft token file " + absolute
                    + " does not exist; create it first (e.g. with the key-generation command)");
        } catch (IOException e) {
            throw new TokenException(TokenException.Reason.BAD_CONFIG,
                    "cannot read soft token file " + absolute + ": " + e.getMessage(), e);
        }
        KeyStore store;
        try {
            store = KeyStore.getInstance(STORE_TYPE, BC);
            store.load(new ByteArrayInputStream(content), secret);
        } catch (IOException e) {
            boolean badPassphrase = e.getCause() instanceof UnrecoverableKeyException;
            throw new TokenException(TokenException.Reason.BAD_CONFIG, badPassphrase
                    ? "cannot open soft token file " + absolute + ": wrong passphrase or corrupted file"
                    : "cannot open soft token file " + absolute + ": not a readable PKCS#12 key store", e);
        } catch (GeneralSecurityException e) {
            throw new TokenException(TokenException.Reason.BAD_CONFIG,
                    "cannot open soft token file " + absolute + ": " + e.getMessage(), e);
        }
        warnIfShared(absolute);
        SoftToken token = new SoftToken(nameOf(absolute), absolute, secret, store);
        token.loadEntries();
        return token;
    }

    /**
     * A token that keeps its keys in memory only (tests, throw-away CAs). Key generation is as fast as the
     * algorithm allows; nothing is written anywhere.
     */
    public static SoftToken inMemory() {
        return new SoftToken("soft:memory-" + MEMORY_TOKENS.incrementAndGet(), null, null, null);
    }

    /** {@code soft:<file name>} or {@code soft:memory-<n>}. */
    @Override
    public String name() {
        return name;
    }

    /** The backing file; empty for an in-memory token. */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /**
     * Generates a key pair with BouncyCastle and, for a file token, rewrites the file before returning.
     *
     * @throws TokenException {@code KEY_EXISTS} if the alias is taken, {@code UNAVAILABLE} if the file cannot be
     *                        written (the key is then discarded)
     */
    @Override
    public synchronized KeyRef generateKey(String alias, KeyType type) {
        ensureOpen();
        checkAlias(alias);
        Objects.requireNonNull(type, "type");
        if (entries.containsKey(alias)) {
            throw new TokenException(TokenException.Reason.KEY_EXISTS,
                    "key '" + alias + "' exists already in token " + name);
        }
        KeyPair pair = generatePair(type);
        KeyRef ref = new KeyRef(name, alias, type);
        if (store != null) {
            X509Certificate placeholder = placeholder(alias, type, pair);
            // Other processes may share the file (a CA node and an OCSP node over one data directory): write under
            // an exclusive lock, on top of what is on disk now, so nobody's key is overwritten.
            Path lockFile = file.resolveSibling("." + file.getFileName() + ".lock");
            synchronized (FILE_LOCKS.computeIfAbsent(file, f -> new Object())) {
                try (FileChannel channel = FileChannel.open(lockFile, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                        ownerOnly(file.getParent()));
                     java.nio.channels.FileLock lock = channel.lock()) {
                    LOG.debug("holding {} (shared: {})", lockFile, lock.isShared());
                    store.load(new ByteArrayInputStream(Files.readAllBytes(file)), passphrase);
                    loadEntries();
                    if (store.containsAlias(alias)) {
                        throw new TokenException(TokenException.Reason.KEY_EXISTS,
                                "key '" + alias + "' exists already in token " + name);
                    }
                    store.setKeyEntry(alias, pair.getPrivate(), passphrase, new Certificate[] {placeholder});
                    persist();
                } catch (GeneralSecurityException | IOException e) {
                    try {
                        store.deleteEntry(alias);
                    } catch (GeneralSecurityException ignored) {
                        LOG.warn("cannot roll back key '{}' in token {}", alias, name);
                    }
                    throw new TokenException(TokenException.Reason.UNAVAILABLE,
                            "cannot save key '" + alias + "' to " + file + ": " + e.getMessage(), e);
                }
            }
        }
        entries.put(alias, new Entry(ref, pair.getPrivate(), pair.getPublic()));
        LOG.info("generated {} key '{}' in token {}", type.cliName(), alias, name);
        return ref;
    }

    @Override
    public Optional<KeyRef> find(String alias) {
        ensureOpen();
        Entry entry = entries.get(alias);
        return entry == null ? Optional.empty() : Optional.of(entry.ref());
    }

    /** Every key, sorted by alias. */
    @Override
    public List<KeyRef> keys() {
        ensureOpen();
        List<KeyRef> refs = new ArrayList<>();
        entries.values().forEach(e -> refs.add(e.ref()));
        refs.sort(Comparator.comparing(KeyRef::alias));
        return Collections.unmodifiableList(refs);
    }

    @Override
    public PublicKey publicKey(KeyRef key) {
        return entry(key).publicKey();
    }

    /**
     * Signs with BouncyCastle; ECDSA signatures are DER, {@code RSA_PSS_SHA256} uses SHA-256, MGF1-SHA-256 and a
     * 32-byte salt (the parameters {@link SignatureAlgorithm#algorithmIdentifier()} announces).
     */
    @Override
    public byte[] sign(KeyRef key, SignatureAlgorithm algorithm, byte[] data) {
        Entry entry = entry(key);
        if (!algorithm.supports(entry.ref().type())) {
            throw new TokenException(TokenException.Reason.UNSUPPORTED,
                    algorithm + " cannot sign with the " + entry.ref().type().cliName() + " key '" + key.alias() + "'");
        }
        try {
            Signature signer = Signature.getInstance(algorithm.jcaName(), BC);
            signer.initSign(entry.privateKey(), RANDOM);
            signer.update(data);
            return signer.sign();
        } catch (GeneralSecurityException e) {
            throw new TokenException(TokenException.Reason.UNSUPPORTED,
                    "cannot sign with key '" + key.alias() + "' using " + algorithm + ": " + e.getMessage(), e);
        }
    }

    /** True until {@link #close()}. */
    @Override
    public boolean isAvailable() {
        return !closed;
    }

    /** Forgets the keys and wipes the passphrase copy; later calls fail with {@code UNAVAILABLE}. */
    @Override
    public synchronized void close() {
        closed = true;
        entries.clear();
        if (passphrase != null) {
            Arrays.fill(passphrase, '\0');
        }
    }

    private Entry entry(KeyRef key) {
        ensureOpen();
        Entry entry = entries.get(key.alias());
        if (entry == null) {
            throw new TokenException(TokenException.Reason.KEY_NOT_FOUND,
                    "no key '" + key.alias() + "' in token " + name);
        }
        if (entry.ref().type() != key.type()) {
            throw new TokenException(TokenException.Reason.KEY_NOT_FOUND, "key '" + key.alias() + "' in token "
                    + name + " is " + entry.ref().type().cliName() + ", not " + key.type().cliName());
        }
        return entry;
    }

    private void ensureOpen() {
        if (closed) {
            throw new TokenException(TokenException.Reason.UNAVAILABLE, "token " + name + " is closed");
        }
    }

    private void loadEntries() {
        try {
            for (String alias : Collections.list(store.aliases())) {
                if (!store.isKeyEntry(alias)) {
                    continue;
                }
                Key key = store.getKey(alias, passphrase);
                Certificate certificate = store.getCertificate(alias);
                if (!(key instanceof PrivateKey privateKey) || certificate == null) {
                    LOG.warn("skipping entry '{}' in {}: no private key with certificate", alias, file);
                    continue;
                }
                PublicKey publicKey = certificate.getPublicKey();
                Optional<KeyType> type = PlaceholderCertificate.keyType(publicKey);
                if (type.isEmpty()) {
                    LOG.warn("skipping entry '{}' in {}: unsupported key type {}", alias, file,
                            publicKey.getAlgorithm());
                    continue;
                }
                entries.put(alias, new Entry(new KeyRef(name, alias, type.get()), privateKey, publicKey));
            }
        } catch (GeneralSecurityException e) {
            throw new TokenException(TokenException.Reason.BAD_CONFIG,
                    "cannot read the keys of soft token file " + file + ": " + e.getMessage(), e);
        }
    }

    private static KeyPair generatePair(KeyType type) {
        try {
            KeyPairGenerator generator;
            switch (type) {
                case EC_P256, EC_P384 -> {
                    generator = KeyPairGenerator.getInstance("EC", BC);
                    generator.initialize(new ECGenParameterSpec(type == KeyType.EC_P256 ? "secp256r1" : "secp384r1"),
                            RANDOM);
                }
                case RSA_2048, RSA_3072, RSA_4096 -> {
                    generator = KeyPairGenerator.getInstance("RSA", BC);
                    generator.initialize(new RSAKeyGenParameterSpec(type.bits(), RSAKeyGenParameterSpec.F4), RANDOM);
                }
                case ED25519 -> {
                    generator = KeyPairGenerator.getInstance("Ed25519", BC);
                    generator.initialize(255, RANDOM);
                }
                case ML_DSA_65 -> {
                    generator = KeyPairGenerator.getInstance("ML-DSA-65", BC);
                }
                default -> throw new TokenException(TokenException.Reason.UNSUPPORTED,
                        "soft token cannot generate " + type.cliName() + " keys");
            }
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new TokenException(TokenException.Reason.UNSUPPORTED,
                    "BouncyCastle cannot generate a " + type.cliName() + " key: " + e.getMessage(), e);
        }
    }

    private static X509Certificate placeholder(String alias, KeyType type, KeyPair pair) {
        try {
            return PlaceholderCertificate.build(alias, pair.getPublic(),
                    new JcaContentSignerBuilder(type.defaultSignatureAlgorithm().jcaName()).setProvider(BC)
                            .setSecureRandom(RANDOM).build(pair.getPrivate()));
        } catch (OperatorCreationException e) {
            throw new TokenException(TokenException.Reason.UNSUPPORTED,
                    "cannot sign the placeholder certificate for key '" + alias + "'", e);
        }
    }

    /** Writes the store to a 0600 temporary file beside {@link #file}, fsyncs it and renames it over the file. */
    private void persist() throws GeneralSecurityException, IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(8192);
        store.store(buffer, passphrase);
        Path directory = file.getParent();
        Path temporary = Files.createTempFile(directory, "." + file.getFileName(), ".tmp", ownerOnly(directory));
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer bytes = ByteBuffer.wrap(buffer.toByteArray());
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
                channel.force(true);
            }
            try {
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private static FileAttribute<?>[] ownerOnly(Path directory) {
        try {
            if (Files.getFileStore(directory).supportsFileAttributeView("posix")) {
                return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)};
            }
        } catch (IOException e) {
            LOG.debug("cannot check for POSIX permissions", e);
        }
        return new FileAttribute<?>[0];
    }

    private static void warnIfShared(Path file) {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            if (!OWNER_ONLY.containsAll(permissions)) {
                LOG.warn("soft token file {} has permissions {}; it should be 0600", file,
                        PosixFilePermissions.toString(permissions));
            }
        } catch (IOException | UnsupportedOperationException e) {
            LOG.debug("cannot read permissions of {}", file);
        }
    }

    private static char[] copyPassphrase(char[] passphrase) {
        if (passphrase == null || passphrase.length == 0) {
            throw new TokenException(TokenException.Reason.BAD_CONFIG, "soft token passphrase is empty");
        }
        return passphrase.clone();
    }

    private static String nameOf(Path file) {
        return "soft:" + file.getFileName();
    }

    private static void checkAlias(String alias) {
        Objects.requireNonNull(alias, "alias");
        if (alias.isBlank() || alias.length() > 100 || alias.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("key alias must be 1 to 100 printable characters");
        }
    }
}
