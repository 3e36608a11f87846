package dev.hallmark.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.hallmark.admin.AdminCredentials;
import dev.hallmark.admin.AdminRole;
import dev.hallmark.authority.CaException;
import dev.hallmark.authority.CaSpec;
import dev.hallmark.authority.KeyIdentifiers;
import dev.hallmark.authority.SigningCa;
import dev.hallmark.authority.profile.ProfileCatalog;
import dev.hallmark.config.ConfigException;
import dev.hallmark.config.ConfigNode;
import dev.hallmark.config.HallmarkConfig;
import dev.hallmark.hsm.KeyType;
import dev.hallmark.hsm.SignatureAlgorithm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code hallmark init}: creates the root and issuing CAs, the ledger key and {@code DIR/hallmark.yaml}. */
@Command(name = "init", mixinStandardHelpOptions = true,
        description = "Create a root CA and an issuing CA in the chosen token, and DIR/hallmark.yaml. "
                + "Refuses to overwrite an existing CA.")
final class InitCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    DataDir data;

    @Option(names = "--key-type", defaultValue = "ec-p256", paramLabel = "TYPE",
            description = "CA key type: ec-p256 (default), ec-p384, rsa-2048, rsa-3072, rsa-4096, ed25519 and ml-dsa-65 (soft token only).")
    String keyType;
    @Option(names = "--signature-algorithm", paramLabel = "ALG",
            description = "CA signature algorithm (default: the key type's): ecdsa-sha256, ecdsa-sha384, ecdsa-sha512, "
                    + "rsa-pkcs1-sha256, rsa-pkcs1-sha384, rsa-pkcs1-sha512, rsa-pss-sha256, ed25519, ml-dsa-65.")
    String signatureAlgorithm;
    @Option(names = "--token", defaultValue = "soft", paramLabel = "soft|pkcs11", description = "Where CA keys live (default soft).")
    String token;
    @Option(names = "--pkcs11-library", defaultValue = "/usr/lib/softhsm/libsofthsm2.so", paramLabel = "FILE",
            description = "PKCS#11 module (default: SoftHSM2's).")
    Path pkcs11Library;
    @Option(names = "--pkcs11-token-label", paramLabel = "LABEL", description = "Label of the PKCS#11 token.")
    String pkcs11Label;
    @Option(names = "--pkcs11-pin-file", paramLabel = "FILE", description = "File holding the token's user PIN.")
    Path pkcs11PinFile;
    @Option(names = "--pkcs11-pin-env", paramLabel = "VAR", description = "Environment variable holding the user PIN.")
    String pkcs11PinEnv;
    @Option(names = "--database-url", paramLabel = "JDBC", description = "Database URL (default: an H2 file in DIR/db).")
    String databaseUrl;
    @Option(names = "--database-user", paramLabel = "USER", description = "Database user.")
    String databaseUser;
    @Option(names = "--database-password-file", paramLabel = "FILE", description = "File holding the database password.")
    Path databasePasswordFile;
    @Option(names = "--root-subject", defaultValue = "CN=Hallmark Root CA,O=Hallmark", paramLabel = "DN",
            description = "Root CA subject (RFC 4514).")
    String rootSubject;
    @Option(names = "--issuing-subject", defaultValue = "CN=Hallmark Issuing CA,O=Hallmark", paramLabel = "DN",
            description = "Issuing CA subject (RFC 4514).")
    String issuingSubject;
    @Option(names = "--root-validity", defaultValue = "7300d", paramLabel = "DURATION", description = "Root CA lifetime (default 7300d).")
    String rootValidity;
    @Option(names = "--issuing-validity", defaultValue = "1825d", paramLabel = "DURATION", description = "Issuing CA lifetime (default 1825d).")
    String issuingValidity;
    @Option(names = "--public-url", defaultValue = "http://localhost:8080", paramLabel = "URL",
            description = "Public base URL of the HTTP listener, stamped into certificates as their OCSP, CRL and CA "
                    + "certificate locations (urls.base; default ${DEFAULT-VALUE}).")
    String publicUrl;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        KeyType type = parseKeyType();
        SignatureAlgorithm algorithm = parseAlgorithm(type);
        Duration rootLife = duration("--root-validity", rootValidity);
        Duration issuingLife = duration("--issuing-validity", issuingValidity);
        Path dir = data.dir;
        if (!Files.exists(dir)) {
            // The data directory holds the token and its passphrase: owner only.
            Files.createDirectories(dir, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        }
        Path file = dir.resolve(HallmarkConfig.FILE_NAME);
        boolean wroteConfig = false;
        if (!Files.exists(file)) {
            Map<String, Object> yaml = configDocument();
            if (!Files.exists(dir.resolve("profiles.yaml"))) {
                Cli.writeFile(dir.resolve("profiles.yaml"),
                        ProfileCatalog.defaultYaml().getBytes(StandardCharsets.UTF_8), "rw-r--r--");
            }
            HallmarkConfig.from(dir, ConfigNode.parse(HallmarkConfig.FILE_NAME, render(yaml))); // validate first
            if ("soft".equals(token) && !Files.exists(dir.resolve("token.pass"))) {
                byte[] pass = new byte[32];
                new SecureRandom().nextBytes(pass);
                Cli.writeFile(dir.resolve("token.pass"),
                        Base64.getUrlEncoder().withoutPadding().encode(pass), "rw-------");
            }
            Cli.writeFile(file, render(yaml).getBytes(StandardCharsets.UTF_8), "rw-------");
            wroteConfig = true;
        }
        HallmarkConfig config = data.load();
        try (Appliance appliance = Appliance.openForInit(config, Cli.clock())) {
            if (appliance.store().ca(config.rootCa()).isPresent()) {
                throw new CaException(CaException.Kind.CONFLICT, "CA '" + config.rootCa() + "' exists already in "
                        + dir + "; init never overwrites a CA");
            }
            String actor = Cli.actor();
            SigningCa root = appliance.hierarchy().createRoot(
                    new CaSpec(config.rootCa(), rootSubject, type, algorithm, rootLife, null), actor);
            SigningCa issuing = appliance.hierarchy().createSubordinate(root,
                    new CaSpec(config.issuingCa(), issuingSubject, type, algorithm, issuingLife, 0), actor);
            Path tokenFile = dir.resolve("admin.token");
            if (!Files.exists(tokenFile)) {
                AdminCredentials.Created admin = new AdminCredentials(appliance.database(), appliance.ledger())
                        .create("initial administrator", AdminRole.ADMIN, actor, Cli.clock().instant());
                Cli.writeFile(tokenFile, (admin.token() + "\n").getBytes(StandardCharsets.US_ASCII), "rw-------");
            }
            appliance.checkpoint();
            report(dir, wroteConfig, root, issuing);
        }
        return 0;
    }

    private void report(Path dir, boolean wroteConfig, SigningCa root, SigningCa issuing) throws IOException {
        String fingerprint = KeyIdentifiers.sha256Hex(root.certificate().getEncoded());
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("dataDir", dir.toAbsolutePath().toString());
            m.put("config", dir.resolve(HallmarkConfig.FILE_NAME).toAbsolutePath().toString());
            m.put("adminTokenFile", dir.resolve("admin.token").toAbsolutePath().toString());
            m.put("root", Map.of("name", root.name(), "subject", root.record().subject(), "sha256", fingerprint,
                    "notAfter", root.record().notAfter().toString()));
            m.put("issuing", Map.of("name", issuing.name(), "subject", issuing.record().subject(),
                    "notAfter", issuing.record().notAfter().toString()));
            Cli.printJson(spec.commandLine().getOut(), m);
            return;
        }
        var out = spec.commandLine().getOut();
        out.println((wroteConfig ? "Wrote " : "Using ") + dir.resolve(HallmarkConfig.FILE_NAME));
        out.println("Root CA     '" + root.name() + "': " + root.record().subject() + " (until " + root.record().notAfter() + ")");
        out.println("Issuing CA  '" + issuing.name() + "': " + issuing.record().subject() + " (until " + issuing.record().notAfter() + ")");
        out.println("Root SHA-256 fingerprint: " + fingerprint);
        out.println("Root certificate: hallmark ca cert " + root.name() + " --data " + dir);
        out.println("Admin API token: " + dir.resolve("admin.token") + " (mode 0600; shown nowhere else)");
        out.flush();
    }

    private Map<String, Object> configDocument() {
        Map<String, Object> doc = new LinkedHashMap<>();
        if (databaseUrl != null) {
            Map<String, Object> db = new LinkedHashMap<>();
            db.put("url", databaseUrl);
            if (databaseUser != null) {
                db.put("user", databaseUser);
            }
            if (databasePasswordFile != null) {
                db.put("passwordFile", databasePasswordFile.toAbsolutePath().toString());
            }
            doc.put("database", db);
        }
        Map<String, Object> tok = new LinkedHashMap<>();
        switch (token) {
            case "soft" -> {
                tok.put("type", "soft");
                tok.put("file", "token.p12");
                tok.put("passphraseFile", "token.pass");
            }
            case "pkcs11" -> {
                if (pkcs11Label == null || (pkcs11PinFile == null && pkcs11PinEnv == null)) {
                    throw new ConfigException("--token pkcs11 needs --pkcs11-token-label and --pkcs11-pin-file or --pkcs11-pin-env");
                }
                tok.put("type", "pkcs11");
                tok.put("library", pkcs11Library.toAbsolutePath().toString());
                tok.put("label", pkcs11Label);
                if (pkcs11PinFile != null) {
                    tok.put("pinFile", pkcs11PinFile.toAbsolutePath().toString());
                }
                if (pkcs11PinEnv != null) {
                    tok.put("pinEnv", pkcs11PinEnv);
                }
            }
            default -> throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--token must be soft or pkcs11, was '" + token + "'");
        }
        doc.put("token", tok);
        doc.put("ca", Map.of("root", "root", "issuing", "issuing"));
        doc.put("ledger", Map.of("keyAlias", "ledger"));
        doc.put("profiles", Map.of("file", "profiles.yaml"));
        doc.put("urls", Map.of("base", publicUrl));
        return doc;
    }

    private static String render(Map<String, Object> doc) {
        try {
            ObjectMapper yaml = new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER));
            return "# Hallmark configuration written by 'hallmark init'. Keys: docs/CONFIGURATION.md\n"
                    + yaml.writeValueAsString(doc);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private KeyType parseKeyType() {
        try {
            return KeyType.parse(keyType);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--key-type: " + e.getMessage());
        }
    }

    private SignatureAlgorithm parseAlgorithm(KeyType type) {
        if (signatureAlgorithm == null) {
            return null;
        }
        SignatureAlgorithm a;
        try {
            a = SignatureAlgorithm.valueOf(signatureAlgorithm.trim().replace('-', '_').toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--signature-algorithm: unknown '"
                    + signatureAlgorithm + "'");
        }
        if (!a.supports(type)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--signature-algorithm " + signatureAlgorithm
                    + " cannot sign with a " + type.cliName() + " key");
        }
        return a;
    }

    private Duration duration(String option, String text) {
        Duration d = ConfigNode.parseDuration(text);
        if (d == null || d.isNegative() || d.isZero()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    option + ": '" + text + "' is not a duration such as 3650d or P3650D");
        }
        return d;
    }
}
