package dev.hallmark.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hallmark.hsm.testing.SoftHsm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same operator flow with the CA keys in a SoftHSM2 token through SunPKCS11: the keys are generated inside the
 * token, never extractable, and the issued chain verifies with OpenSSL and GnuTLS.
 */
class Pkcs11EndToEndIT {
    @TempDir
    Path tmp;

    @BeforeAll
    static void softHsm() {
        SoftHsm.assumeAvailable();
    }

    @Test
    void initIssueRevokeAndVerifyWithKeysInSoftHsm() throws Exception {
        SoftHsm.Token token = SoftHsm.newToken();
        Map<String, String> env = Map.of("SOFTHSM2_CONF", token.conf().toString());
        Path data = tmp.resolve("data");

        Processes.Result init = Processes.hallmark(env, "init", "--data", data.toString(), "--token", "pkcs11",
                "--pkcs11-library", token.library().toString(), "--pkcs11-token-label", token.label(),
                "--pkcs11-pin-file", token.pinFile().toString(), "--key-type", "ec-p384");
        assertThat(init.exit()).as(init.toString()).isZero();
        assertThat(Files.readString(data.resolve("hallmark.yaml"))).contains("pkcs11").doesNotContain(token.pin());
        assertThat(init.out() + init.err()).doesNotContain(token.pin());

        Path key = tmp.resolve("k.pem");
        Path csr = tmp.resolve("r.csr");
        Processes.Result req = Processes.run("openssl", "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout",
                key.toString(), "-out", csr.toString(), "-subj", "/CN=hsm.example", "-addext", "subjectAltName=DNS:hsm.example");
        assertThat(req.exit()).as(req.toString()).isZero();
        Path chain = tmp.resolve("chain.pem");
        Processes.Result issue = Processes.hallmark(env, "issue", "--data", data.toString(), "--csr", csr.toString(),
                "--profile", "tls-server", "--out", chain.toString());
        assertThat(issue.exit()).as(issue.toString()).isZero();
        Path root = tmp.resolve("root.pem");
        Files.writeString(root, Processes.hallmark(env, "ca", "cert", "root", "--data", data.toString()).out());
        CliEndToEndIT.assertChainVerifies(chain, root);

        String serial = CliEndToEndIT.serialFrom(issue.err());
        assertThat(Processes.hallmark(env, "revoke", "--data", data.toString(), "--serial", serial, "--reason",
                "cessationOfOperation").exit()).isZero();
        Processes.Result verify = Processes.hallmark(env, "verify", "--data", data.toString());
        assertThat(verify.exit()).as(verify.toString()).isZero();

        // The CA and ledger keys live in the token: sensitive, never extractable, sign-only.
        Processes.Result objects = Processes.run(env, List.of("pkcs11-tool", "--module", token.library().toString(),
                "--token-label", token.label(), "--login", "--pin", token.pin(), "--list-objects", "--type", "privkey"));
        assertThat(objects.exit()).as(objects.toString()).isZero();
        List<String> blocks = List.of(objects.out().split("(?m)^(?=Private Key Object)"));
        List<String> keys = blocks.stream().filter(b -> b.startsWith("Private Key Object")).toList();
        assertThat(keys).hasSize(3); // ca-root, ca-issuing, ledger
        for (String block : keys) {
            assertThat(block).contains("sensitive").contains("never extractable");
            assertThat(block).doesNotContainPattern("(?m)^\\s*Usage:.*decrypt");
        }
    }
}
