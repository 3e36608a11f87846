package dev.hallmark.cli;

import dev.hallmark.authority.Authority;
import dev.hallmark.authority.CaException;
import dev.hallmark.authority.Hierarchy;
import dev.hallmark.authority.Issuer;
import dev.hallmark.authority.KeyIdentifiers;
import dev.hallmark.authority.store.JdbcConfigurationLog;
import dev.hallmark.authority.Reconciler;
import dev.hallmark.authority.lint.Linter;
import dev.hallmark.authority.policy.PolicyEngine;
import dev.hallmark.authority.store.JdbcCertificateStore;
import dev.hallmark.config.ConfigException;
import dev.hallmark.config.DatabaseSettings;
import dev.hallmark.config.HallmarkConfig;
import dev.hallmark.config.TokenSettings;
import dev.hallmark.db.Database;
import dev.hallmark.hsm.CryptoToken;
import dev.hallmark.hsm.KeyRef;
import dev.hallmark.hsm.KeyType;
import dev.hallmark.hsm.Secret;
import dev.hallmark.hsm.SoftToken;
import dev.hallmark.hsm.VerifyingToken;
import dev.hallmark.hsm.pkcs11.Pkcs11Settings;
import dev.hallmark.hsm.pkcs11.Pkcs11Token;
import dev.hallmark.ledger.AuditEventType;
import dev.hallmark.ledger.JdbcAuditLedger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * The composition root of the CLI verbs: opens the database, the token, the ledger and the store from a
 * {@link HallmarkConfig} and wires the authority through constructors. No container, no singletons. Closing it
 * closes the token and the pool.
 */
public final class Appliance implements AutoCloseable {
    /** The ledger key's type: P-256 works in every token, soft or PKCS#11. */
    public static final KeyType LEDGER_KEY_TYPE = KeyType.EC_P256;
    /** How long a serial may stay in SIGNING before {@code verify} reports it. */
    public static final Duration OUTCOME_GRACE = Duration.ofMinutes(10);

    private final HallmarkConfig config;
    private final Database database;
    private final CryptoToken token;
    private final JdbcAuditLedger ledger;
    private final JdbcCertificateStore store;
    private final Linter linter;
    private final Issuer issuer;
    private final Authority authority;
    private final Hierarchy hierarchy;
    private final Clock clock;

    private Appliance(HallmarkConfig config, Database database, CryptoToken token, KeyRef ledgerKey, Clock clock) {
        this.config = config;
        this.database = database;
        this.token = token;
        this.clock = clock;
        this.ledger = new JdbcAuditLedger(database, token, ledgerKey, ledgerKey.type().defaultSignatureAlgorithm(), clock);
        this.store = new JdbcCertificateStore(database, ledger);
        this.linter = new Linter();
        this.issuer = new Issuer(store, token, linter, clock, new SecureRandom(), Build.version());
        this.authority = new Authority(store, token, issuer, new PolicyEngine(config.policy()), config.profiles(),
                config.revocation().urls());
        this.hierarchy = new Hierarchy(store, token, ledger, issuer, config.revocation().urls());
    }

    /**
     * Opens an initialised data directory.
     *
     * @throws ConfigException when the ledger key is missing (the directory was never initialised)
     */
    public static Appliance open(HallmarkConfig config, Clock clock) {
        return open(config, clock, UnaryOperator.identity(), false, true);
    }

    /**
     * Opens with the (verifying) token wrapped by {@code decorate}, e.g. to meter it; every component then uses the
     * wrapped token.
     */
    public static Appliance open(HallmarkConfig config, Clock clock, UnaryOperator<CryptoToken> decorate) {
        return open(config, clock, decorate, false, true);
    }

    /**
     * Opens for reading and verifying only: nothing is appended to the ledger (not even a configuration change,
     * which the next writing verb records), so an auditor's run leaves no trace and cannot mask tampering.
     */
    public static Appliance openReadOnly(HallmarkConfig config, Clock clock) {
        return open(config, clock, UnaryOperator.identity(), false, false);
    }

    /**
     * Opens, creating what {@code init} needs: the soft token file and the ledger key (recorded in the ledger as
     * the first entry).
     */
    static Appliance openForInit(HallmarkConfig config, Clock clock) {
        return open(config, clock, UnaryOperator.identity(), true, true);
    }

    private static Appliance open(HallmarkConfig config, Clock clock, UnaryOperator<CryptoToken> decorate, boolean create,
                                  boolean write) {
        CryptoToken token = decorate.apply(new VerifyingToken(openToken(config.token(), create)));
        Database database = null;
        try {
            database = openDatabase(config.database());
            KeyRef ledgerKey = token.find(config.ledgerKey()).orElse(null);
            boolean generated = false;
            if (ledgerKey == null) {
                if (!create) {
                    throw new ConfigException("the ledger key '" + config.ledgerKey() + "' is not in token '"
                            + token.name() + "'; is this data directory initialised ('hallmark init')?");
                }
                ledgerKey = token.generateKey(config.ledgerKey(), LEDGER_KEY_TYPE);
                generated = true;
            }
            Appliance appliance = new Appliance(config, database, token, ledgerKey, clock);
            if (write) {
                appliance.auditConfiguration();
            }
            if (generated) {
                appliance.ledger.appendNow(Hierarchy.keyGenerated(ledgerKey, "ledger checkpoints", Cli.actor()));
            }
            return appliance;
        } catch (RuntimeException e) {
            if (database != null) {
                database.close();
            }
            token.close();
            throw e;
        }
    }

    /** Audits a changed profile file or policy section (their digests, never their content). */
    private void auditConfiguration() {
        JdbcConfigurationLog log = new JdbcConfigurationLog(database, ledger);
        log.record("profiles", KeyIdentifiers.sha256Hex(config.profiles().yaml().getBytes(StandardCharsets.UTF_8)),
                AuditEventType.PROFILE_CHANGED, Cli.actor(), clock.instant());
        for (var profile : config.profiles().all()) {
            log.pinVersion(profile.name(), profile.version(),
                    KeyIdentifiers.sha256Hex(profile.canonicalForm().getBytes(StandardCharsets.UTF_8)), Cli.actor(), clock.instant());
        }
        log.record("policy", KeyIdentifiers.sha256Hex(config.root().get("policy").canonicalText()
                .getBytes(StandardCharsets.UTF_8)), AuditEventType.POLICY_CHANGED, Cli.actor(), clock.instant());
    }

    /** Opens the configured token; {@code create} makes a missing soft token file. */
    static CryptoToken openToken(TokenSettings settings, boolean create) {
        if (settings instanceof TokenSettings.Soft soft) {
            char[] passphrase = Secret.read(soft.passphraseFile(), soft.passphraseEnv());
            try {
                return create && !Files.exists(soft.file()) ? SoftToken.create(soft.file(), passphrase)
                        : SoftToken.open(soft.file(), passphrase);
            } finally {
                Secret.wipe(passphrase);
            }
        }
        TokenSettings.Pkcs11 p11 = (TokenSettings.Pkcs11) settings;
        char[] pin = Secret.read(p11.pinFile(), p11.pinEnv());
        try {
            return Pkcs11Token.open(new Pkcs11Settings("pkcs11-" + p11.label(), p11.library(), p11.label(), pin));
        } finally {
            Secret.wipe(pin);
        }
    }

    private static Database openDatabase(DatabaseSettings s) {
        String password = "";
        if (s.passwordFile() != null) {
            char[] p = Secret.fromFile(s.passwordFile());
            password = new String(p);
            Secret.wipe(p);
        }
        return Database.open(s.url(), s.user(), password, s.poolSize());
    }

    public HallmarkConfig config() {
        return config;
    }

    public Authority authority() {
        return authority;
    }

    public Hierarchy hierarchy() {
        return hierarchy;
    }

    public JdbcAuditLedger ledger() {
        return ledger;
    }

    public JdbcCertificateStore store() {
        return store;
    }

    public CryptoToken token() {
        return token;
    }

    /** The CRL builder over this appliance's database and token ({@code hallmark crl}, the server's schedule). */
    public dev.hallmark.authority.crl.Crls crls(String node) {
        return dev.hallmark.authority.crl.Crls.onDatabase(authority, database, ledger, token, config, clock, node);
    }

    public Database database() {
        return database;
    }

    /** A reconciler over this appliance's state, checking the ledger against the remembered anchor. */
    public Reconciler reconciler() {
        return new Reconciler(store, ledger, authority, linter, clock, OUTCOME_GRACE, LedgerAnchor.read(config.dataDir()));
    }

    /**
     * Verifies the ledger as it stands (read-only), against the remembered anchor when there is one; without it,
     * truncation of the tail together with its checkpoints cannot be detected.
     */
    public dev.hallmark.ledger.VerificationReport verifyLedger() {
        dev.hallmark.ledger.Checkpoint anchor = LedgerAnchor.read(config.dataDir());
        return anchor == null ? ledger.verify() : ledger.verify(anchor);
    }

    /**
     * Integrates the ledger and signs a checkpoint, so a CLI verb leaves every entry it wrote covered.
     * A failure here is reported but does not undo the committed work.
     */
    public void checkpoint() {
        try {
            LedgerAnchor.remember(config.dataDir(), ledger.signCheckpoint());
        } catch (RuntimeException e) {
            throw new CaException(CaException.Kind.LEDGER_UNAVAILABLE, "the work is committed but the ledger checkpoint "
                    + "could not be signed (" + e.getMessage() + "); 'hallmark ledger verify' will flag it until the "
                    + "next checkpoint", e);
        }
    }

    /**
     * {@link #checkpoint()} after work that has already committed and been reported: a failure here must not make
     * the operator believe the work failed (a retry would issue twice), so it becomes a warning on {@code err}.
     */
    public void checkpointAfterCommit(java.io.PrintWriter err) {
        try {
            checkpoint();
        } catch (CaException e) {
            err.println("hallmark: warning: " + e.getMessage());
            err.flush();
        }
    }

    @Override
    public void close() {
        try {
            database.close();
        } finally {
            token.close();
        }
    }
}
