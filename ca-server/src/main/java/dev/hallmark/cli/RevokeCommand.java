package dev.hallmark.cli;

import dev.hallmark.authority.RevocationReason;
import dev.hallmark.authority.RevocationRequest;
import dev.hallmark.authority.SerialNumber;
import dev.hallmark.authority.SerialRecord;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hallmark revoke}: revoke by serial; acknowledged only after the revocation and its audit entry commit. */
@Command(name = "revoke", mixinStandardHelpOptions = true,
        description = "Revoke a certificate (or an 'outcome unknown' serial) by serial. A revocation is never undone; "
                + "its reason may later only be raised to keyCompromise, which also blocks the key.")
final class RevokeCommand extends ApplianceCommand {
    @Option(names = "--serial", required = true, paramLabel = "HEX", description = "Serial in hex (colons allowed).")
    String serial;
    @Option(names = "--reason", defaultValue = "unspecified", paramLabel = "NAME",
            description = "unspecified, keyCompromise, cACompromise, affiliationChanged, superseded, "
                    + "cessationOfOperation, privilegeWithdrawn, aACompromise (certificateHold is never used).")
    String reason;
    @Option(names = "--ca", paramLabel = "NAME", description = "Issuing CA (default: the one CA that assigned the serial).")
    String ca;
    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Override
    int run(Appliance a) {
        SerialNumber sn = SerialNumber.parse(serial);
        RevocationReason why = RevocationReason.parse(reason);
        String issuer = CaSelection.forSerial(a.authority(), ca, sn);
        SerialRecord r = a.authority().revoke(new RevocationRequest(issuer, sn, why, Cli.actor()));
        var out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("issuer", issuer);
            m.put("serial", sn.hex());
            m.put("status", "revoked");
            m.put("revokedAt", r.revokedAt().toString());
            m.put("reason", r.revocationReason().rfcName());
            Cli.printJson(out, m);
        } else {
            out.println("revoked " + issuer + "/" + sn.hex() + " at " + r.revokedAt() + " (" + r.revocationReason().rfcName() + ")");
            out.flush();
        }
        a.checkpointAfterCommit(spec.commandLine().getErr());
        return 0;
    }
}
