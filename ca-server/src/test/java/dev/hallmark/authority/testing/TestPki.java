package dev.hallmark.authority.testing;

import dev.hallmark.authority.Authority;
import dev.hallmark.authority.CaSpec;
import dev.hallmark.authority.CertificateStore;
import dev.hallmark.authority.Hierarchy;
import dev.hallmark.authority.IssuanceRequest;
import dev.hallmark.authority.IssuedCertificate;
import dev.hallmark.authority.Issuer;
import dev.hallmark.authority.Provenance;
import dev.hallmark.authority.Reconciler;
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
import dev.hallmark.ledger.AuditLedger;
import dev.hallmark.ledger.JdbcAuditLedger;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The shared fixture: a root CA and an issuing CA in a token, on a fresh database, wired exactly as the
 * composition root wires them. Defaults: in-memory soft token, H2, P-256, a fixed clock, default profiles and
 * policy. Seams for fault injection: wrap the token, the ledger or the store. Close it after use.
 */
public final class TestPki implements AutoCloseable {
    /** The fixed instant the default clock stands at. */
    public static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");

    public final Database database;
    public final CryptoToken rawToken;
    public final CryptoToken token;
    public final JdbcAuditLedger jdbcLedger;
    public final AuditLedger ledger;
    public final CertificateStore store;
    public final Linter linter;
    public final Issuer issuer;
    public final Authority authority;
    public final Hierarchy hierarchy;
    public final SigningCa root;
    public final SigningCa issuing;
    public final MutableClock clock;

    private TestPki(Builder b) {
        this.clock = b.clock;
        this.database = TestDatabases.open(b.databaseKind);
        this.rawToken = b.token != null ? b.token : SoftToken.inMemory();
        this.token = new VerifyingToken(b.tokenWrapper.apply(rawToken));
        KeyRef ledgerKey = rawToken.find("ledger").orElseGet(() -> rawToken.generateKey("ledger", KeyType.EC_P256));
        this.jdbcLedger = new JdbcAuditLedger(database, rawToken, ledgerKey, ledgerKey.type().defaultSignatureAlgorithm(), clock);
        this.ledger = b.ledgerWrapper.apply(jdbcLedger);
        this.store = b.storeWrapper.apply(new JdbcCertificateStore(database, ledger));
        this.linter = new Linter();
        this.issuer = new Issuer(store, token, linter, clock, b.random, "hallmark/test");
        this.authority = new Authority(store, token, issuer, new PolicyEngine(b.policy), b.profiles, b.urls);
        this.hierarchy = new Hierarchy(store, token, ledger, issuer, b.urls);
        this.root = hierarchy.createRoot(new CaSpec("root", "CN=Test Root CA,O=Hallmark Tests", b.caKeyType, b.caAlgorithm,
                Duration.ofDays(3650), null), "test:fixture");
        this.issuing = hierarchy.createSubordinate(root, new CaSpec("issuing", "CN=Test Issuing CA,O=Hallmark Tests",
                b.caKeyType, b.caAlgorithm, Duration.ofDays(1825), 0), "test:fixture");
    }

    /** The defaults: H2, in-memory soft token, P-256. */
    public static TestPki create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Issues {@code csr} under {@code profile} from the issuing CA, as the CLI would. */
    public IssuedCertificate issue(String profile, byte[] csr) {
        return authority.issue(request(profile, csr));
    }

    /** The request {@link #issue} makes. */
    public IssuanceRequest request(String profile, byte[] csr) {
        return new IssuanceRequest("issuing", profile, csr, List.of(), "test:operator",
                Provenance.admin("cli", "test:operator", clock.instant()));
    }

    /** A reconciler over this fixture (grace one minute). */
    public Reconciler reconciler() {
        return new Reconciler(store, jdbcLedger, authority, linter, clock, Duration.ofMinutes(1), null);
    }

    @Override
    public void close() {
        database.close();
        rawToken.close();
    }

    /** Options for {@link TestPki}. */
    public static final class Builder {
        TestDatabases.Kind databaseKind = TestDatabases.Kind.H2;
        CryptoToken token;
        UnaryOperator<CryptoToken> tokenWrapper = t -> t;
        Function<AuditLedger, AuditLedger> ledgerWrapper = l -> l;
        UnaryOperator<CertificateStore> storeWrapper = s -> s;
        KeyType caKeyType = KeyType.EC_P256;
        dev.hallmark.hsm.SignatureAlgorithm caAlgorithm;
        dev.hallmark.authority.DistributionUrls urls = dev.hallmark.authority.DistributionUrls.NONE;

        /** The OCSP, CRL and CA certificate URLs stamped into certificates (default: none). */
        public Builder distributionUrls(dev.hallmark.authority.DistributionUrls u) {
            this.urls = u;
            return this;
        }

        /** The CAs' signature algorithm (null: the key type's default). */
        public Builder caAlgorithm(dev.hallmark.hsm.SignatureAlgorithm algorithm) {
            this.caAlgorithm = algorithm;
            return this;
        }
        PolicyRules policy = PolicyRules.defaults();
        ProfileCatalog profiles = ProfileCatalog.defaults();
        MutableClock clock = new MutableClock(NOW);
        SecureRandom random = new SecureRandom();

        /** The serial source (e.g. one that repeats, to force collisions). */
        public Builder random(SecureRandom random) {
            this.random = random;
            return this;
        }

        public Builder database(TestDatabases.Kind kind) {
            this.databaseKind = kind;
            return this;
        }

        /** Uses this token (e.g. a SoftHSM2 token); the fixture closes it. */
        public Builder token(CryptoToken token) {
            this.token = token;
            return this;
        }

        /** Wraps the CA token (inside the VerifyingToken), e.g. in a fault-injecting double. */
        public Builder wrapToken(UnaryOperator<CryptoToken> wrapper) {
            this.tokenWrapper = wrapper;
            return this;
        }

        public Builder wrapLedger(Function<AuditLedger, AuditLedger> wrapper) {
            this.ledgerWrapper = wrapper;
            return this;
        }

        public Builder wrapStore(UnaryOperator<CertificateStore> wrapper) {
            this.storeWrapper = wrapper;
            return this;
        }

        public Builder caKeyType(KeyType type) {
            this.caKeyType = type;
            return this;
        }

        public Builder policy(PolicyRules rules) {
            this.policy = rules;
            return this;
        }

        public Builder profiles(ProfileCatalog catalog) {
            this.profiles = catalog;
            return this;
        }

        public TestPki build() {
            return new TestPki(this);
        }
    }

    /** A clock tests move by hand. */
    public static final class MutableClock extends Clock {
        private volatile Instant now;

        public MutableClock(Instant now) {
            this.now = now;
        }

        public void advance(Duration d) {
            now = now.plus(d);
        }

        public void set(Instant instant) {
            now = instant;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
