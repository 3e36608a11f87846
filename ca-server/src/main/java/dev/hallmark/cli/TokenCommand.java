package dev.hallmark.cli;

import dev.hallmark.admin.AdminCredentials;
import dev.hallmark.admin.AdminRole;
import dev.hallmark.authority.CaException;
import dev.hallmark.authority.KeyIdentifiers;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code hallmark token create|list|revoke}: the admin API's credentials, bearer tokens and mutual-TLS client
 * certificates. A token is printed once, when it is created; only its SHA-256 is stored.
 */
@Command(name = "token", mixinStandardHelpOptions = true,
        description = {"Manage the admin API's credentials: bearer tokens and mutual-TLS client certificates.",
            "Roles: admin (everything, including CAs and credentials), operator (issue and revoke certificates), "
                    + "auditor (read certificates, the ledger and proofs).",
            "A token is shown once, when it is created; Hallmark keeps only its SHA-256. Every change is recorded "
                    + "in the ledger."},
        footer = {"%nExamples:",
            "  hallmark token create --role operator --name 'ci deploy' --out ci.token",
            "  hallmark token create --role admin --name alice --client-cert alice.pem",
            "  hallmark token list",
            "  hallmark token revoke 0123456789abcdef"},
        subcommands = {TokenCommand.Create.class, TokenCommand.ListCredentials.class, TokenCommand.Revoke.class})
final class TokenCommand implements Runnable {
    /** Largest client certificate file accepted (a PEM certificate is a few kilobytes). */
    static final int MAX_CERTIFICATE_BYTES = 64 * 1024;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a subcommand is required: create, list or revoke");
    }

    /** {@code hallmark token create}. */
    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Create a bearer token for the admin API, or register a mutual-TLS client certificate.",
                "Without --client-cert: a bearer token (hmk_...), printed once on stdout, or written to --out FILE "
                        + "(mode 0600) and printed nowhere. Store it now: it cannot be shown again.",
                "With --client-cert: registers that mutual-TLS client certificate (PEM or DER) instead; no token is "
                        + "made. It must be a currently valid end-entity certificate for TLS client authentication, and "
                        + "it must chain to one of this Hallmark's CAs: the TLS handshake checks that, this command "
                        + "does not. Issue one with 'hallmark issue --profile tls-client'."})
    static final class Create extends ApplianceCommand {
        @Option(names = "--role", required = true, paramLabel = "ROLE", converter = RoleConverter.class,
                description = "admin, operator or auditor (any case).")
        AdminRole role;
        @Option(names = "--name", required = true, paramLabel = "NAME", converter = NameConverter.class,
                description = "Who or what holds it, e.g. 'ci deploy' (at most " + AdminCredentials.MAX_NAME + " characters).")
        String name;
        @ArgGroup(exclusive = true)
        Target target = new Target();
        @Option(names = "--json", description = "Print the result as JSON: id, name, role and the token (or tokenFile, "
                + "or the certificate's sha256).")
        boolean json;

        /** Where the token goes, or the certificate registered instead: one or the other. */
        static final class Target {
            @Option(names = "--out", paramLabel = "FILE",
                    description = "Write the token to this new file (mode 0600) instead of stdout; an existing file is never overwritten.")
            Path outFile;
            @Option(names = "--client-cert", paramLabel = "FILE",
                    description = "Register this client certificate (PEM or DER) instead of creating a token.")
            Path clientCert;
        }

        @Override
        int run(Appliance a) {
            AdminCredentials credentials = new AdminCredentials(a.database(), a.ledger());
            if (target.clientCert != null) {
                register(credentials, target.clientCert);
            } else {
                createToken(a, credentials, target.outFile);
            }
            a.checkpointAfterCommit(spec.commandLine().getErr());
            return 0;
        }

        private void createToken(Appliance a, AdminCredentials credentials, Path outFile) {
            if (outFile != null && Files.exists(outFile, LinkOption.NOFOLLOW_LINKS)) {
                throw new Cli.CliException(outFile + " exists already; a token file is never overwritten");
            }
            AdminCredentials.Created created = credentials.create(name, role, Cli.actor(), Cli.clock().instant());
            if (outFile != null) {
                try {
                    Cli.writeFile(outFile, (created.token() + "\n").getBytes(StandardCharsets.US_ASCII), "rw-------");
                } catch (Cli.CliException e) {
                    // Nobody can ever learn this token: withdraw it rather than leave a credential no one holds.
                    credentials.revoke(created.id(), Cli.actor(), Cli.clock().instant());
                    a.checkpointAfterCommit(spec.commandLine().getErr());
                    throw new Cli.CliException(e.getMessage() + "; credential " + created.id() + " was revoked again");
                }
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", created.id());
            m.put("name", created.name());
            m.put("role", roleName(role));
            if (outFile == null) {
                m.put("token", created.token());
            } else {
                m.put("tokenFile", outFile.toAbsolutePath().toString());
            }
            var err = spec.commandLine().getErr();
            if (json) {
                Cli.printJson(out(), m);
            } else if (outFile == null) {
                // The token alone on stdout, so TOKEN=$(hallmark token create ...) captures exactly it.
                out().println(created.token());
                out().flush();
            }
            err.println("created token credential " + created.id() + " '" + created.name() + "' with role " + roleName(role)
                    + (outFile == null ? "; the token is shown only this once (Hallmark keeps only its SHA-256)"
                    : "; token written to " + outFile + " (mode 0600; shown nowhere else)"));
            err.flush();
        }

        private void register(AdminCredentials credentials, Path clientCert) {
            byte[] bytes = Cli.readBounded(clientCert, MAX_CERTIFICATE_BYTES, "client certificate");
            Instant now = Cli.clock().instant();
            X509Certificate cert = clientCertificate(clientCert, bytes, now);
            byte[] der;
            try {
                der = cert.getEncoded();
            } catch (CertificateException e) {
                throw new Cli.CliException(clientCert + " cannot be encoded as DER: " + e.getMessage());
            }
            AdminCredentials.Credential c = credentials.registerCertificate(name, role, der, Cli.actor(), now);
            String fingerprint = KeyIdentifiers.sha256Hex(der);
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("id", c.id());
                m.put("name", c.name());
                m.put("role", roleName(role));
                m.put("kind", c.kind());
                m.put("sha256", fingerprint);
                m.put("subject", cert.getSubjectX500Principal().getName());
                m.put("issuer", cert.getIssuerX500Principal().getName());
                m.put("notAfter", cert.getNotAfter().toInstant().toString());
                Cli.printJson(out(), m);
            } else {
                PrintWriter out = out();
                out.println("registered client certificate credential " + c.id() + " '" + c.name() + "' with role " + roleName(role));
                out.println("subject:  " + cert.getSubjectX500Principal().getName());
                out.println("issuer:   " + cert.getIssuerX500Principal().getName());
                out.println("until:    " + cert.getNotAfter().toInstant());
                out.println("SHA-256:  " + fingerprint);
                out.flush();
            }
        }
    }

    /** {@code hallmark token list}. */
    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List admin API credentials, oldest first, revoked ones included. Never shows a secret.")
    static final class ListCredentials extends ApplianceCommand {
        @Option(names = "--json", description = "Print JSON: id, name, role, kind, createdAt, revokedAt (when revoked).")
        boolean json;

        @Override
        boolean readOnly() {
            return true;
        }

        @Override
        int run(Appliance a) {
            List<AdminCredentials.Credential> all = new AdminCredentials(a.database(), a.ledger()).list();
            if (json) {
                List<Map<String, Object>> views = new ArrayList<>();
                all.forEach(c -> views.add(view(c)));
                Cli.printJson(out(), views);
                return 0;
            }
            PrintWriter out = out();
            out.printf("%-16s %-8s %-11s %-27s %-27s %s%n", "ID", "ROLE", "KIND", "CREATED", "REVOKED", "NAME");
            for (AdminCredentials.Credential c : all) {
                out.printf("%-16s %-8s %-11s %-27s %-27s %s%n", c.id(), roleName(c.role()), c.kind(), c.createdAt(),
                        c.isRevoked() ? c.revokedAt() : "-", c.name());
            }
            out.flush();
            return 0;
        }
    }

    /** {@code hallmark token revoke}. */
    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Revoke an admin API credential (token or client certificate) by id; it stops working at once "
                    + "on every node. A revocation is never undone. Revoking a revoked credential changes nothing.")
    static final class Revoke extends ApplianceCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "The credential's id, as 'hallmark token list' shows it.")
        String id;
        @Option(names = "--json", description = "Print the result as JSON.")
        boolean json;

        @Override
        int run(Appliance a) {
            AdminCredentials credentials = new AdminCredentials(a.database(), a.ledger());
            AdminCredentials.Credential before = credentials.find(id).orElseThrow(() ->
                    new CaException(CaException.Kind.NOT_FOUND, "no admin credential has id '" + id + "'"));
            AdminCredentials.Credential after = before.isRevoked() ? before
                    : credentials.revoke(id, Cli.actor(), Cli.clock().instant()).orElseThrow();
            if (json) {
                Map<String, Object> m = view(after);
                m.put("alreadyRevoked", before.isRevoked());
                Cli.printJson(out(), m);
            } else {
                out().println(before.isRevoked()
                        ? "credential " + id + " '" + after.name() + "' was already revoked at " + after.revokedAt() + "; nothing changed"
                        : "revoked credential " + id + " '" + after.name() + "' at " + after.revokedAt());
                out().flush();
            }
            a.checkpointAfterCommit(spec.commandLine().getErr());
            return 0;
        }
    }

    /** Parses a role name in any case; anything else is a usage error naming the allowed values. */
    static final class RoleConverter implements ITypeConverter<AdminRole> {
        @Override
        public AdminRole convert(String text) {
            for (AdminRole r : AdminRole.values()) {
                if (r.name().equalsIgnoreCase(text.trim())) {
                    return r;
                }
            }
            throw new TypeConversionException("'" + text + "' is not a role; use admin, operator or auditor");
        }
    }

    /** Checks a credential name at parse time, so a bad one is a usage error and nothing is opened. */
    static final class NameConverter implements ITypeConverter<String> {
        @Override
        public String convert(String text) {
            try {
                AdminCredentials.checkName(text);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
            return text;
        }
    }

    private static String roleName(AdminRole role) {
        return role.name().toLowerCase(Locale.ROOT);
    }

    /** The JSON shape of a credential (the admin API's field names). */
    static Map<String, Object> view(AdminCredentials.Credential c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", c.id());
        m.put("name", c.name());
        m.put("role", roleName(c.role()));
        m.put("kind", c.kind());
        m.put("createdAt", c.createdAt().toString());
        if (c.isRevoked()) {
            m.put("revokedAt", c.revokedAt().toString());
        }
        return m;
    }

    /**
     * The one X.509 certificate in {@code bytes} (PEM or DER), refused unless it could authenticate a TLS client
     * now: currently valid, not a CA, and, when it limits its purposes, allowed for client authentication.
     */
    static X509Certificate clientCertificate(Path file, byte[] bytes, Instant now) {
        Collection<? extends java.security.cert.Certificate> certs;
        try {
            certs = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(bytes));
        } catch (CertificateException | RuntimeException e) {
            certs = List.of();
        }
        if (certs.isEmpty() || !(certs.iterator().next() instanceof X509Certificate cert)) {
            throw new Cli.CliException(file + " is not an X.509 certificate (PEM or DER)");
        }
        if (certs.size() > 1) {
            throw new Cli.CliException(file + " holds " + certs.size() + " certificates; give the client certificate alone");
        }
        try {
            cert.checkValidity(Date.from(now));
        } catch (CertificateExpiredException e) {
            throw new Cli.CliException("the certificate in " + file + " expired at " + cert.getNotAfter().toInstant());
        } catch (CertificateNotYetValidException e) {
            throw new Cli.CliException("the certificate in " + file + " is not valid before " + cert.getNotBefore().toInstant());
        }
        if (cert.getBasicConstraints() >= 0) {
            throw new Cli.CliException("the certificate in " + file + " is a CA certificate (basicConstraints cA=true); "
                    + "register an end-entity client certificate");
        }
        List<String> purposes;
        try {
            purposes = cert.getExtendedKeyUsage();
        } catch (CertificateParsingException e) {
            throw new Cli.CliException("the certificate in " + file + " has an unreadable extendedKeyUsage: " + e.getMessage());
        }
        if (purposes != null && !purposes.contains("1.3.6.1.5.5.7.3.2") && !purposes.contains("2.5.29.37.0")) {
            throw new Cli.CliException("the certificate in " + file + " is not for TLS client authentication "
                    + "(its extendedKeyUsage lacks clientAuth)");
        }
        boolean[] keyUsage = cert.getKeyUsage();
        if (keyUsage != null && !keyUsage[0]) {
            throw new Cli.CliException("the certificate in " + file + " cannot authenticate a TLS client "
                    + "(its keyUsage lacks digitalSignature)");
        }
        return cert;
    }
}
