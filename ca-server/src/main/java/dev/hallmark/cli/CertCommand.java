package dev.hallmark.cli;

import dev.hallmark.authority.CaException;
import dev.hallmark.authority.CertificateQuery;
import dev.hallmark.authority.CertificateRecord;
import dev.hallmark.authority.CertificateStatus;
import dev.hallmark.authority.IssuedCertificate;
import dev.hallmark.authority.SerialNumber;
import dev.hallmark.authority.SerialRecord;
import dev.hallmark.config.ConfigNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code hallmark cert list|show}. */
@Command(name = "cert", mixinStandardHelpOptions = true, description = "Find and inspect issued certificates.",
        subcommands = {CertCommand.ListCerts.class, CertCommand.ShowCert.class})
final class CertCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a subcommand is required: list or show");
    }

    /** {@code hallmark cert list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "List certificates, newest first.")
    static final class ListCerts extends ApplianceCommand {
        @Override
        boolean readOnly() {
            return true;
        }

        @Option(names = "--status", paramLabel = "STATUS", description = "valid, revoked, expired or unknown (outcome unknown).")
        String status;
        @Option(names = "--expiring-within", paramLabel = "DURATION", description = "Only certificates whose notAfter is within this, e.g. 30d.")
        String expiringWithin;
        @Option(names = "--san", paramLabel = "NAME", description = "Only certificates with this subjectAltName value.")
        String san;
        @Option(names = "--profile", paramLabel = "NAME", description = "Only certificates issued under this profile.")
        String profile;
        @Option(names = "--ca", paramLabel = "NAME", description = "Only certificates issued by this CA.")
        String ca;
        @Option(names = "--limit", defaultValue = "100", paramLabel = "N", description = "At most N rows (1..1000, default 100).")
        int limit;
        @Option(names = "--offset", defaultValue = "0", paramLabel = "N", description = "Skip N rows.")
        int offset;
        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        int run(Appliance a) {
            CertificateStatus st = null;
            if (status != null) {
                try {
                    st = CertificateStatus.valueOf(status.trim().toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw new ParameterException(spec.commandLine(), "--status must be valid, revoked, expired or unknown");
                }
            }
            Instant before = null;
            Instant now = a.authority().now();
            if (expiringWithin != null) {
                Duration d = ConfigNode.parseDuration(expiringWithin);
                if (d == null || d.isNegative()) {
                    throw new ParameterException(spec.commandLine(), "--expiring-within: '" + expiringWithin
                            + "' is not a duration such as 30d");
                }
                before = now.plus(d);
            }
            var out0 = spec.commandLine().getOut();
            if (st == CertificateStatus.UNKNOWN) {
                // Outcome unknown: a serial reserved and maybe signed, never stored (crash points 4-5). Such a serial
                // has no certificate, so only --ca applies.
                if (san != null || profile != null || expiringWithin != null) {
                    throw new ParameterException(spec.commandLine(),
                            "--status unknown lists serials without a certificate: only --ca, --limit and --offset apply");
                }
                List<Map<String, Object>> views = new ArrayList<>();
                a.store().unresolved(now).stream().filter(s -> ca == null || ca.equals(s.intent().issuer()))
                        .skip(offset).limit(limit).forEach(s -> views.add(CertView.of(s)));
                if (json) {
                    Cli.printJson(out0, views);
                } else {
                    out0.printf("%-34s %-10s %-8s %-24s %s%n", "SERIAL", "CA", "STATE", "RESERVED AT", "REVOKED");
                    for (Map<String, Object> v : views) {
                        out0.printf("%-34s %-10s %-8s %-24s %s%n", v.get("serial"), v.get("issuer"), v.get("state"),
                                v.get("reservedAt"), v.getOrDefault("revokedAt", "-"));
                    }
                    out0.flush();
                }
                return 0;
            }
            List<CertificateRecord> rows = a.authority().search(new CertificateQuery(ca, st, before,
                    san == null ? null : san.trim().toLowerCase(Locale.ROOT), profile, limit, offset));
            var out = spec.commandLine().getOut();
            if (json) {
                List<Map<String, Object>> views = new ArrayList<>();
                rows.forEach(r -> views.add(CertView.of(r, now, null)));
                Cli.printJson(out, views);
            } else {
                out.printf("%-34s %-10s %-8s %-20s %-12s %s%n", "SERIAL", "CA", "STATUS", "NOT AFTER", "PROFILE", "NAMES");
                for (CertificateRecord r : rows) {
                    out.printf("%-34s %-10s %-8s %-20s %-12s %s%n", r.serial().hex(), r.issuer(),
                            r.status(now).name().toLowerCase(Locale.ROOT), r.notAfter(), r.profile(),
                            String.join(",", r.identifiers().stream().map(i -> i.value()).toList()));
                }
                out.flush();
            }
            return 0;
        }
    }

    /** {@code hallmark cert show}. */
    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one certificate or serial.")
    static final class ShowCert extends ApplianceCommand {
        @Override
        boolean readOnly() {
            return true;
        }

        @Option(names = "--serial", required = true, paramLabel = "HEX", description = "Serial in hex.")
        String serial;
        @Option(names = "--ca", paramLabel = "NAME", description = "Issuing CA (default: the one that assigned the serial).")
        String ca;
        @Option(names = "--pem", description = "Print the PEM chain instead.")
        boolean pem;
        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        int run(Appliance a) {
            SerialNumber sn = SerialNumber.parse(serial);
            String issuer = CaSelection.forSerial(a.authority(), ca, sn);
            var out = spec.commandLine().getOut();
            CertificateRecord r = a.authority().certificate(issuer, sn).orElse(null);
            if (r == null) {
                SerialRecord s = a.authority().serial(issuer, sn).orElseThrow(() -> new CaException(
                        CaException.Kind.NOT_FOUND, "CA '" + issuer + "' never assigned serial " + sn.hex()));
                if (pem) {
                    throw new CaException(CaException.Kind.NOT_FOUND, "serial " + sn.hex() + " has no stored certificate (state "
                            + s.state().name().toLowerCase(Locale.ROOT) + ")");
                }
                Cli.printJson(out, CertView.of(s));
                return 0;
            }
            IssuedCertificate issued = new IssuedCertificate(r, a.authority().signingCaChain(issuer));
            if (pem) {
                out.print(issued.pemChain());
                out.flush();
            } else if (json) {
                Cli.printJson(out, CertView.of(r, a.authority().now(), issued));
            } else {
                Map<String, Object> v = CertView.of(r, a.authority().now(), null);
                v.forEach((k, val) -> out.printf("%-16s %s%n", k + ":", val));
                out.flush();
            }
            return 0;
        }
    }
}
