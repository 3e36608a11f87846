package dev.hallmark.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The issue's "done when", end to end: the shaded jar started as a separate process, driven as an operator would,
 * its output checked by independent parsers (OpenSSL, GnuTLS).
 */
class CliEndToEndIT {
    private static final Pattern PEM = Pattern.compile("-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----\\n?", Pattern.DOTALL);

    @TempDir
    Path tmp;

    @Test
    void initIssueVerifyRevokeAndDetectLedgerTampering() throws Exception {
        Path data = tmp.resolve("data");
        Processes.Result init = Processes.hallmark(Map.of(), "init", "--data", data.toString());
        assertThat(init.exit()).as(init.toString()).isZero();
        assertThat(init.out()).contains("Root SHA-256 fingerprint");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("token.pass"))))
                .isEqualTo("rw-------");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("token.p12"))))
                .isEqualTo("rw-------");

        Path csr = opensslCsr("www.example.com", "DNS:www.example.com,DNS:example.com,IP:192.0.2.1");
        Path chain = tmp.resolve("chain.pem");
        Processes.Result issue = Processes.hallmark(Map.of(), "issue", "--data", data.toString(), "--csr", csr.toString(),
                "--profile", "tls-server", "--out", chain.toString());
        assertThat(issue.exit()).as(issue.toString()).isZero();
        String serial = serialFrom(issue.err());

        Path root = tmp.resolve("root.pem");
        Processes.Result rootCert = Processes.hallmark(Map.of(), "ca", "cert", "root", "--data", data.toString());
        assertThat(rootCert.exit()).as(rootCert.toString()).isZero();
        Files.writeString(root, rootCert.out());
        assertChainVerifies(chain, root);

        Processes.Result list = Processes.hallmark(Map.of(), "cert", "list", "--data", data.toString(), "--san",
                "example.com", "--json");
        assertThat(list.exit()).as(list.toString()).isZero();
        assertThat(list.out()).contains(serial);

        Processes.Result revoke = Processes.hallmark(Map.of(), "revoke", "--data", data.toString(), "--serial", serial,
                "--reason", "keyCompromise");
        assertThat(revoke.exit()).as(revoke.toString()).isZero();
        Processes.Result again = Processes.hallmark(Map.of(), "revoke", "--data", data.toString(), "--serial", serial,
                "--reason", "superseded");
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err().lines().filter(l -> !l.isBlank()).count()).as("one clear line").isEqualTo(1);

        Processes.Result verify = Processes.hallmark(Map.of(), "verify", "--data", data.toString());
        assertThat(verify.exit()).as(verify.toString()).isZero();
        Processes.Result ledger = Processes.hallmark(Map.of(), "ledger", "verify", "--data", data.toString());
        assertThat(ledger.exit()).as(ledger.toString()).isZero();

        Processes.Result reinit = Processes.hallmark(Map.of(), "init", "--data", data.toString());
        assertThat(reinit.exit()).as(reinit.toString()).isEqualTo(1);
        assertThat(reinit.err()).contains("exists already");

        // An attacker with database access edits one ledger row: 'ledger verify' must fail.
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + data.toAbsolutePath().resolve("db/hallmark"), "sa", "");
             Statement s = c.createStatement()) {
            assertThat(s.executeUpdate("UPDATE ledger_entry SET actor = 'cli:mallory@nowhere' "
                    + "WHERE id = (SELECT MIN(id) FROM ledger_entry WHERE event_type = 'CERTIFICATE_REVOKED')")).isEqualTo(1);
        }
        Processes.Result tampered = Processes.hallmark(Map.of(), "ledger", "verify", "--data", data.toString());
        assertThat(tampered.exit()).as(tampered.toString()).isEqualTo(1);
        assertThat(Processes.hallmark(Map.of(), "verify", "--data", data.toString()).exit()).isEqualTo(1);
    }

    @Test
    void usageErrorsExitTwoAndHelpWorksEverywhere() {
        assertThat(Processes.hallmark(Map.of(), "issue", "--no-such-flag").exit()).isEqualTo(2);
        assertThat(Processes.hallmark(Map.of()).exit()).isEqualTo(2);
        for (List<String> verb : List.of(List.of("init"), List.of("ca", "list"), List.of("ca", "cert"), List.of("issue"),
                List.of("revoke"), List.of("cert", "list"), List.of("cert", "show"), List.of("ledger", "verify"),
                List.of("verify"))) {
            String[] args = java.util.stream.Stream.concat(verb.stream(), java.util.stream.Stream.of("--help")).toArray(String[]::new);
            Processes.Result help = Processes.hallmark(Map.of(), args);
            assertThat(help.exit()).as(verb + ": " + help).isZero();
            assertThat(help.out()).contains("Usage:");
        }
    }

    @Test
    void missingDataDirectoryIsOneClearError() {
        Processes.Result r = Processes.hallmark(Map.of(), "ca", "list", "--data", tmp.resolve("nothing").toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("hallmark init");
    }

    private Path opensslCsr(String cn, String sans) {
        Path key = tmp.resolve(cn + ".key");
        Path csr = tmp.resolve(cn + ".csr");
        Processes.Result r = Processes.run("openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-keyout", key.toString(), "-out", csr.toString(), "-subj", "/CN=" + cn,
                "-addext", "subjectAltName=" + sans);
        assertThat(r.exit()).as(r.toString()).isZero();
        return csr;
    }

    /** openssl verify -x509_strict and GnuTLS certtool --verify both accept the chain up to {@code root}. */
    static void assertChainVerifies(Path chain, Path root) throws Exception {
        Matcher m = PEM.matcher(Files.readString(chain));
        List<String> pems = new java.util.ArrayList<>();
        while (m.find()) {
            pems.add(m.group());
        }
        assertThat(pems).hasSize(3);
        Path dir = chain.getParent();
        Path leaf = Files.writeString(dir.resolve("leaf.pem"), pems.get(0));
        Path issuing = Files.writeString(dir.resolve("issuing.pem"), pems.get(1));
        Processes.Result openssl = Processes.run("openssl", "verify", "-x509_strict", "-CAfile", root.toString(),
                "-untrusted", issuing.toString(), leaf.toString());
        assertThat(openssl.exit()).as(openssl.toString()).isZero();
        assertThat(openssl.out()).contains("OK");
        Processes.Result gnutls = Processes.run("certtool", "--verify", "--load-ca-certificate", root.toString(),
                "--infile", chain.toString());
        assertThat(gnutls.exit()).as(gnutls.toString()).isZero();
        assertThat(gnutls.out()).contains("Chain verification output: Verified");
    }

    static String serialFrom(String stderr) {
        Matcher m = Pattern.compile("issued serial ([0-9a-f]+)").matcher(stderr);
        assertThat(m.find()).as(stderr).isTrue();
        return m.group(1);
    }
}
