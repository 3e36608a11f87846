package dev.hallmark.protocol.acme;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hallmark.authority.CertificateQuery;
import dev.hallmark.authority.CertificateRecord;
import dev.hallmark.db.testing.TestDatabases;
import dev.hallmark.protocol.acme.testing.Http01Server;
import dev.hallmark.protocol.acme.testing.TestDnsServer;
import dev.hallmark.protocol.acme.testing.TlsAlpn01Server;
import dev.hallmark.protocol.acme.testing.TrustingAcmeProvider;
import dev.hallmark.server.testing.TestServer;
import dev.hallmark.store.acme.JdbcAcmeStore;
import java.net.URL;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.shredzone.acme4j.Account;
import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.AcmeJsonResource;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Certificate;
import org.shredzone.acme4j.Identifier;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Http01Challenge;
import org.shredzone.acme4j.challenge.TlsAlpn01Challenge;
import org.shredzone.acme4j.util.KeyPairUtils;

/**
 * A Hallmark server with only the ACME endpoint, and the responders its validator talks to: a DNS server (every
 * lookup of the validator goes there), an http-01 responder and a tls-alpn-01 responder, on loopback ports chosen by
 * the OS and configured as {@code acme.validation.*}. Also the shortcuts the flow, negative and concurrency tests
 * share: acme4j sessions trusting only the fixture's root, orders driven to ready or valid with fast polling (acme4j's
 * own waits sleep 3 s), and counts of what is stored, to prove a refused request changed nothing.
 */
final class AcmeServerSupport implements AutoCloseable {
    /** How long a test waits for a validation or a finalize before failing. */
    static final Duration WAIT = Duration.ofSeconds(15);

    final TestServer server;
    final TestDnsServer dns;
    final Http01Server http01;
    final TlsAlpn01Server tlsAlpn;
    final JdbcAcmeStore store;
    final AcmeJwsSupport jws;
    /** The endpoint the server runs (tests may close it, e.g. to make its validator refuse work). */
    final AcmeEndpoint endpoint = new AcmeEndpoint();

    private AcmeServerSupport(String acmeExtra, TestDatabases.Kind database, String validationExtra) {
        this.dns = TestDnsServer.start();
        this.http01 = Http01Server.start();
        this.tlsAlpn = TlsAlpn01Server.start();
        this.server = TestServer.builder().pki(b -> b.database(database)).endpoints(endpoint).yaml("acme:\n"
                + acmeExtra
                + (acmeExtra.contains("  rateLimits:") ? "" : "  rateLimits: {newAccountsPerIp: 10000}\n")
                + "  validation:\n"
                + "    http01Port: " + http01.port() + "\n"
                + "    tlsAlpn01Port: " + tlsAlpn.port() + "\n"
                + "    dnsResolver: 127.0.0.1:" + dns.address().getPort() + "\n"
                + "    timeout: 5s\n"
                + "    denyNetworks: [169.254.0.0/16]\n"
                + validationExtra).start();
        this.store = new JdbcAcmeStore(server.pki.database);
        this.jws = new AcmeJwsSupport(server);
    }

    /**
     * Starts everything.
     *
     * @param acmeExtra more keys under {@code acme:}, each line indented by two spaces (empty for none)
     */
    static AcmeServerSupport start(String acmeExtra) {
        return new AcmeServerSupport(acmeExtra, TestDatabases.Kind.H2, "");
    }

    /**
     * Starts everything with CAA checking on ({@code acme.validation.caa}) for {@code identity}: names without CAA
     * records stay issuable; records go in {@link #dns}.
     */
    static AcmeServerSupport startWithCaa(String identity) {
        return new AcmeServerSupport("  caaIdentities: [" + identity + "]\n", TestDatabases.Kind.H2, "    caa: true\n");
    }

    /** Starts everything over {@code database}. */
    static AcmeServerSupport start(String acmeExtra, TestDatabases.Kind database) {
        return new AcmeServerSupport(acmeExtra, database, "");
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            http01.close();
            tlsAlpn.close();
            dns.close();
        }
    }

    /** An acme4j session whose HTTP client trusts only the fixture's root (no process-wide default context). */
    Session session() {
        return new Session(server.https("/acme/directory"), new TrustingAcmeProvider(server.trustingRoot()));
    }

    Account newAccount() throws Exception {
        return newAccount(ecKey());
    }

    Account newAccount(KeyPair key) throws Exception {
        return new AccountBuilder().agreeToTermsOfService().addEmail("ops@example.test").useKeyPair(key).create(session());
    }

    static KeyPair ecKey() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Places an order for DNS names (all resolving to 127.0.0.1) and validates every authorization over http-01. */
    Order readyOrder(Account account, String... names) throws Exception {
        return validate(account.newOrder().identifiers(java.util.Arrays.stream(names).map(Identifier::dns).toList()).create());
    }

    /** Validates every pending authorization of {@code order} over http-01 (DNS names resolve to 127.0.0.1). */
    Order validate(Order order) throws Exception {
        for (Authorization auth : order.getAuthorizations()) {
            if (auth.getStatus() != Status.VALID) {
                if (Identifier.TYPE_DNS.equals(auth.getIdentifier().getType())) {
                    dns.addA(auth.getIdentifier().getValue() + ".", "127.0.0.1");
                }
                Http01Challenge c = auth.findChallenge(Http01Challenge.class).orElseThrow();
                http01.put(c.getToken(), c.getAuthorization());
                c.trigger();
                assertThat(await(auth, auth::getStatus)).as("authorization of %s", auth.getIdentifier()).isEqualTo(Status.VALID);
            }
        }
        assertThat(await(order, order::getStatus)).isEqualTo(Status.READY);
        return order;
    }

    /**
     * Has the tls-alpn-01 responder present the certificate acme4j itself makes for the authorization (acme4j signs
     * it SHA256withRSA, so the key is RSA), and returns the challenge, not yet triggered.
     */
    TlsAlpn01Challenge presentTlsAlpn01(Authorization auth) throws Exception {
        TlsAlpn01Challenge c = auth.findChallenge(TlsAlpn01Challenge.class).orElseThrow();
        KeyPair key = KeyPairUtils.createKeyPair(2048);
        Identifier id = auth.getIdentifier();
        tlsAlpn.put(Identifier.TYPE_IP.equals(id.getType()) ? dev.hallmark.authority.Identifier.ip(id.getValue())
                : dev.hallmark.authority.Identifier.dns(id.getValue()), key, c.createCertificate(key, id));
        return c;
    }

    /** Finalizes a ready order with a CSR for {@code certKey} and waits for the certificate. */
    Certificate finalizeOrder(Order order, KeyPair certKey) throws Exception {
        order.execute(certKey);
        assertThat(await(order, order::getStatus)).as("order %s", order.getLocation()).isEqualTo(Status.VALID);
        Certificate cert = order.getCertificate();
        cert.download();
        return cert;
    }

    /** An order for {@code names} validated, finalized and downloaded. */
    Certificate issue(Account account, String... names) throws Exception {
        return finalizeOrder(readyOrder(account, names), ecKey());
    }

    /** Re-reads {@code resource} every 20 ms while {@code status} is pending or processing, for at most {@link #WAIT}. */
    static Status await(AcmeJsonResource resource, Supplier<Status> status) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        resource.fetch();
        while ((status.get() == Status.PENDING || status.get() == Status.PROCESSING) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            resource.fetch();
        }
        return status.get();
    }

    /** The stored certificates naming {@code identifier} (exact SAN match). */
    List<CertificateRecord> certificatesFor(String identifier) {
        return server.pki.authority.search(new CertificateQuery(null, null, null, identifier, null, 1000, 0));
    }

    /** The last path segment of an ACME URL: the id of the order, authorization or challenge. */
    static String id(URL url) {
        String path = url.getPath();
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /**
     * Row counts of everything a refused request could have written: ACME accounts, orders, authorizations,
     * challenges, bound EAB keys and rate-limit windows aside, and the authority's serials, certificates and revocations.
     */
    record Counts(long accounts, long orders, long authorizations, long challenges, long boundEabKeys, long serials,
                  long certificates, long revoked) {
    }

    Counts counts() {
        return server.pki.database.read(c -> new Counts(
                count(c, "SELECT COUNT(id) FROM acme_account"),
                count(c, "SELECT COUNT(id) FROM acme_order"),
                count(c, "SELECT COUNT(id) FROM acme_authorization"),
                count(c, "SELECT COUNT(id) FROM acme_challenge"),
                count(c, "SELECT COUNT(kid) FROM acme_eab_key WHERE account_id IS NOT NULL"),
                count(c, "SELECT COUNT(serial) FROM serial_number"),
                count(c, "SELECT COUNT(serial) FROM certificate"),
                count(c, "SELECT COUNT(serial) FROM serial_number WHERE revoked_at IS NOT NULL")));
    }

    private static long count(java.sql.Connection c, String sql) throws java.sql.SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
