package dev.hallmark.cli;

import dev.hallmark.authority.Reconciler;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hallmark verify}: the reconciler (RELIABILITY N1–N9 as far as the running features go). */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Reconcile the database with the ledger: every serial intent has an outcome, every CA signature "
                + "has a ledger entry, serials are unique, revocations are consistent, stored certificates lint clean, "
                + "the newest CRLs verify and list every revocation, and the ledger verifies. Exit 1 on any problem.")
final class VerifyCommand extends ApplianceCommand {
    @Override
    boolean readOnly() {
        return true;
    }

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    int run(Appliance a) {
        Reconciler.Report r = a.reconciler().run();
        java.util.List<String> crlProblems = new java.util.ArrayList<>();
        dev.hallmark.authority.crl.Crls crls = a.crls(CrlCommand.node());
        for (dev.hallmark.authority.CaRecord ca : a.authority().cas()) {
            crlProblems.addAll(crls.audit(ca.name()));
        }
        boolean ok = r.ok() && crlProblems.isEmpty();
        var out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("ok", ok);
            m.put("serials", r.serials());
            m.put("issued", r.issued());
            m.put("revoked", r.revoked());
            m.put("outcomeUnknown", r.outcomeUnknown());
            m.put("ledgerOk", r.ledger().ok());
            m.put("ledgerProblems", r.ledger().problems());
            m.put("problems", r.problems());
            m.put("crlProblems", crlProblems);
            Cli.printJson(out, m);
        } else {
            out.println((ok ? "OK: " : "FAILED: ") + r.serials() + " serials, " + r.issued() + " issued, "
                    + r.revoked() + " revoked; ledger " + (r.ledger().ok() ? "verifies" : "FAILS") + " ("
                    + r.ledger().entries() + " entries)");
            r.outcomeUnknown().forEach(s -> out.println("  outcome unknown (revoke it by serial if in doubt): " + s));
            r.problems().forEach(p -> out.println("  problem: " + p));
            r.ledger().problems().forEach(p -> out.println("  ledger problem: " + p));
            crlProblems.forEach(p -> out.println("  CRL problem: " + p));
            out.flush();
        }
        return ok ? 0 : 1;

    }
}
