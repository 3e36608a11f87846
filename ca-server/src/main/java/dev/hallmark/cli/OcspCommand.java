package dev.hallmark.cli;

import dev.hallmark.authority.SerialNumber;
import dev.hallmark.authority.SerialRecord;
import dev.hallmark.authority.SerialState;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code hallmark ocsp status}. */
@Command(name = "ocsp", mixinStandardHelpOptions = true, description = "Inspect what the OCSP responder answers.",
        subcommands = {OcspCommand.Status.class})
final class OcspCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a subcommand is required: status");
    }

    /** {@code hallmark ocsp status SERIAL}. */
    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "The authoritative status OCSP gives for a serial: good, revoked (time, reason) or unknown "
                    + "(never assigned by the CA, or its issuance aborted). An 'outcome unknown' serial is answered "
                    + "for like an issued one.")
    static final class Status extends ApplianceCommand {
        @Override
        boolean readOnly() {
            return true;
        }

        @Parameters(index = "0", paramLabel = "SERIAL", description = "Serial in hex (colons allowed).")
        String serial;
        @Option(names = "--ca", paramLabel = "NAME", description = "Issuing CA (default: the one CA that assigned the serial).")
        String ca;
        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        int run(Appliance a) {
            SerialNumber sn = SerialNumber.parse(serial);
            String issuer = ca;
            if (issuer == null) {
                try {
                    issuer = CaSelection.forSerial(a.authority(), null, sn);
                } catch (dev.hallmark.authority.CaException e) {
                    if (e.kind() != dev.hallmark.authority.CaException.Kind.NOT_FOUND) {
                        throw e;
                    }
                }
            }
            SerialRecord r = issuer == null ? null : a.authority().serial(issuer, sn).orElse(null);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("serial", sn.hex());
            m.put("ca", issuer);
            if (r == null || r.state() == SerialState.ABORTED) {
                m.put("status", "unknown");
                m.put("why", r == null ? "no CA here assigned this serial" : "its issuance was aborted: no certificate exists");
            } else if (r.isRevoked()) {
                m.put("status", "revoked");
                m.put("revokedAt", r.revokedAt().toString());
                m.put("reason", r.revocationReason().rfcName());
            } else {
                m.put("status", "good");
            }
            if (r != null) {
                m.put("issuance", r.state() == SerialState.SIGNING ? "outcome unknown" : r.state().name().toLowerCase(java.util.Locale.ROOT));
                m.put("notAfter", r.intent().notAfter().toString());
            }
            if (json) {
                Cli.printJson(out(), m);
            } else {
                m.forEach((k, v) -> out().println(k + ": " + v));
                out().flush();
            }
            return 0;
        }
    }
}
