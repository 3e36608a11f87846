package dev.hallmark.protocol.acme;

import dev.hallmark.cli.Appliance;
import dev.hallmark.cli.CliExtension;
import dev.hallmark.cli.DataDir;
import dev.hallmark.config.HallmarkConfig;
import dev.hallmark.ledger.AuditEvent;
import dev.hallmark.ledger.AuditEventType;
import dev.hallmark.store.acme.JdbcAcmeStore;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code hallmark acme}: external account binding keys, rate-limit overrides, early renewal (ARI) and a look at
 * accounts and orders. Every change is written to the audit ledger; an EAB key is printed once and never logged.
 */
@Command(name = "acme", mixinStandardHelpOptions = true, description = "Operate the ACME server.",
        subcommands = {AcmeCommand.Eab.class, AcmeCommand.RateLimit.class, AcmeCommand.RenewEarly.class, AcmeCommand.Accounts.class,
                AcmeCommand.Orders.class})
public final class AcmeCommand implements Runnable, CliExtension {
    @Spec
    CommandSpec spec;

    @Override
    public Object command() {
        return new AcmeCommand();
    }

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }

    /** Opens the appliance and the ACME store for one verb. */
    abstract static class Verb implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        DataDir data;

        @Override
        public final Integer call() {
            HallmarkConfig config = data.load();
            try (Appliance a = Appliance.open(config, Clock.systemUTC())) {
                return run(a, new JdbcAcmeStore(a.database()), spec.commandLine().getOut());
            }
        }

        abstract int run(Appliance a, AcmeStore store, PrintWriter out);

        static String actor() {
            return "cli:" + System.getProperty("user.name", "unknown");
        }

        static void audit(Appliance a, String subject, Map<String, String> details) {
            a.ledger().appendNow(new AuditEvent(AuditEventType.CONFIG_CHANGED, actor(), subject, details));
        }
    }

    @Command(name = "eab", mixinStandardHelpOptions = true, description = "External account binding keys (RFC 8555 §7.3.4).",
            subcommands = {EabCreate.class, EabList.class, EabRevoke.class})
    static final class Eab implements Runnable {
        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: create, list, revoke");
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create an external account binding key; its HMAC key is shown once.")
    static final class EabCreate extends Verb {
        @Override
        int run(Appliance a, AcmeStore store, PrintWriter out) {
            EabKeys keys = new EabKeys(store, a.config().dataDir().resolve(AcmeEndpoint.EAB_KEK_FILE), Clock.systemUTC());
            EabKeys.Created c = keys.create(actor());
            audit(a, "acme/eab/" + c.kid(), Map.of("action", "eab key created"));
            out.println("kid:      " + c.kid());
            out.println("hmac key: " + c.hmacKeyBase64Url());
            out.println("(shown once; give both to the ACME client, e.g. certbot --eab-kid KID --eab-hmac-key KEY)");
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List EAB keys (never their secrets).")
    static final class EabList extends Verb {
        @Override
        int run(Appliance a, AcmeStore store, PrintWriter out) {
            for (EabKey k : store.eabKeys()) {
                out.printf("%s  created %s by %s  %s%n", k.kid(), k.createdAt(), k.createdBy(),
                        k.revoked() ? "revoked" : k.accountId() == null ? "unused" : "bound to account " + k.accountId());
            }
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Withdraw an unused EAB key.")
    static final class EabRevoke extends Verb {
        @Parameters(paramLabel = "KID")
        String kid;

        @Override
        int run(Appliance a, AcmeStore store, PrintWriter out) {
            if (!store.revokeEab(kid)) {
                spec.commandLine().getErr().println("hallmark: no unused EAB key '" + kid + "'");
                return 1;
            }
            audit(a, "acme/eab/" + kid, Map.of("action", "eab key revoked"));
            out.println("revoked " + kid);
            return 0;
        }
    }

    @Command(name = "rate-limit", mixinStandardHelpOptions = true,
            description = "Override a rate-limit bucket (e.g. account:7:orders, domain:example.com:orders), or list overrides.")
    static final class RateLimit extends Verb {
        @Parameters(index = "0", arity = "0..1", paramLabel = "BUCKET")
        String bucket;
        @Parameters(index = "1", arity = "0..1", paramLabel = "LIMIT", description = "Events per window; 0 disables the limit.")
        Long limit;
        @Option(names = "--remove", description = "Remove the override of BUCKET.")
        boolean remove;

        @Override
        int run(Appliance a, AcmeStore store, PrintWriter out) {
            if (bucket == null) {
                store.rateOverrides().forEach((b, l) -> out.println(b + " " + l));
                return 0;
            }
            Map<String, String> details = new LinkedHashMap<>();
            details.put("bucket", bucket);
            if (remove) {
                store.removeRateOverride(bucket);
                details.put("action", "rate limit override removed");
            } else {
                if (limit == null || limit < 0) {
                    spec.commandLine().getErr().println("hallmark: give a LIMIT of 0 or more, or --remove");
                    return 2;
                }
                store.setRateOverride(bucket, limit);
                details.put("action", "rate limit override set");
                details.put("limit", Long.toString(limit));
            }
            audit(a, "acme/rate-limit", details);
            out.println(details.get("action") + ": " + bucket);
            return 0;
        }
    }

    @Command(name = "renew-early", mixinStandardHelpOptions = true,
            description = "Mark certificates for early renewal (ARI): one serial, or every certificate of a CA issued before now.")
    static final class RenewEarly extends Verb {
        @Option(names = "--ca", paramLabel = "NAME", description = "The issuing CA (default: acme.ca).")
        String ca;
        @Option(names = "--serial", paramLabel = "HEX", description = "One certificate; without it, all of the CA's.")
        String serial;
        @Option(names = "--reason", paramLabel = "TEXT", required = true, description = "Why (recorded in the ledger).")
        String reason;

        @Override
        int run(Appliance a, AcmeStore store, PrintWriter out) {
            String issuer = ca != null ? ca : AcmeSettings.from(a.config()).ca();
            String hex = serial == null ? null : dev.hallmark.authority.SerialNumber.parse(serial).hex();
            Instant now = Instant.now();
            store.markRenewEarly(issuer, hex, now, reason);
            Map<String, String> details = new LinkedHashMap<>();
            details.put("action", "renew early");
            details.put("serial", hex == null ? "all" : hex);
            details.put("reason", reason);
            audit(a, issuer + "/acme/ari", details);
            out.println("marked " + (hex == null ? "every certificate of " + issuer + " issued before " + now : issuer + "/" + hex)
                    + " for early renewal");
            return 0;
        }
    }

    @Command(name = "accounts", mixinStandardHelpOptions = true, description = "List ACME accounts, newest first.")
    static final class Accounts extends Verb {
        @Option(names = "--limit", defaultValue = "50")
        int limit;

        @Override
        int run(Appliance a, AcmeStore store, PrintWriter out) {
            for (AcmeAccount acc : store.accounts(0, Math.max(1, Math.min(limit, 10_000)))) {
                out.printf("%d  %s  %s  %s%n", acc.id(), acc.status().label(), acc.createdAt(), String.join(",", acc.contacts()));
            }
            return 0;
        }
    }

    @Command(name = "orders", mixinStandardHelpOptions = true, description = "List ACME orders, newest first.")
    static final class Orders extends Verb {
        @Option(names = "--account", paramLabel = "ID")
        Long account;
        @Option(names = "--limit", defaultValue = "50")
        int limit;

        @Override
        int run(Appliance a, AcmeStore store, PrintWriter out) {
            for (AcmeOrder o : store.orders(account, 0, Math.max(1, Math.min(limit, 10_000)))) {
                out.printf("%s  account %d  %s  %s  %s%n", o.id(), o.accountId(), o.status().label(), o.identifiers(),
                        o.certSerial() == null ? "" : o.certIssuer() + "/" + o.certSerial());
            }
            return 0;
        }
    }
}
