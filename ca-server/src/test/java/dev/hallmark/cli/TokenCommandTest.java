package dev.hallmark.cli;

import static dev.hallmark.cli.Run.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hallmark.authority.KeyIdentifiers;
import dev.hallmark.authority.testing.TestCsr;
import dev.hallmark.hsm.KeyType;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.CertificateFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hallmark token create|list|revoke} in process, against a data directory made by {@code init}. */
class TokenCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    Path data;

    /** Runs {@code token ARGS --data DIR}. */
    Run token(String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "token";
        System.arraycopy(args, 0, all, 1, args.length);
        all[args.length + 1] = "--data";
        all[args.length + 2] = data.toString();
        return run(all);
    }

    @BeforeEach
    void init() {
        data = tmp.resolve("d");
        Run init = run("init", "--data", data.toString(), "--json");
        assertThat(init.exit()).as(init.err()).isZero();
    }

    private JsonNode list() throws Exception {
        Run list = token("list", "--json");
        assertThat(list.exit()).as(list.err()).isZero();
        return JSON.readTree(list.out());
    }

    /** The stored SHA-256 of a credential, read straight from the database. */
    private String storedDigest(String id) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + data.toAbsolutePath().resolve("db/hallmark"), "sa", "");
             PreparedStatement ps = c.prepareStatement("SELECT token_sha256 FROM admin_credential WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static void assertOneLineFailure(Run r, int exit) {
        assertThat(r.exit()).as(r.err()).isEqualTo(exit);
        if (exit == 1) {
            assertThat(r.err().strip().lines()).as(r.err()).hasSize(1);
        }
    }

    /** Issues a certificate under {@code profile} through the CLI; returns the JSON result (certificate, chain). */
    private JsonNode issue(String profile, String name) throws Exception {
        Path csr = Files.write(tmp.resolve(name + ".csr"), TestCsr.of(name, TestCsr.withFreshKey()));
        Run issue = run("issue", "--data", data.toString(), "--csr", csr.toString(), "--profile", profile, "--json");
        assertThat(issue.exit()).as(issue.err()).isZero();
        return JSON.readTree(issue.out());
    }

    private static byte[] der(String pem) throws Exception {
        return CertificateFactory.getInstance("X.509").generateCertificate(
                new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))).getEncoded();
    }

    /** A self-signed end-entity client certificate valid from {@code notBefore} to {@code notAfter}. */
    private static byte[] selfSigned(Instant notBefore, Instant notAfter) throws Exception {
        KeyPair key = TestCsr.keyPair(KeyType.EC_P256);
        X500Name name = new X500Name("CN=self-signed client");
        var builder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(7), Date.from(notBefore), Date.from(notAfter),
                name, key.getPublic());
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
        return builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())).getEncoded();
    }

    @Test
    void createListRevokeRoundTrip() throws Exception {
        Run created = token("create", "--role", "Operator", "--name", "ci deploy", "--json");
        assertThat(created.exit()).as(created.err()).isZero();
        JsonNode c = JSON.readTree(created.out());
        String id = c.get("id").asText();
        String token = c.get("token").asText();
        assertThat(c.get("role").asText()).isEqualTo("operator");
        assertThat(c.get("name").asText()).isEqualTo("ci deploy");
        assertThat(token).startsWith("hmk_" + id + "_");
        assertThat(created.err()).contains(id).contains("shown only this once").doesNotContain(token);
        assertThat(storedDigest(id)).isEqualTo(KeyIdentifiers.sha256Hex(token.getBytes(StandardCharsets.US_ASCII)));

        Run plain = token("create", "--role", "AUDITOR", "--name", "auditor");
        assertThat(plain.exit()).as(plain.err()).isZero();
        assertThat(plain.out().strip()).as("the token alone on stdout").matches("hmk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}");
        assertThat(plain.err()).contains("role auditor");

        JsonNode all = list();
        assertThat(all).extracting(n -> n.get("name").asText()).containsExactly("initial administrator", "ci deploy", "auditor");
        assertThat(all).extracting(n -> n.get("role").asText()).containsExactly("admin", "operator", "auditor");
        assertThat(all).allSatisfy(n -> assertThat(n.get("kind").asText()).isEqualTo("token"));
        assertThat(all).allSatisfy(n -> assertThat(n.has("revokedAt")).isFalse());
        Run text = token("list");
        assertThat(text.out()).contains("ID").contains("ROLE").contains("ci deploy").contains(id)
                .doesNotContain(token).doesNotContain(plain.out().strip())
                .doesNotContain(Files.readString(data.resolve("admin.token")).strip());

        Run revoked = token("revoke", id);
        assertThat(revoked.exit()).as(revoked.err()).isZero();
        assertThat(revoked.out()).startsWith("revoked credential " + id);
        Run again = token("revoke", id, "--json");
        assertThat(again.exit()).as(again.err()).isZero();
        JsonNode second = JSON.readTree(again.out());
        assertThat(second.get("alreadyRevoked").asBoolean()).isTrue();
        assertThat(token("revoke", id).out()).contains("already revoked");
        JsonNode afterwards = list();
        assertThat(afterwards.get(1).get("revokedAt").asText()).isEqualTo(second.get("revokedAt").asText());
        assertThat(afterwards.get(2).has("revokedAt")).isFalse();

        Run unknown = token("revoke", "0000000000000000");
        assertOneLineFailure(unknown, 1);
        assertThat(unknown.err()).contains("not found");
        Run verify = run("ledger", "verify", "--data", data.toString());
        assertThat(verify.exit()).as(verify.out() + verify.err()).isZero();
    }

    @Test
    void usageErrorsExitTwoAndCreateNothing() throws Exception {
        Run badRole = token("create", "--role", "root", "--name", "x");
        assertOneLineFailure(badRole, 2);
        assertThat(badRole.err()).contains("admin, operator or auditor");
        assertOneLineFailure(token("create", "--name", "x"), 2);
        assertOneLineFailure(token("create", "--role", "admin"), 2);
        assertOneLineFailure(token("create", "--role", "admin", "--name", "two\nlines"), 2);
        assertOneLineFailure(token("create", "--role", "admin", "--name", "n".repeat(129)), 2);
        Path pem = Files.writeString(tmp.resolve("c.pem"), issue("tls-client", "c.example").get("certificate").asText());
        assertOneLineFailure(token("create", "--role", "admin", "--name", "x", "--client-cert", pem.toString(),
                "--out", tmp.resolve("t").toString()), 2);
        assertOneLineFailure(token("revoke"), 2);
        assertOneLineFailure(token(), 2);
        assertThat(list()).hasSize(1);
        assertThat(tmp.resolve("t")).doesNotExist();
    }

    @Test
    void outWritesAPrivateFileAndNeverOverwritesOne() throws Exception {
        Path file = tmp.resolve("tokens/ci.token");
        Run created = token("create", "--role", "admin", "--name", "to file", "--out", file.toString(), "--json");
        assertThat(created.exit()).as(created.err()).isZero();
        String written = Files.readString(file);
        assertThat(written).matches("hmk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        JsonNode c = JSON.readTree(created.out());
        assertThat(c.has("token")).isFalse();
        assertThat(c.get("tokenFile").asText()).isEqualTo(file.toAbsolutePath().toString());
        assertThat(created.out() + created.err()).doesNotContain(written.strip()).contains(file.toString());

        Run refused = token("create", "--role", "admin", "--name", "again", "--out", file.toString());
        assertOneLineFailure(refused, 1);
        assertThat(refused.err()).contains("exists already");
        assertThat(Files.readString(file)).isEqualTo(written);
        assertThat(list()).extracting(n -> n.get("name").asText()).containsExactly("initial administrator", "to file");
    }

    @Test
    void aClientCertificateIsRegisteredAsPemOrDerOnce() throws Exception {
        String pem = issue("tls-client", "alice.example").get("certificate").asText();
        byte[] der = der(pem);
        Path pemFile = Files.writeString(tmp.resolve("alice.pem"), pem);
        Run registered = token("create", "--role", "auditor", "--name", "alice", "--client-cert", pemFile.toString(), "--json");
        assertThat(registered.exit()).as(registered.err()).isZero();
        JsonNode r = JSON.readTree(registered.out());
        assertThat(r.get("sha256").asText()).isEqualTo(KeyIdentifiers.sha256Hex(der));
        assertThat(r.get("kind").asText()).isEqualTo("certificate");
        assertThat(r.has("token")).isFalse();
        assertThat(storedDigest(r.get("id").asText())).isEqualTo(KeyIdentifiers.sha256Hex(der));

        Path derFile = Files.write(tmp.resolve("bob.der"), der(issue("device", "bob.example").get("certificate").asText()));
        Run fromDer = token("create", "--role", "operator", "--name", "bob", "--client-cert", derFile.toString());
        assertThat(fromDer.exit()).as(fromDer.err()).isZero();
        assertThat(fromDer.out()).contains("SHA-256:").contains("role operator").doesNotContain("hmk_");

        Run twice = token("create", "--role", "admin", "--name", "alice again", "--client-cert", pemFile.toString());
        assertOneLineFailure(twice, 1);
        assertThat(twice.err()).contains("registered already");
        assertThat(list()).extracting(n -> n.get("kind").asText()).containsExactly("token", "certificate", "certificate");
        assertThat(run("ledger", "verify", "--data", data.toString()).exit()).isZero();
    }

    @Test
    void onlyACurrentlyValidEndEntityClientCertificateIsAccepted() throws Exception {
        JsonNode server = issue("tls-server", "server.example");
        Path garbage = Files.write(tmp.resolve("garbage.pem"), "not a certificate\n".getBytes(StandardCharsets.US_ASCII));
        Path noise = Files.write(tmp.resolve("noise.der"), new byte[] {0x30, (byte) 0x82, 0x7f, 0x00, 1, 2, 3});
        Path csr = Files.write(tmp.resolve("r.csr"), TestCsr.of("csr.example"));
        Path big = Files.write(tmp.resolve("big.pem"), new byte[TokenCommand.MAX_CERTIFICATE_BYTES + 1]);
        Path missing = tmp.resolve("missing.pem");
        Path ca = Files.writeString(tmp.resolve("ca.pem"), run("ca", "cert", "issuing", "--data", data.toString()).out());
        Path chain = Files.writeString(tmp.resolve("chain.pem"), issue("tls-client", "chain.example").get("certificate").asText()
                + issue("tls-client", "chain2.example").get("certificate").asText());
        Instant now = Instant.now();
        Path expired = Files.write(tmp.resolve("expired.der"),
                selfSigned(now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1))));
        Path early = Files.write(tmp.resolve("early.der"),
                selfSigned(now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(30))));
        Path serverCert = Files.writeString(tmp.resolve("server.pem"), server.get("certificate").asText());

        record Refusal(Path file, String says) {
        }
        for (Refusal refusal : new Refusal[] {
            new Refusal(garbage, "not an X.509 certificate"), new Refusal(noise, "not an X.509 certificate"),
            new Refusal(csr, "not an X.509 certificate"), new Refusal(big, "at most"), new Refusal(missing, "cannot read"),
            new Refusal(ca, "CA certificate"), new Refusal(chain, "2 certificates"), new Refusal(expired, "expired"),
            new Refusal(early, "not valid before"), new Refusal(serverCert, "client authentication")}) {
            Run r = token("create", "--role", "admin", "--name", "x", "--client-cert", refusal.file().toString());
            assertOneLineFailure(r, 1);
            assertThat(r.err()).as(refusal.file().getFileName().toString()).contains(refusal.says()).doesNotContain("Exception");
        }
        assertThat(list()).hasSize(1);
    }

    @Test
    void helpExplainsTheVerbsRolesAndTheCertificateRule() {
        Run help = run("token", "--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("create").contains("list").contains("revoke").contains("auditor")
                .contains("shown once");
        Run create = run("token", "create", "--help");
        assertThat(create.exit()).isZero();
        assertThat(create.out().replaceAll("\\s+", " ")).contains("--client-cert").contains("--out").contains("0600")
                .contains("chain to one of this Hallmark's CAs");
        assertThat(run("token", "revoke", "--help").out()).contains("never undone");
        assertThat(run("--help").out()).contains("token");
    }
}
