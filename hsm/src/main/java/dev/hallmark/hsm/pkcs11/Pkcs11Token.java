package dev.hallmark.hsm.pkcs11;

import dev.hallmark.hsm.CryptoToken;
import dev.hallmark.hsm.KeyRef;
import dev.hallmark.hsm.KeyType;
import dev.hallmark.hsm.PlaceholderCertificate;
import dev.hallmark.hsm.Secret;
import dev.hallmark.hsm.SignatureAlgorithm;
import dev.hallmark.hsm.TokenException;
import dev.hallmark.hsm.TokenException.Reason;
import java.io.IOException;
import java.security.AuthProvider;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.InvalidParameterException;
import java.security.Key;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.ProviderException;
import java.security.PublicKey;
import java.security.Security;
import java.security.Signature;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link CryptoToken} on a PKCS#11 token through the JDK's SunPKCS11 provider. Private keys are generated in
 * the token as {@code CKA_TOKEN}, {@code CKA_SENSITIVE}, non-{@code CKA_EXTRACTABLE} objects that can only sign
 * ({@code CKA_DECRYPT}, {@code CKA_UNWRAP}, {@code CKA_DERIVE} false), so they never leave it; Java only ever holds
 * handles.
 *
 * <p><b>Configuration.</b> The provider is configured inline from {@link Pkcs11Settings} and is never added to the
 * global provider list. SunPKCS11 knows slots only by id, which SoftHSM2 and many HSMs randomise, so the slot is
 * found by the token label through the read-only Cryptoki calls {@code C_GetSlotList}/{@code C_GetTokenInfo} of the
 * JDK's internal wrapper; the JVM therefore needs
 * {@code --add-exports=jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED}. Each key is stored with
 * {@code KeyStore.setKeyEntry(alias, key, null, chain)} next to a {@link PlaceholderCertificate} signed inside the
 * token, so it can be found again ({@code CKA_ID} and {@code CKA_LABEL} are the alias). Supported key types: EC
 * P-256 and P-384, RSA 2048, 3072 and 4096; Ed25519 and ML-DSA are {@code UNSUPPORTED} (no EdDSA in SunPKCS11 on
 * Java 17). Signature algorithms: ECDSA with SHA-256/384/512 (DER), RSA PKCS#1 v1.5 with SHA-256/384/512 and
 * RSASSA-PSS (SHA-256, MGF1-SHA-256, salt 32, trailer 1) through SunPKCS11's {@code SHA256withRSASSA-PSS}.
 *
 * <p><b>PIN.</b> Copied at {@link #open}, kept for re-login, wiped at {@link #close}; never logged and never in
 * an exception message. Each open or reconnect makes exactly one login attempt; a wrong PIN is {@code BAD_CONFIG}
 * and stops all further logins by this object, so a wrong PIN can never lock the token through retries.
 * PKCS#11 login state is per process and per token: a second {@code Pkcs11Token} on a token this process is
 * already logged in to is not asked for its PIN by the library (SunPKCS11 skips {@code C_Login} then).
 *
 * <p><b>Token loss and logout</b> (observed with SunPKCS11 on JDK 17 and SoftHSM2 2.6.1). SunPKCS11 does not log
 * in again by itself. After a logout (e.g. {@code AuthProvider.logout()} by anyone in the process; login state is
 * shared by all sessions of a process) the private key objects become invisible and a sign fails in
 * {@code initSign} with {@code ProviderException("Initialization failed")} caused by
 * {@code CKR_OBJECT_HANDLE_INVALID}. After a token or device loss calls fail with {@code CKR_TOKEN_NOT_PRESENT},
 * {@code CKR_DEVICE_REMOVED}, {@code CKR_SESSION_HANDLE_INVALID}, {@code CKR_DEVICE_ERROR} or SunPKCS11's own
 * "Token has been removed"; deleting a SoftHSM2 token's directory under a running process makes even
 * {@code C_GetSlotList} fail with {@code CKR_GENERAL_ERROR}. Such a failure marks the connection broken, and this
 * class rebuilds it without restarting the process: it finds the slot by label again, configures a <em>new</em>
 * SunPKCS11 instance (an old one cannot be revived once its token object is invalid), logs in once and reloads
 * the key handles. A sign that fails this way is retried once on the new connection, so a logout is recovered
 * transparently (tested). If the rebuild fails the call ends with {@code UNAVAILABLE}, and further rebuilds are
 * attempted at most once per second (by the next call or by {@link #isAvailable()}), other calls failing fast
 * meanwhile (tested with a deleted token: {@code UNAVAILABLE}, {@code isAvailable()} false). The native library is
 * initialised once per JVM and never re-initialised (the JDK caches it per library path), so a library that
 * cannot see a re-inserted device or a token created after start-up without {@code C_Finalize}/
 * {@code C_Initialize} needs a process restart; SoftHSM2 is such a library.
 *
 * <p><b>Threads.</b> Thread-safe. {@link #sign} runs concurrently (the provider is thread-safe; a new
 * {@link Signature} per call); {@link #generateKey} is serialised; reconnects are serialised and happen once per
 * broken connection however many threads notice it.
 */
public final class Pkcs11Token implements CryptoToken {
    private static final Logger LOG = LoggerFactory.getLogger(Pkcs11Token.class);
    private static final long RECONNECT_INTERVAL_NANOS = 1_000_000_000L;
    private static final PSSParameterSpec PSS_SHA256 =
            new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1);
    /** Return values meaning the token, session or login went away: reconnecting may help. */
    private static final Set<String> LOST = Set.of("CKR_TOKEN_NOT_PRESENT", "CKR_TOKEN_NOT_RECOGNIZED",
            "CKR_DEVICE_REMOVED", "CKR_DEVICE_ERROR", "CKR_DEVICE_MEMORY", "CKR_SESSION_HANDLE_INVALID",
            "CKR_SESSION_CLOSED", "CKR_SESSION_COUNT", "CKR_USER_NOT_LOGGED_IN", "CKR_CRYPTOKI_NOT_INITIALIZED",
            "CKR_SLOT_ID_INVALID", "CKR_KEY_HANDLE_INVALID", "CKR_OBJECT_HANDLE_INVALID", "CKR_GENERAL_ERROR",
            "CKR_FUNCTION_FAILED", "CKR_HOST_MEMORY");
    /** Return values meaning the token cannot do what was asked. */
    private static final Set<String> UNSUPPORTED = Set.of("CKR_MECHANISM_INVALID", "CKR_MECHANISM_PARAM_INVALID",
            "CKR_KEY_TYPE_INCONSISTENT", "CKR_KEY_SIZE_RANGE", "CKR_KEY_FUNCTION_NOT_PERMITTED",
            "CKR_TEMPLATE_INCONSISTENT", "CKR_TEMPLATE_INCOMPLETE", "CKR_ATTRIBUTE_VALUE_INVALID",
            "CKR_ATTRIBUTE_TYPE_INVALID", "CKR_DOMAIN_PARAMS_INVALID", "CKR_CURVE_NOT_SUPPORTED");

    private final String name;
    private final Pkcs11Settings settings;
    private final char[] pin;
    private final Cryptoki cryptoki;
    private final Object reconnectLock = new Object();
    private final Object generateLock = new Object();
    private volatile Connection connection;
    private volatile boolean closed;
    /** Set when a reconnect met a wrong or locked PIN: no further login is attempted. */
    private volatile String fatal;
    /** Guarded by {@link #reconnectLock}. */
    private long nextReconnectNanos;

    /** One SunPKCS11 instance with its key store and key handles. */
    private static final class Connection {
        final AuthProvider provider;
        final KeyStore store;
        final long slot;
        final long probeSession;
        final Map<String, Entry> entries = new ConcurrentHashMap<>();
        volatile boolean broken;

        Connection(AuthProvider provider, KeyStore store, long slot, long probeSession) {
            this.provider = provider;
            this.store = store;
            this.slot = slot;
            this.probeSession = probeSession;
        }
    }

    private record Entry(KeyRef ref, PrivateKey privateKey, PublicKey publicKey) {
    }

    private Pkcs11Token(Pkcs11Settings settings, char[] pin, Cryptoki cryptoki) {
        this.name = "pkcs11:" + settings.name();
        this.settings = settings;
        this.pin = pin;
        this.cryptoki = cryptoki;
    }

    /**
     * Loads the library, finds the token by label, configures a SunPKCS11 instance for its slot and logs in once.
     * The PIN is copied; the caller may wipe {@code settings.pin()} afterwards.
     *
     * @param settings not {@code null}
     * @return an open token; close it when done
     * @throws TokenException {@code BAD_CONFIG} for a library that cannot be loaded, a label no token has, a wrong
     *                        or locked PIN, or a JVM without SunPKCS11 or the wrapper export; {@code UNAVAILABLE}
     *                        when the token does not answer
     */
    public static Pkcs11Token open(Pkcs11Settings settings) {
        Objects.requireNonNull(settings, "settings");
        Cryptoki cryptoki = Cryptoki.load(settings.library());
        Pkcs11Token token = new Pkcs11Token(settings, settings.pin().clone(), cryptoki);
        try {
            token.connection = token.connect();
        } catch (RuntimeException e) {
            Secret.wipe(token.pin);
            throw e;
        }
        LOG.info("opened PKCS#11 token '{}' ({}) in slot {}", settings.tokenLabel(), token.name,
                token.connection.slot);
        return token;
    }

    /** {@code pkcs11:<settings name>}. */
    @Override
    public String name() {
        return name;
    }

    /** The label of the token this object works on. */
    public String tokenLabel() {
        return settings.tokenLabel();
    }

    /**
     * Generates a key pair inside the token and stores it under {@code alias} with a placeholder certificate
     * signed by the new key inside the token.
     *
     * @param alias 1 to 100 printable characters, not {@code null}
     * @param type  not {@code null}; EC P-256/P-384 or RSA 2048/3072/4096
     * @throws TokenException {@code KEY_EXISTS} if the alias is taken, {@code UNSUPPORTED} for Ed25519, ML-DSA or a
     *                        type the token refuses, {@code UNAVAILABLE} if the token is unreachable
     */
    @Override
    public KeyRef generateKey(String alias, KeyType type) {
        checkAlias(alias);
        Objects.requireNonNull(type, "type");
        if (!type.isEc() && !type.isRsa()) {
            throw new TokenException(Reason.UNSUPPORTED,
                    "PKCS#11 token " + name + " cannot hold " + type.cliName() + " keys (SunPKCS11 has no "
                            + type.family() + ")");
        }
        synchronized (generateLock) {
            Connection c = current();
            if (entry(c, alias).isPresent() || contains(c, alias)) {
                throw new TokenException(Reason.KEY_EXISTS, "key '" + alias + "' exists already in token " + name);
            }
            try {
                KeyPairGenerator generator = KeyPairGenerator.getInstance(type.family(), c.provider);
                if (type.isEc()) {
                    generator.initialize(new ECGenParameterSpec(type == KeyType.EC_P256 ? "secp256r1" : "secp384r1"));
                } else {
                    generator.initialize(new RSAKeyGenParameterSpec(type.bits(), RSAKeyGenParameterSpec.F4));
                }
                KeyPair pair = generator.generateKeyPair();
                X509Certificate placeholder = PlaceholderCertificate.build(alias, pair.getPublic(),
                        new JcaContentSignerBuilder(type.defaultSignatureAlgorithm().jcaName())
                                .setProvider(c.provider).build(pair.getPrivate()));
                c.store.setKeyEntry(alias, pair.getPrivate(), null, new Certificate[] {placeholder});
                Entry entry = lookup(c, alias).orElseThrow(() -> new TokenException(Reason.UNAVAILABLE,
                        "key '" + alias + "' was stored in token " + name + " but cannot be read back"));
                LOG.info("generated {} key '{}' in token {}", type.cliName(), alias, name);
                return entry.ref();
            } catch (GeneralSecurityException | OperatorCreationException | ProviderException e) {
                throw failure(c, e, "cannot generate " + type.cliName() + " key '" + alias + "' in token " + name);
            } catch (RuntimeException e) {
                // BouncyCastle wraps a signing failure of the placeholder (e.g. token loss) in a RuntimeException.
                if (e instanceof TokenException te) {
                    throw te;
                }
                throw failure(c, e, "cannot generate " + type.cliName() + " key '" + alias + "' in token " + name);
            }
        }
    }

    /**
     * The key stored under {@code alias}, if the token has a private key with a placeholder certificate there.
     *
     * @throws TokenException {@code UNAVAILABLE} if the token is unreachable
     */
    @Override
    public Optional<KeyRef> find(String alias) {
        Objects.requireNonNull(alias, "alias");
        Connection c = current();
        return entry(c, alias).map(Entry::ref);
    }

    /**
     * Every key in the token that has a placeholder certificate and a known {@link KeyType}, sorted by alias.
     *
     * @throws TokenException {@code UNAVAILABLE} if the token is unreachable
     */
    @Override
    public List<KeyRef> keys() {
        Connection c = current();
        List<KeyRef> refs = new ArrayList<>();
        refresh(c);
        try {
            for (String alias : Collections.list(c.store.aliases())) {
                lookup(c, alias).ifPresent(e -> refs.add(e.ref()));
            }
        } catch (GeneralSecurityException | ProviderException e) {
            throw failure(c, e, "cannot list the keys of token " + name);
        }
        refs.sort(Comparator.comparing(KeyRef::alias));
        return Collections.unmodifiableList(refs);
    }

    /**
     * The public half of {@code key}, from its placeholder certificate.
     *
     * @throws TokenException {@code KEY_NOT_FOUND} if the token has no such key of that type, {@code UNAVAILABLE}
     */
    @Override
    public PublicKey publicKey(KeyRef key) {
        return require(current(), key).publicKey();
    }

    /**
     * Signs inside the token with a new {@link Signature} of this token's provider. ECDSA results are DER; RSA-PSS
     * uses SHA-256, MGF1-SHA-256 and a 32-byte salt. A failure that means token loss or logout is retried once after
     * a reconnect (see the class comment).
     *
     * @throws TokenException {@code KEY_NOT_FOUND}, {@code UNSUPPORTED} when {@code algorithm} does not fit the key
     *                        or the token lacks the mechanism, {@code UNAVAILABLE} when the token is lost and could
     *                        not be reconnected
     */
    @Override
    public byte[] sign(KeyRef key, SignatureAlgorithm algorithm, byte[] data) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(data, "data");
        if (!algorithm.supports(key.type())) {
            throw new TokenException(Reason.UNSUPPORTED,
                    algorithm + " cannot sign with the " + key.type().cliName() + " key '" + key.alias() + "'");
        }
        for (int attempt = 0; ; attempt++) {
            Connection c = current();
            Entry entry = require(c, key);
            try {
                Signature signer = Signature.getInstance(providerAlgorithm(algorithm), c.provider);
                if (algorithm == SignatureAlgorithm.RSA_PSS_SHA256) {
                    signer.setParameter(PSS_SHA256);
                }
                signer.initSign(entry.privateKey());
                signer.update(data);
                return signer.sign();
            } catch (GeneralSecurityException | ProviderException e) {
                TokenException failure = failure(c, e,
                        "cannot sign with key '" + key.alias() + "' in token " + name + " using " + algorithm);
                if (failure.reason() != Reason.UNAVAILABLE || attempt > 0) {
                    throw failure;
                }
                LOG.warn("token {} failed during a sign ({}); reconnecting once", name, failure.getMessage());
            }
        }
    }

    /**
     * A cheap probe: the token is present and this process is logged in to it (two Cryptoki calls on a session
     * kept for this purpose). When the connection is broken it makes one bounded reconnect attempt (at most one per
     * second). Never throws.
     */
    @Override
    public boolean isAvailable() {
        if (closed || fatal != null) {
            return false;
        }
        Connection c = connection;
        if (c == null) {
            return false;
        }
        if (!c.broken) {
            try {
                if (cryptoki.loggedIn(c.probeSession)) {
                    return true;
                }
                LOG.warn("token {} is logged out; reconnecting", name);
            } catch (Cryptoki.Pkcs11Failure e) {
                LOG.warn("token {} does not answer ({}); reconnecting", name, e.code());
            }
            c.broken = true;
        }
        try {
            current();
            return true;
        } catch (TokenException e) {
            return false;
        }
    }

    /**
     * Wipes the PIN copy and closes the probe session; later calls fail with {@code UNAVAILABLE}. It does not log
     * the process out of the token, because PKCS#11 login state is shared by every session of the process (another
     * {@code Pkcs11Token} on the same token would be logged out too); the login ends with the process. Idempotent.
     */
    @Override
    public void close() {
        synchronized (reconnectLock) {
            if (closed) {
                return;
            }
            closed = true;
            Connection c = connection;
            if (c != null) {
                closeProbe(c);
                c.entries.clear();
            }
            Secret.wipe(pin);
        }
    }

    /** The provider of the current connection (tests use it to log out). */
    AuthProvider provider() {
        return current().provider;
    }

    // ---- connection handling

    private Connection current() {
        if (closed) {
            throw new TokenException(Reason.UNAVAILABLE, "token " + name + " is closed");
        }
        String why = fatal;
        if (why != null) {
            throw new TokenException(Reason.BAD_CONFIG, why);
        }
        Connection c = connection;
        return c.broken ? reconnect(c) : c;
    }

    private Connection reconnect(Connection broken) {
        synchronized (reconnectLock) {
            if (closed) {
                throw new TokenException(Reason.UNAVAILABLE, "token " + name + " is closed");
            }
            if (fatal != null) {
                throw new TokenException(Reason.BAD_CONFIG, fatal);
            }
            Connection c = connection;
            if (c != broken && !c.broken) {
                return c;
            }
            long now = System.nanoTime();
            if (now - nextReconnectNanos < 0) {
                throw new TokenException(Reason.UNAVAILABLE, "token " + name + " ('" + settings.tokenLabel()
                        + "') is unavailable; the last reconnect failed less than a second ago");
            }
            nextReconnectNanos = now + RECONNECT_INTERVAL_NANOS;
            try {
                Connection fresh = connect();
                closeProbe(c);
                connection = fresh;
                LOG.info("reconnected to token {} ('{}') in slot {}", name, settings.tokenLabel(), fresh.slot);
                return fresh;
            } catch (TokenException e) {
                if (e.reason() == Reason.BAD_CONFIG) {
                    fatal = e.getMessage() + "; no further login attempts are made by this token object";
                    LOG.error("token {}: {}", name, fatal);
                    throw new TokenException(Reason.BAD_CONFIG, fatal, e);
                }
                throw new TokenException(Reason.UNAVAILABLE, "token " + name + " ('" + settings.tokenLabel()
                        + "') is unavailable and reconnecting failed: " + e.getMessage(), e);
            }
        }
    }

    /** Finds the slot, configures a provider, logs in exactly once and loads the key handles. */
    private Connection connect() {
        long slot = slot();
        Provider base = Security.getProvider("SunPKCS11");
        if (base == null) {
            throw new TokenException(Reason.BAD_CONFIG, "this JVM has no SunPKCS11 provider");
        }
        AuthProvider provider;
        try {
            provider = (AuthProvider) base.configure(providerConfig(slot));
        } catch (ProviderException | InvalidParameterException e) {
            throw new TokenException(classify(e) == Reason.UNAVAILABLE ? Reason.UNAVAILABLE : Reason.BAD_CONFIG,
                    "cannot configure SunPKCS11 for token '" + settings.tokenLabel() + "' in slot " + slot + ": "
                            + Cryptoki.describe(e), e);
        }
        KeyStore store;
        try {
            store = KeyStore.getInstance("PKCS11", provider);
            char[] copy = pin.clone();
            try {
                store.load(null, copy);
            } finally {
                Secret.wipe(copy);
            }
        } catch (IOException e) {
            String code = Cryptoki.code(e).orElse("");
            if (code.equals("CKR_PIN_INCORRECT") || code.isEmpty() && hasCause(e, UnrecoverableKeyException.class)) {
                throw new TokenException(Reason.BAD_CONFIG,
                        "wrong PIN for PKCS#11 token '" + settings.tokenLabel() + "' (login refused, not retried)");
            }
            if (code.equals("CKR_PIN_LOCKED") || code.equals("CKR_PIN_EXPIRED") || code.equals("CKR_PIN_INVALID")
                    || code.equals("CKR_PIN_LEN_RANGE")) {
                throw new TokenException(Reason.BAD_CONFIG,
                        "PKCS#11 token '" + settings.tokenLabel() + "' refused the login: " + code);
            }
            throw new TokenException(Reason.UNAVAILABLE, "cannot log in to PKCS#11 token '" + settings.tokenLabel()
                    + "': " + (code.isEmpty() ? Cryptoki.describe(e) : code), e);
        } catch (GeneralSecurityException | ProviderException e) {
            throw new TokenException(Reason.UNAVAILABLE, "cannot open the key store of PKCS#11 token '"
                    + settings.tokenLabel() + "': " + Cryptoki.describe(e), e);
        }
        long probe;
        try {
            probe = cryptoki.openSession(slot);
        } catch (Cryptoki.Pkcs11Failure e) {
            throw new TokenException(Reason.UNAVAILABLE, "cannot open a session on PKCS#11 token '"
                    + settings.tokenLabel() + "': " + e.code(), e);
        }
        return new Connection(provider, store, slot, probe);
    }

    private long slot() {
        List<String> seen = new ArrayList<>();
        Optional<Long> slot;
        try {
            slot = cryptoki.slotOf(settings.tokenLabel(), seen);
        } catch (Cryptoki.Pkcs11Failure e) {
            throw new TokenException(Reason.UNAVAILABLE, "cannot list the slots of " + settings.library() + ": "
                    + e.code(), e);
        }
        if (slot.isEmpty()) {
            throw new TokenException(Reason.BAD_CONFIG, "no PKCS#11 token labelled '" + settings.tokenLabel()
                    + "' in " + settings.library() + "; tokens present: " + seen);
        }
        if (slot.get() > Integer.MAX_VALUE || slot.get() < 0) {
            throw new TokenException(Reason.BAD_CONFIG, "token '" + settings.tokenLabel() + "' is in slot "
                    + slot.get() + ", which SunPKCS11 cannot address (it takes slot ids up to 2^31-1)");
        }
        return slot.get();
    }

    /**
     * The SunPKCS11 configuration. The templates make private keys sign-only, sensitive and never extractable;
     * generated public keys stay session objects (the placeholder certificate carries the public key).
     */
    private String providerConfig(long slot) {
        String privateKey = """
                  CKA_TOKEN = true
                  CKA_PRIVATE = true
                  CKA_SENSITIVE = true
                  CKA_EXTRACTABLE = false
                  CKA_SIGN = true
                  CKA_DECRYPT = false
                  CKA_UNWRAP = false
                  CKA_DERIVE = false
                """;
        return "--name=" + "hallmark-" + settings.name() + "\n"
                + "library = \"" + Cryptoki.libraryPath(settings.library()) + "\"\n"
                + "slot = " + slot + "\n"
                + "attributes(generate, CKO_PRIVATE_KEY, CKK_EC) = {\n" + privateKey + "}\n"
                + "attributes(generate, CKO_PRIVATE_KEY, CKK_RSA) = {\n" + privateKey
                + "  CKA_SIGN_RECOVER = false\n}\n"
                + "attributes(generate, CKO_PUBLIC_KEY, *) = {\n  CKA_TOKEN = false\n}\n";
    }

    private void closeProbe(Connection c) {
        try {
            cryptoki.closeSession(c.probeSession);
        } catch (Cryptoki.Pkcs11Failure e) {
            LOG.debug("cannot close probe session of token {}: {}", name, e.code());
        }
    }

    // ---- keys

    private Entry require(Connection c, KeyRef key) {
        Entry entry = entry(c, key.alias()).orElseThrow(() -> new TokenException(Reason.KEY_NOT_FOUND,
                "no key '" + key.alias() + "' in token " + name));
        if (entry.ref().type() != key.type()) {
            throw new TokenException(Reason.KEY_NOT_FOUND, "key '" + key.alias() + "' in token " + name + " is "
                    + entry.ref().type().cliName() + ", not " + key.type().cliName());
        }
        return entry;
    }

    /** The key under {@code alias}: from the cache, else after re-reading the token's objects. */
    private Optional<Entry> entry(Connection c, String alias) {
        Entry cached = c.entries.get(alias);
        if (cached != null) {
            return Optional.of(cached);
        }
        refresh(c);
        return lookup(c, alias);
    }

    /**
     * Makes the key store re-read the token's objects: SunPKCS11 maps labels only when the store is loaded, so a
     * key another process or another {@code Pkcs11Token} made would stay invisible. The PIN is passed but not used
     * while this process is logged in (SunPKCS11 skips {@code C_Login} then).
     */
    private void refresh(Connection c) {
        char[] copy = pin.clone();
        try {
            c.store.load(null, copy);
        } catch (IOException | GeneralSecurityException | ProviderException e) {
            throw failure(c, e, "cannot re-read the objects of token " + name);
        } finally {
            Secret.wipe(copy);
        }
    }

    private Optional<Entry> lookup(Connection c, String alias) {
        Entry cached = c.entries.get(alias);
        if (cached != null) {
            return Optional.of(cached);
        }
        try {
            if (!c.store.isKeyEntry(alias)) {
                return Optional.empty();
            }
            Key key = c.store.getKey(alias, null);
            Certificate certificate = c.store.getCertificate(alias);
            if (!(key instanceof PrivateKey privateKey) || certificate == null) {
                return Optional.empty();
            }
            PublicKey publicKey = certificate.getPublicKey();
            Optional<KeyType> type = PlaceholderCertificate.keyType(publicKey);
            if (type.isEmpty()) {
                LOG.warn("ignoring key '{}' in token {}: unsupported {} key", alias, name, publicKey.getAlgorithm());
                return Optional.empty();
            }
            Entry entry = new Entry(new KeyRef(name, alias, type.get()), privateKey, publicKey);
            c.entries.put(alias, entry);
            return Optional.of(entry);
        } catch (GeneralSecurityException | ProviderException e) {
            throw failure(c, e, "cannot read key '" + alias + "' from token " + name);
        }
    }

    private boolean contains(Connection c, String alias) {
        try {
            return c.store.containsAlias(alias);
        } catch (GeneralSecurityException | ProviderException e) {
            throw failure(c, e, "cannot read key '" + alias + "' from token " + name);
        }
    }

    // ---- errors

    /** Maps a provider failure; an {@code UNAVAILABLE} one marks {@code c} broken so the next call reconnects. */
    private TokenException failure(Connection c, Throwable e, String what) {
        Reason reason = classify(e);
        String detail = Cryptoki.code(e).orElseGet(() -> Cryptoki.describe(e));
        if (reason == Reason.UNAVAILABLE) {
            c.broken = true;
            return new TokenException(reason, what + ": token unavailable or logged out (" + detail + ")", e);
        }
        return new TokenException(reason, what + ": " + detail, e);
    }

    private static Reason classify(Throwable e) {
        Optional<String> code = Cryptoki.code(e);
        if (code.isPresent()) {
            if (UNSUPPORTED.contains(code.get())) {
                return Reason.UNSUPPORTED;
            }
            return Reason.UNAVAILABLE;
        }
        if (hasCause(e, NoSuchAlgorithmException.class) || hasCause(e, InvalidAlgorithmParameterException.class)
                || hasCause(e, InvalidKeyException.class)) {
            return Reason.UNSUPPORTED;
        }
        return Reason.UNAVAILABLE;
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String providerAlgorithm(SignatureAlgorithm algorithm) {
        return switch (algorithm) {
            case RSA_PSS_SHA256 -> "SHA256withRSASSA-PSS";
            case ED25519, ML_DSA_65 -> throw new TokenException(Reason.UNSUPPORTED,
                    "SunPKCS11 cannot sign with " + algorithm);
            default -> algorithm.jcaName();
        };
    }

    private static void checkAlias(String alias) {
        Objects.requireNonNull(alias, "alias");
        if (alias.isBlank() || alias.length() > 100 || alias.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("key alias must be 1 to 100 printable characters");
        }
    }
}
