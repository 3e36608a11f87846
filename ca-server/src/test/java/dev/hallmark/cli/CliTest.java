package dev.hallmark.cli;

import static dev.hallmark.cli.Run.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hallmark.authority.testing.TestCsr;
import dev.hallmark.hsm.KeyType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI in process: exit codes, one-line errors, JSON output, and the ledger anchor. */
class CliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    Path data;

    @BeforeEach
    void init() {
        data = tmp.resolve("d");
        Run init = run("init", "--data", data.toString(), "--json");
        assertThat(init.exit()).as(init.err()).isZero();
    }

    @Test
    void issueListShowRevokeVerifyAsJson() throws Exception {
        Path csr = Files.write(tmp.resolve("r.csr"), TestCsr.of("cli.example", TestCsr.withKey(KeyType.EC_P384)));
        Run issue = run("issue", "--data", data.toString(), "--csr", csr.toString(), "--profile", "tls-server", "--json");
        assertThat(issue.exit()).as(issue.err()).isZero();
        JsonNode cert = JSON.readTree(issue.out());
        String serial = cert.get("serial").asText();
        assertThat(cert.get("status").asText()).isEqualTo("valid");
        assertThat(cert.get("certificate").asText()).startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(cert.get("chain").asText()).contains("-----BEGIN CERTIFICATE-----");
        assertThat(cert.get("provenance").get("channel").asText()).isEqualTo("cli");

        JsonNode list = JSON.readTree(run("cert", "list", "--data", data.toString(), "--san", "cli.example", "--json").out());
        assertThat(list).hasSize(1);
        assertThat(JSON.readTree(run("cert", "list", "--data", data.toString(), "--san", "other.example", "--json").out())).isEmpty();
        assertThat(JSON.readTree(run("cert", "list", "--data", data.toString(), "--expiring-within", "30d", "--json").out())).isEmpty();
        assertThat(JSON.readTree(run("cert", "list", "--data", data.toString(), "--expiring-within", "91d", "--json").out())).hasSize(1);

        assertThat(run("revoke", "--data", data.toString(), "--serial", serial, "--reason", "superseded").exit()).isZero();
        JsonNode shown = JSON.readTree(run("cert", "show", "--data", data.toString(), "--serial", serial, "--json").out());
        assertThat(shown.get("status").asText()).isEqualTo("revoked");
        assertThat(shown.get("revocationReason").asText()).isEqualTo("superseded");
        assertThat(JSON.readTree(run("cert", "list", "--data", data.toString(), "--status", "revoked", "--json").out())).hasSize(1);

        Run verify = run("verify", "--data", data.toString(), "--json");
        assertThat(verify.exit()).as(verify.out()).isZero();
        assertThat(JSON.readTree(verify.out()).get("issued").asLong()).isEqualTo(3); // two CA certificates and the leaf
        assertThat(run("ca", "list", "--data", data.toString()).out()).contains("root").contains("issuing");
        assertThat(run("ca", "cert", "issuing", "--data", data.toString(), "--chain").out()).containsOnlyOnce("END CERTIFICATE-----\n-----BEGIN");
    }

    @Test
    void refusalsAreOneLineWithExitOne() throws Exception {
        Path csr = Files.write(tmp.resolve("bad.csr"), TestCsr.of("x.example", TestCsr.withBadSignature()));
        Run r = run("issue", "--data", data.toString(), "--csr", csr.toString(), "--profile", "tls-server");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().strip().lines().count()).isEqualTo(1);
        assertThat(r.err()).startsWith("hallmark: bad csr:");

        Path big = Files.write(tmp.resolve("big.csr"), new byte[200_000]);
        assertThat(run("issue", "--data", data.toString(), "--csr", big.toString(), "--profile", "tls-server").exit()).isEqualTo(1);
        assertThat(run("revoke", "--data", data.toString(), "--serial", "zz", "--reason", "superseded").exit()).isEqualTo(1);
        assertThat(run("revoke", "--data", data.toString(), "--serial", "01", "--reason", "certificateHold").err())
                .contains("certificateHold is never used");
        assertThat(run("cert", "list", "--data", data.toString(), "--status", "sleepy").exit()).isEqualTo(2);
        assertThat(run("init", "--data", tmp.resolve("e").toString(), "--key-type", "dsa").exit()).isEqualTo(2);
        Run again = run("init", "--data", data.toString());
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).contains("exists already");
    }

    @Test
    void truncatingTheLedgerTailIsCaughtByTheRememberedAnchor() throws Exception {
        Path csr = Files.write(tmp.resolve("t.csr"), TestCsr.of("tail.example"));
        assertThat(run("issue", "--data", data.toString(), "--csr", csr.toString(), "--profile", "tls-server").exit()).isZero();
        assertThat(run("ledger", "verify", "--data", data.toString()).exit()).isZero();
        assertThat(Files.exists(data.resolve(LedgerAnchor.FILE_NAME))).isTrue();
        // Someone with database access removes the newest entries and every checkpoint that mentions them.
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + data.toAbsolutePath().resolve("db/hallmark"), "sa", "");
             Statement s = c.createStatement()) {
            s.executeUpdate("DELETE FROM ledger_checkpoint");
            s.executeUpdate("DELETE FROM ledger_entry WHERE leaf_index >= 3 OR leaf_index IS NULL");
            s.executeUpdate("UPDATE ledger_head SET tree_size = 3");
        }
        Run verify = run("ledger", "verify", "--data", data.toString());
        assertThat(verify.exit()).as(verify.out()).isEqualTo(1);
    }

    @Test
    void theTokenPassphraseAndTheAdminTokenNeverLeaveTheirFiles() throws Exception {
        String passphrase = Files.readString(data.resolve("token.pass")).strip();
        String adminToken = Files.readString(data.resolve("admin.token")).strip();
        assertThat(adminToken).startsWith("hmk_");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("admin.token"))))
                .isEqualTo("rw-------");
        Path csr = Files.write(tmp.resolve("s.csr"), TestCsr.of("secret.example"));
        StringBuilder outputs = new StringBuilder();
        for (String[] args : new String[][] {
            {"issue", "--data", data.toString(), "--csr", csr.toString(), "--profile", "tls-server", "--json"},
            {"cert", "list", "--data", data.toString(), "--json"}, {"ca", "list", "--data", data.toString(), "--json"},
            {"verify", "--data", data.toString(), "--json"}, {"ledger", "verify", "--data", data.toString(), "--json"}}) {
            Run r = run(args);
            outputs.append(r.out()).append(r.err());
        }
        assertThat(outputs.toString()).doesNotContain(passphrase).doesNotContain(adminToken);
        assertThat(Files.readString(data.resolve("hallmark.yaml"))).doesNotContain(passphrase);
        // The whole database, ledger included, as SQL text (RELIABILITY T58).
        StringBuilder dump = new StringBuilder();
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + data.toAbsolutePath().resolve("db/hallmark"), "sa", "");
             Statement s = c.createStatement(); var rs = s.executeQuery("SCRIPT")) {
            while (rs.next()) {
                dump.append(rs.getString(1)).append('\n');
            }
        }
        assertThat(dump).contains("CERTIFICATE_ISSUED").contains("ADMIN_CREDENTIAL_CREATED")
                .doesNotContain(passphrase).doesNotContain(adminToken);
    }

    @Test
    void aProfileChangedWithoutRaisingItsVersionIsRefused() throws Exception {
        Path csr = Files.write(tmp.resolve("v.csr"), TestCsr.of("version.example"));
        Path profiles = data.resolve("profiles.yaml");
        String original = Files.readString(profiles);
        String edited = original.replaceFirst("validity: 90d", "validity: 30d");
        assertThat(edited).isNotEqualTo(original);
        Files.writeString(profiles, edited);
        Run refused = run("issue", "--data", data.toString(), "--csr", csr.toString(), "--profile", "tls-server");
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("raise its version");

        Files.writeString(profiles, edited.replaceFirst("version: 1", "version: 2"));
        Run issued = run("issue", "--data", data.toString(), "--csr", csr.toString(), "--profile", "tls-server", "--json");
        assertThat(issued.exit()).as(issued.err()).isZero();
        assertThat(JSON.readTree(issued.out()).get("profileVersion").asInt()).isEqualTo(2);
        assertThat(run("verify", "--data", data.toString()).exit()).isZero();
    }

    @Test
    void dryRunExplainsARefusalAndWritesNothing() throws Exception {
        Path bad = Files.write(tmp.resolve("d.csr"), TestCsr.of("ok.example", TestCsr.withDns("bad..name", "*.*.example")));
        Run refused = run("issue", "--data", data.toString(), "--csr", bad.toString(), "--profile", "tls-server", "--dry-run");
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.out()).contains("refused by policy").contains("bad..name");
        Path good = Files.write(tmp.resolve("g.csr"), TestCsr.of("ok.example"));
        Run allowed = run("issue", "--data", data.toString(), "--csr", good.toString(), "--profile", "tls-server", "--dry-run",
                "--json");
        assertThat(allowed.exit()).isZero();
        assertThat(JSON.readTree(allowed.out()).get("allowed").asBoolean()).isTrue();
        assertThat(JSON.readTree(run("cert", "list", "--data", data.toString(), "--json").out())).hasSize(2); // the two CAs
    }

    @Test
    void initIssueAndVerifyOnPostgresql() throws Exception {
        String url;
        try (dev.hallmark.db.Database db = dev.hallmark.db.testing.TestDatabases.open(dev.hallmark.db.testing.TestDatabases.Kind.POSTGRESQL)) {
            url = dev.hallmark.db.testing.TestDatabases.jdbcUrl(db);
        }
        Path pg = tmp.resolve("pg");
        Run init = run("init", "--data", pg.toString(), "--database-url", url, "--database-user", "postgres");
        assertThat(init.exit()).as(init.err()).isZero();
        assertThat(Files.readString(pg.resolve("hallmark.yaml"))).contains("jdbc:postgresql:");
        Path csr = Files.write(tmp.resolve("pg.csr"), TestCsr.of("pg.example"));
        Run issue = run("issue", "--data", pg.toString(), "--csr", csr.toString(), "--profile", "tls-server", "--json");
        assertThat(issue.exit()).as(issue.err()).isZero();
        String serial = JSON.readTree(issue.out()).get("serial").asText();
        assertThat(run("revoke", "--data", pg.toString(), "--serial", serial, "--reason", "keyCompromise").exit()).isZero();
        Run verify = run("verify", "--data", pg.toString());
        assertThat(verify.exit()).as(verify.out()).isZero();
        assertThat(run("init", "--data", pg.toString()).exit()).isEqualTo(1);
    }
}
