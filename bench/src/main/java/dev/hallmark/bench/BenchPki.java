package dev.hallmark.bench;

import dev.hallmark.authority.Authority;
import dev.hallmark.authority.CaSpec;
import dev.hallmark.authority.CertificateStore;
import dev.hallmark.authority.Hierarchy;
import dev.hallmark.authority.IssuanceRequest;
import dev.hallmark.authority.Issuer;
import dev.hallmark.authority.Provenance;
import dev.hallmark.authority.SigningCa;
import dev.hallmark.authority.lint.Linter;
import dev.hallmark.authority.policy.PolicyEngine;
import dev.hallmark.authority.policy.PolicyRules;
import dev.hallmark.authority.profile.ProfileCatalog;
import dev.hallmark.authority.store.JdbcCertificateStore;
import dev.hallmark.db.Database;
import dev.hallmark.db.testing.TestDatabases;
import dev.hallmark.hsm.CryptoToken;
import dev.hallmark.hsm.KeyRef;
import dev.hallmark.hsm.KeyType;
import dev.hallmark.hsm.SoftToken;
import dev.hallmark.hsm.VerifyingToken;
import dev.hallmark.hsm.testing.SoftHsm;
import dev.hallmark.ledger.JdbcAuditLedger;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The benchmark fixture: a root and an issuing CA (P-256) on a chosen token and database, wired as the {@code serve}
 * composition root wires them (and as {@code TestPki} does), with the system clock. Unlike {@code TestPki} it can
 * run on an H2 <em>file</em> database, the embedded default users run. Close it after use; it deletes the H2 files.
 */
public final class BenchPki implements AutoCloseable {
    /** The pool size of {@code database.poolSize}'s default. */
    static final int POOL_SIZE = 16;

    /** The crypto tokens measured. */
    public enum TokenKind {
        /** {@link SoftToken} in memory (BouncyCastle). */
        SOFT,
        /** SoftHSM2 through SunPKCS11 ({@code Pkcs11Token}). */
        SOFTHSM
    }

    /** The databases measured. */
    public enum DbKind {
        /** H2 file database, the embedded default ({@code jdbc:h2:file:DIR/db/hallmark;DB_CLOSE_ON_EXIT=FALSE}). */
        H2FILE,
        /** Embedded PostgreSQL 18 (io.zonky), one fresh database. */
        POSTGRESQL
    }

    public final Database database;
    public final CryptoToken rawToken;
    public final CryptoToken token;
    public final Authority authority;
    public final SigningCa issuing;
    private final Path dataDir;

    private BenchPki(TokenKind tokenKind, DbKind dbKind, Stages stages) {
        Clock clock = Clock.systemUTC();
        this.dataDir = dbKind == DbKind.H2FILE ? tempDir() : null;
        this.database = switch (dbKind) {
            case H2FILE -> Database.open("jdbc:h2:file:" + dataDir.resolve("db").resolve("hallmark")
                    + ";DB_CLOSE_ON_EXIT=FALSE", "sa", "", POOL_SIZE);
            case POSTGRESQL -> TestDatabases.open(TestDatabases.Kind.POSTGRESQL, POOL_SIZE);
        };
        this.rawToken = switch (tokenKind) {
            case SOFT -> SoftToken.inMemory();
            case SOFTHSM -> openSoftHsm();
        };
        this.token = stages == null ? new VerifyingToken(rawToken)
                : stages.token(new VerifyingToken(stages.token(rawToken, Stages.Stage.TOKEN_SIGN)),
                        Stages.Stage.VERIFIED_SIGN);
        KeyRef ledgerKey = rawToken.generateKey("ledger", KeyType.EC_P256);
        JdbcAuditLedger ledger = new JdbcAuditLedger(database, rawToken, ledgerKey,
                ledgerKey.type().defaultSignatureAlgorithm(), clock);
        CertificateStore store = stages == null ? new JdbcCertificateStore(database, ledger)
                : stages.store(new JdbcCertificateStore(database, ledger));
        Issuer issuer = new Issuer(store, token, new Linter(), clock, new SecureRandom(), "hallmark/bench");
        this.authority = new Authority(store, token, issuer, new PolicyEngine(PolicyRules.defaults()),
                ProfileCatalog.defaults());
        Hierarchy hierarchy = new Hierarchy(store, token, ledger, issuer);
        SigningCa root = hierarchy.createRoot(new CaSpec("root", "CN=Bench Root CA,O=Hallmark Bench", KeyType.EC_P256,
                null, Duration.ofDays(3650), null), "bench:fixture");
        this.issuing = hierarchy.createSubordinate(root, new CaSpec("issuing", "CN=Bench Issuing CA,O=Hallmark Bench",
                KeyType.EC_P256, null, Duration.ofDays(1825), 0), "bench:fixture");
        System.out.println("# fixture: token=" + rawToken.getClass().getSimpleName() + " db=" + describe(dbKind));
    }

    public static BenchPki open(TokenKind tokenKind, DbKind dbKind) {
        return new BenchPki(tokenKind, dbKind, null);
    }

    /** As {@link #open(TokenKind, DbKind)}, with the token and store seams timed into {@code stages}. */
    static BenchPki open(TokenKind tokenKind, DbKind dbKind, Stages stages) {
        return new BenchPki(tokenKind, dbKind, stages);
    }

    /** The request the CLI's {@code issue} makes, from the issuing CA. */
    public IssuanceRequest request(String profile, byte[] csr) {
        return new IssuanceRequest("issuing", profile, csr, List.of(), "bench:operator",
                Provenance.admin("cli", "bench:operator", java.time.Instant.now()));
    }

    /** Rows in the certificate table (a sanity check that issuance really stored). */
    long certificates() {
        return database.read(c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(serial) FROM certificate")) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Override
    public void close() {
        database.close();
        rawToken.close();
        if (dataDir != null) {
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static CryptoToken openSoftHsm() {
        if (!SoftHsm.available()) {
            throw new IllegalStateException("SoftHSM2 is not usable: install softhsm2 and start the JVM with"
                    + " SOFTHSM2_CONF set (use bench/run)");
        }
        return SoftHsm.openToken();
    }

    private String describe(DbKind kind) {
        if (kind == DbKind.H2FILE) {
            return "h2 file " + dataDir;
        }
        return "postgresql synchronous_commit=" + database.read(c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW synchronous_commit")) {
                rs.next();
                return rs.getString(1);
            }
        }) + " fsync=" + database.read(c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW fsync")) {
                rs.next();
                return rs.getString(1);
            }
        });
    }

    private static Path tempDir() {
        try {
            Path base = Path.of(System.getProperty("hallmark.bench.dir", "target/bench-data"));
            Files.createDirectories(base);
            return Files.createTempDirectory(base.toAbsolutePath(), "h2-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
