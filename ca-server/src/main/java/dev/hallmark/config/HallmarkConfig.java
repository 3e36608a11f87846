package dev.hallmark.config;

import dev.hallmark.authority.policy.PolicyRules;
import dev.hallmark.authority.profile.ProfileCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The validated contents of {@code DIR/hallmark.yaml}, with environment variables ({@code HALLMARK_} + the key in
 * upper snake case) and flags overriding the file: flag beats environment beats file (SPEC "Configuration").
 * Every field has a safe default or is written by {@code hallmark init}; a bad value fails at start-up with a
 * message naming the key. Relative paths are resolved against the data directory.
 *
 * @param dataDir   the data directory
 * @param database  the database
 * @param token     the key token
 * @param rootCa    name of the root CA
 * @param issuingCa name of the default issuing CA
 * @param ledgerKey alias of the ledger's checkpoint key in the token
 * @param profiles  the certificate profiles ({@code profiles.file}, or the shipped ones)
 * @param policy    the issuance policy ({@code policy:})
 * @param revocation OCSP, CRL and distribution URL settings ({@code ocsp:}, {@code crl:}, {@code urls:})
 * @param root      the whole merged document, for sections other modules own
 */
public record HallmarkConfig(Path dataDir, DatabaseSettings database, TokenSettings token, String rootCa,
                             String issuingCa, String ledgerKey, ProfileCatalog profiles, PolicyRules policy,
                             RevocationSettings revocation, ConfigNode root) {

    /** The configuration file's name inside the data directory. */
    public static final String FILE_NAME = "hallmark.yaml";

    /** Every scalar key that environment variables and flags may set, in dotted form. */
    public static final List<String> OVERRIDABLE_KEYS = List.of(
            "database.url", "database.user", "database.passwordFile", "database.poolSize",
            "token.type", "token.file", "token.passphraseFile", "token.passphraseEnv",
            "token.library", "token.label", "token.pinFile", "token.pinEnv",
            "ca.root", "ca.issuing", "ledger.keyAlias", "profiles.file",
            "https.port", "https.host", "https.profile", "https.clientCertificates", "http.port", "http.host",
            "management.port", "management.host",
            "server.maxConnections", "server.maxHeaderBytes", "server.maxRequestLineBytes", "server.requestTimeout",
            "server.headerTimeout", "server.idleTimeout", "server.shutdownGrace", "server.workerThreads",
            "server.checkpointInterval",
            "acme.validation.http01Port", "acme.validation.tlsAlpn01Port", "acme.validation.dnsResolver",
            "urls.base", "crl.validity", "crl.interval", "crl.afterRevocation", "crl.shards", "crl.delta.enabled",
            "crl.delta.interval", "crl.delta.validity", "ocsp.signer", "ocsp.validity", "ocsp.maxCertIds", "ocsp.nonce",
            "ocsp.cacheMaxEntries", "ocsp.pollInterval");

    /**
     * Loads {@code dataDir/hallmark.yaml} with overrides.
     *
     * @param environment the process environment ({@code System.getenv()})
     * @param flags       dotted keys set by command-line flags
     * @throws ConfigException naming the file and key of the first problem
     */
    public static HallmarkConfig load(Path dataDir, Map<String, String> environment, Map<String, String> flags) {
        Path file = dataDir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(file + " does not exist; run 'hallmark init --data " + dataDir + "' first");
        }
        Map<String, String> overrides = new LinkedHashMap<>(fromEnvironment(environment));
        overrides.putAll(flags);
        return from(dataDir, ConfigNode.read(file).overlay(overrides));
    }

    /** The overrides present in {@code environment}, keyed by dotted key. */
    public static Map<String, String> fromEnvironment(Map<String, String> environment) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String key : OVERRIDABLE_KEYS) {
            String value = environment.get(environmentName(key));
            if (value != null) {
                out.put(key, value);
            }
        }
        return out;
    }

    /** {@code acme.validation.http01Port} becomes the flag {@code --acme-validation-http01-port}. */
    public static String flagName(String dottedKey) {
        return "--" + dottedKey.replaceAll("([a-z0-9])([A-Z])", "$1-$2").replace('.', '-').toLowerCase(Locale.ROOT);
    }

    /** {@code acme.validation.http01Port} becomes {@code HALLMARK_ACME_VALIDATION_HTTP01_PORT}. */
    public static String environmentName(String dottedKey) {
        return "HALLMARK_" + dottedKey.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replace('.', '_').toUpperCase(Locale.ROOT);
    }

    /** Validates a parsed document. */
    public static HallmarkConfig from(Path dataDir, ConfigNode root) {
        root.rejectUnknown("database", "token", "ca", "ledger", "profiles", "policy", "server",
                "https", "http", "management", "acme", "ocsp", "crl", "urls", "est", "scep", "kiosk", "agents");
        ConfigNode db = root.get("database").rejectUnknown("url", "user", "passwordFile", "poolSize");
        DatabaseSettings database = new DatabaseSettings(
                db.string("url", defaultDatabaseUrl(dataDir)),
                db.string("user", "sa"),
                path(dataDir, db.string("passwordFile", null)),
                db.integer("poolSize", 16, 2, 512));
        ConfigNode t = root.get("token").rejectUnknown("type", "file", "passphraseFile", "passphraseEnv",
                "library", "label", "pinFile", "pinEnv");
        String type = t.string("type", "soft");
        TokenSettings token = switch (type) {
            case "soft" -> {
                Path passFile = path(dataDir, t.string("passphraseFile", null));
                String passEnv = t.string("passphraseEnv", null);
                if (passFile == null && passEnv == null) {
                    passFile = dataDir.resolve("token.pass");
                }
                yield new TokenSettings.Soft(path(dataDir, t.string("file", "token.p12")), passFile, passEnv);
            }
            case "pkcs11" -> {
                Path pinFile = path(dataDir, t.string("pinFile", null));
                String pinEnv = t.string("pinEnv", null);
                if (pinFile == null && pinEnv == null) {
                    throw t.error("a pkcs11 token needs pinFile or pinEnv");
                }
                yield new TokenSettings.Pkcs11(Path.of(t.string("library")), t.string("label"), pinFile, pinEnv);
            }
            default -> throw t.get("type").error("'" + type + "' is not one of soft, pkcs11");
        };
        ConfigNode ca = root.get("ca").rejectUnknown("root", "issuing");
        String rootCa = ca.string("root", "root");
        String issuingCa = ca.string("issuing", "issuing");
        String ledgerKey = root.get("ledger").rejectUnknown("keyAlias").string("keyAlias", "ledger");
        String profilesFile = root.get("profiles").rejectUnknown("file").string("file", null);
        ProfileCatalog profiles = profilesFile == null ? ProfileCatalog.defaults()
                : ProfileCatalog.load(path(dataDir, profilesFile));
        PolicyRules policy = root.get("policy").isMissing() ? PolicyRules.defaults()
                : PolicyRules.fromConfig(root.get("policy"));
        return new HallmarkConfig(dataDir, database, token, rootCa, issuingCa, ledgerKey, profiles, policy,
                RevocationSettings.from(root), root);
    }

    /**
     * The embedded default: an H2 file database in {@code DIR/db}. {@code AUTO_SERVER} lets CLI verbs share it with a
     * running {@code serve}: the first process opens it in-process and serves the others over a loopback TCP port
     * whose address and secret are in the lock file inside {@code DIR} (mode 0700).
     */
    public static String defaultDatabaseUrl(Path dataDir) {
        return "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("db").resolve("hallmark") + ";AUTO_SERVER=TRUE";
    }

    private static Path path(Path dataDir, String value) {
        return value == null || value.isBlank() ? null : dataDir.resolve(value);
    }
}
