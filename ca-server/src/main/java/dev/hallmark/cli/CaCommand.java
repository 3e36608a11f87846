package dev.hallmark.cli;

import dev.hallmark.authority.CaException;
import dev.hallmark.authority.CaRecord;
import dev.hallmark.authority.IssuedCertificate;
import dev.hallmark.authority.KeyIdentifiers;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code hallmark ca list|cert}. */
@Command(name = "ca", mixinStandardHelpOptions = true, description = "Inspect certificate authorities.",
        subcommands = {CaCommand.ListCas.class, CaCommand.CaCert.class})
final class CaCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: list or cert");
    }

    /** {@code hallmark ca list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the CAs.")
    static final class ListCas extends ApplianceCommand {
        @Override
        boolean readOnly() {
            return true;
        }

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        int run(Appliance a) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (CaRecord ca : a.authority().cas()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", ca.name());
                m.put("parent", ca.parentName());
                m.put("subject", ca.subject());
                m.put("keyType", ca.keyType().cliName());
                m.put("signatureAlgorithm", ca.signatureAlgorithm().jcaName());
                m.put("serial", ca.serial().hex());
                m.put("notBefore", ca.notBefore().toString());
                m.put("notAfter", ca.notAfter().toString());
                m.put("sha256", KeyIdentifiers.sha256Hex(ca.certificateDer()));
                rows.add(m);
            }
            var out = spec.commandLine().getOut();
            if (json) {
                Cli.printJson(out, rows);
            } else {
                out.printf("%-12s %-12s %-10s %-22s %s%n", "NAME", "PARENT", "KEY", "NOT AFTER", "SUBJECT");
                for (Map<String, Object> m : rows) {
                    out.printf("%-12s %-12s %-10s %-22s %s%n", m.get("name"), m.get("parent") == null ? "-" : m.get("parent"),
                            m.get("keyType"), m.get("notAfter"), m.get("subject"));
                }
                out.flush();
            }
            return 0;
        }
    }

    /** {@code hallmark ca cert NAME}: the CA's certificate as PEM on stdout. */
    @Command(name = "cert", mixinStandardHelpOptions = true, description = "Print a CA's certificate (PEM).")
    static final class CaCert extends ApplianceCommand {
        @Override
        boolean readOnly() {
            return true;
        }

        @Parameters(paramLabel = "NAME", description = "CA name, e.g. root or issuing.")
        String name;
        @Option(names = "--chain", description = "Also print its ancestors up to the root.")
        boolean chain;

        @Override
        int run(Appliance a) {
            var out = spec.commandLine().getOut();
            CaRecord ca = a.store().ca(name).orElseThrow(() -> new CaException(CaException.Kind.NOT_FOUND,
                    "no CA '" + name + "'"));
            // Read from the store, not the token: the certificate is public even while an HSM is offline.
            while (ca != null) {
                out.print(IssuedCertificate.pem(ca.certificateDer()));
                String parent = ca.parentName();
                ca = chain && parent != null ? a.store().ca(parent).orElse(null) : null;
            }
            out.flush();
            return 0;
        }
    }
}
