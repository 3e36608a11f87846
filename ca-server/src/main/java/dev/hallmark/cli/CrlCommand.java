package dev.hallmark.cli;

import dev.hallmark.authority.CaException;
import dev.hallmark.authority.CaRecord;
import dev.hallmark.authority.crl.CrlKind;
import dev.hallmark.authority.crl.Crls;
import dev.hallmark.authority.crl.PublishedCrl;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code hallmark crl build|show}. */
@Command(name = "crl", mixinStandardHelpOptions = true, description = "Build and inspect certificate revocation lists.",
        subcommands = {CrlCommand.Build.class, CrlCommand.Show.class})
final class CrlCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "a subcommand is required: build or show");
    }

    static String node() {
        return "cli:" + ProcessHandle.current().pid();
    }

    static Map<String, Object> describe(PublishedCrl c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", c.fileName());
        m.put("ca", c.issuer());
        m.put("kind", c.kind().name().toLowerCase(Locale.ROOT));
        if (c.kind() == CrlKind.SHARD) {
            m.put("shard", c.shard());
        }
        m.put("crlNumber", c.number());
        if (c.baseNumber() != null) {
            m.put("baseCrlNumber", c.baseNumber());
        }
        m.put("thisUpdate", c.thisUpdate().toString());
        m.put("nextUpdate", c.nextUpdate().toString());
        m.put("entries", c.entries());
        m.put("bytes", c.length());
        m.put("sha256", c.sha256());
        m.put("builtBy", c.builtBy());
        return m;
    }

    static void print(PrintWriter out, boolean json, List<PublishedCrl> crls) {
        if (json) {
            Cli.printJson(out, crls.stream().map(CrlCommand::describe).toList());
            return;
        }
        for (PublishedCrl c : crls) {
            out.printf("%-24s number %-6d %9d entries %11d bytes  thisUpdate %s  nextUpdate %s%n", c.fileName(),
                    c.number(), c.entries(), c.length(), c.thisUpdate(), c.nextUpdate());
        }
        out.flush();
    }

    /** {@code hallmark crl build}. */
    @Command(name = "build", mixinStandardHelpOptions = true,
            description = "Build, sign and publish CRLs now: the complete CRL of each CA (and its partitions when "
                    + "crl.shards > 1), or with --delta the delta CRLs. Fails while another node is building.")
    static final class Build extends ApplianceCommand {
        @Option(names = "--ca", paramLabel = "NAME", description = "Only this CA (default: every CA).")
        String ca;
        @Option(names = "--delta", description = "Build delta CRLs (crl.delta.enabled must be true).")
        boolean delta;
        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        int run(Appliance a) {
            Crls crls = a.crls(node());
            List<PublishedCrl> built = new ArrayList<>();
            long started = System.nanoTime();
            for (String name : cas(a, ca)) {
                if (delta) {
                    built.add(crls.buildDelta(name, Cli.actor()));
                } else {
                    built.addAll(crls.buildComplete(name, Cli.actor()));
                }
            }
            long millis = (System.nanoTime() - started) / 1_000_000;
            print(out(), json, built);
            if (!json) {
                out().printf("built %d CRL(s) in %.1f s (read, encode, sign, store)%n", built.size(), millis / 1000.0);
                out().flush();
            }
            a.checkpointAfterCommit(spec.commandLine().getErr());
            return 0;
        }
    }

    /** {@code hallmark crl show}. */
    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Show the newest published CRLs, or write one out (--out FILE as DER, --pem to standard output).")
    static final class Show extends ApplianceCommand {
        @Override
        boolean readOnly() {
            return true;
        }

        @Option(names = "--ca", paramLabel = "NAME", description = "The CA (required with --out and --pem).")
        String ca;
        @Option(names = "--kind", defaultValue = "complete", paramLabel = "KIND", description = "complete, shard or delta.")
        String kind;
        @Option(names = "--shard", defaultValue = "-1", paramLabel = "N", description = "The partition, with --kind shard.")
        int shard;
        @Option(names = "--out", paramLabel = "FILE", description = "Write the CRL (DER) to FILE.")
        Path outFile;
        @Option(names = "--pem", description = "Print the CRL as PEM.")
        boolean pem;
        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        int run(Appliance a) {
            Crls crls = a.crls(node());
            if (outFile == null && !pem) {
                List<PublishedCrl> all = crls.published().stream().filter(c -> ca == null || c.issuer().equals(ca)).toList();
                print(out(), json, all);
                return 0;
            }
            if (ca == null) {
                throw new ParameterException(spec.commandLine(), "--out and --pem need --ca");
            }
            CrlKind k;
            try {
                k = CrlKind.valueOf(kind.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--kind must be complete, shard or delta");
            }
            PublishedCrl crl = crls.latest(ca, k, k == CrlKind.SHARD ? shard : -1).orElseThrow(() -> new CaException(
                    CaException.Kind.NOT_FOUND, "no " + kind + " CRL of CA '" + ca + "' has been published; run 'hallmark crl build'"));
            if (outFile != null) {
                Cli.writeFile(outFile, crl.der(), "rw-r--r--");
            }
            if (pem) {
                out().print("-----BEGIN X509 CRL-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(crl.der()) + "\n-----END X509 CRL-----\n");
                out().flush();
            } else {
                print(out(), json, List.of(crl));
            }
            return 0;
        }
    }

    static List<String> cas(Appliance a, String only) {
        List<String> names = a.authority().cas().stream().map(CaRecord::name).toList();
        if (only == null) {
            return names;
        }
        if (!names.contains(only)) {
            throw new CaException(CaException.Kind.NOT_FOUND, "no CA '" + only + "'; CAs: " + String.join(", ", names));
        }
        return List.of(only);
    }
}
