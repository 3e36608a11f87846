package dev.hallmark.cli;

import dev.hallmark.authority.CertificateRecord;
import dev.hallmark.authority.CertificationRequest;
import dev.hallmark.authority.IssuanceRequest;
import dev.hallmark.authority.IssuedCertificate;
import dev.hallmark.authority.Provenance;
import dev.hallmark.authority.policy.PolicyDecision;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hallmark issue}: certify a CSR under a profile; the PEM chain goes to {@code --out} or stdout. */
@Command(name = "issue", mixinStandardHelpOptions = true,
        description = "Issue a certificate for a PKCS#10 CSR (PEM or DER) under a profile. "
                + "Prints the PEM chain (certificate first) to stdout or --out.")
final class IssueCommand extends ApplianceCommand {
    @Option(names = "--csr", required = true, paramLabel = "FILE", description = "The CSR, PEM or DER.")
    Path csr;
    @Option(names = "--profile", required = true, paramLabel = "NAME", description = "Profile, e.g. tls-server, tls-client, device, ocsp-signer.")
    String profile;
    @Option(names = "--ca", paramLabel = "NAME", description = "Issuing CA (default: ca.issuing from hallmark.yaml).")
    String ca;
    @Option(names = "--out", paramLabel = "FILE", description = "Write the PEM chain here instead of stdout.")
    Path out;
    @Option(names = "--json", description = "Print the result as JSON (serial, status, validity, certificate, chain).")
    boolean json;
    @Option(names = "--dry-run", description = "Ask the policy engine only: would this CSR be issued, and if not, why. "
            + "Signs and writes nothing; exit 0 when it would be issued, 1 when not.")
    boolean dryRun;

    @Override
    boolean readOnly() {
        return dryRun;
    }

    @Override
    int run(Appliance a) {
        byte[] request = Cli.readBounded(csr, CertificationRequest.MAX_BYTES, "CSR");
        String actor = Cli.actor();
        if (dryRun) {
            PolicyDecision decision = a.authority().dryRun(new IssuanceRequest(ca == null ? a.config().issuingCa() : ca,
                    profile, request, List.of(), actor, Provenance.admin("cli", actor, a.authority().now())));
            if (json) {
                Cli.printJson(out(), java.util.Map.of("allowed", decision.allowed(), "reasons", decision.reasons().stream()
                        .map(r -> java.util.Map.of("kind", r.kind().name(), "rule", r.rule(), "detail", r.detail(),
                                "identifier", r.identifier() == null ? "" : r.identifier().toString())).toList()));
            } else {
                out().println(decision.allowed() ? "would be issued" : "would be " + decision.explain());
                out().flush();
            }
            return decision.allowed() ? 0 : 1;
        }
        IssuedCertificate issued = a.authority().issue(new IssuanceRequest(ca == null ? a.config().issuingCa() : ca,
                profile, request, List.of(), actor, Provenance.admin("cli", actor, a.authority().now())));
        String pem = issued.pemChain();
        CertificateRecord r = issued.record();
        var stdout = spec.commandLine().getOut();
        if (out != null) {
            Cli.writeFile(out, pem.getBytes(StandardCharsets.US_ASCII), "rw-r--r--");
        }
        if (json) {
            Cli.printJson(stdout, CertView.of(r, a.authority().now(), issued));
        } else if (out == null) {
            stdout.print(pem);
            stdout.flush();
        }
        if (out != null || json) {
            spec.commandLine().getErr().println("issued serial " + r.serial().hex() + " by '" + r.issuer() + "' under "
                    + r.profile() + " v" + r.profileVersion() + ", valid until " + r.notAfter()
                    + (out == null ? "" : "; chain written to " + out));
        }
        a.checkpointAfterCommit(spec.commandLine().getErr());
        return 0;
    }
}
