package dev.hallmark.authority.crl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hallmark.authority.CaException;
import dev.hallmark.authority.IssuedCertificate;
import dev.hallmark.authority.RevocationReason;
import dev.hallmark.authority.RevocationRequest;
import dev.hallmark.authority.SerialIntent;
import dev.hallmark.authority.SerialNumber;
import dev.hallmark.authority.store.JdbcCrlStore;
import dev.hallmark.authority.testing.TestCsr;
import dev.hallmark.authority.testing.TestPki;
import dev.hallmark.config.ConfigNode;
import dev.hallmark.config.RevocationSettings;
import dev.hallmark.db.testing.TestDatabases;
import dev.hallmark.ledger.AuditEvent;
import dev.hallmark.ledger.AuditEventType;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.IssuingDistributionPoint;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509CertificateHolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * CRLs as relying parties see them (RFC 5280 section 5; RELIABILITY T39, T41, T42, N4, N5): verified by OpenSSL and
 * the JDK, numbers strictly increasing across builds and builders, partitions matching the distribution points in
 * certificates, delta CRLs against their base.
 */
class CrlsTest {
    static final String BASE = "http://pki.test.example:8080";
    @TempDir
    Path tmp;

    static RevocationSettings settings(String yaml) {
        return RevocationSettings.from(ConfigNode.parse("test.yaml", "urls: {base: '" + BASE + "'}\n" + yaml));
    }

    Crls crls(TestPki pki, RevocationSettings s, String node) {
        return new Crls(pki.authority, new JdbcCrlStore(pki.database, pki.ledger), pki.token, s, pki.clock, node, tmp.resolve("t"));
    }

    /** The published CRL with its DER, as the store serves it (builders return metadata only). */
    static PublishedCrl stored(TestPki pki, PublishedCrl c) {
        PublishedCrl s = new JdbcCrlStore(pki.database, pki.ledger).latest(c.issuer(), c.kind(), c.shard()).orElseThrow();
        assertThat(s.number()).isEqualTo(c.number());
        assertThat(s.sha256()).isEqualTo(c.sha256());
        return s;
    }

    static List<PublishedCrl> stored(TestPki pki, List<PublishedCrl> built) {
        return built.stream().map(c -> stored(pki, c)).toList();
    }

    static TestPki pki(RevocationSettings s, TestDatabases.Kind db) {
        return TestPki.builder().database(db).distributionUrls(s.urls()).build();
    }

    static X509CRL jdk(PublishedCrl c) throws Exception {
        return (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(c.der()));
    }

    /** {@code openssl crl -verify} against the issuing CA; returns its text dump. */
    String openssl(TestPki pki, PublishedCrl c) throws Exception {
        Path crl = Files.write(tmp.resolve(c.fileName()), c.der());
        Path ca = Files.writeString(tmp.resolve("issuing.pem"), IssuedCertificate.pem(pki.issuing.certificate().getEncoded()));
        Process p = new ProcessBuilder("openssl", "crl", "-inform", "DER", "-in", crl.toString(), "-CAfile", ca.toString(),
                "-noout", "-text").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out).contains("verify OK");
        return out;
    }

    static IssuedCertificate issue(TestPki pki, String name) {
        return pki.issue("tls-server", TestCsr.of(name, TestCsr.withFreshKey()));
    }

    static void revoke(TestPki pki, IssuedCertificate c, RevocationReason reason) {
        pki.authority.revoke(new RevocationRequest("issuing", c.record().serial(), reason, "test"));
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void theCompleteCrlListsEveryRevokedUnexpiredSerialAndVerifies(TestDatabases.Kind db) throws Exception {
        RevocationSettings s = settings("");
        try (TestPki pki = pki(s, db)) {
            Crls crls = crls(pki, s, "node-a");
            IssuedCertificate good = issue(pki, "good.crl.example");
            IssuedCertificate kc = issue(pki, "kc.crl.example");
            IssuedCertificate plain = issue(pki, "plain.crl.example");
            revoke(pki, kc, RevocationReason.KEY_COMPROMISE);
            revoke(pki, plain, RevocationReason.UNSPECIFIED);
            // An "outcome unknown" serial that was revoked is listed too (I9): its certificate may exist.
            SerialNumber unknown = new SerialNumber(new BigInteger(126, new SecureRandom()).setBit(125));
            Instant now = pki.clock.instant();
            pki.store.reserve(new SerialIntent("issuing", unknown, "00".repeat(32), HexFormat.of().formatHex(new byte[32]),
                    "test", "tls-server", 1, now.plus(Duration.ofDays(90)), now),
                    new AuditEvent(AuditEventType.CERTIFICATE_SIGNING, "test", "issuing/" + unknown.hex()));
            pki.authority.revoke(new RevocationRequest("issuing", unknown, RevocationReason.SUPERSEDED, "test"));

            List<PublishedCrl> built = stored(pki, crls.buildComplete("issuing", "test"));
            assertThat(built).hasSize(1);
            PublishedCrl crl = built.get(0);
            assertThat(crl.entries()).isEqualTo(3);
            X509CRL x = jdk(crl);
            x.verify(new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter().getCertificate(pki.issuing.certificate()).getPublicKey());
            assertThat(x.getRevokedCertificate(good.record().serial().value())).isNull();
            X509CRLEntry e = x.getRevokedCertificate(kc.record().serial().value());
            assertThat(e.getRevocationReason()).isEqualTo(java.security.cert.CRLReason.KEY_COMPROMISE);
            assertThat(x.getRevokedCertificate(plain.record().serial().value()).getRevocationReason()).isNull();
            assertThat(x.getRevokedCertificate(unknown.value())).isNotNull();
            assertThat(x.getNextUpdate()).isNotNull();
            assertThat(Duration.between(x.getThisUpdate().toInstant(), x.getNextUpdate().toInstant())).isLessThanOrEqualTo(Duration.ofDays(10));
            assertThat(x.getCriticalExtensionOIDs()).isNullOrEmpty();
            String text = openssl(pki, crl);
            assertThat(text).contains("Key Compromise").doesNotContain("Certificate Hold");
            // the published copy is what the store serves
            assertThat(crls.latest("issuing", CrlKind.COMPLETE, -1).orElseThrow().der()).isEqualTo(crl.der());
        }
    }

    /** The narrow table CRLs stream from follows sibling revocations (BR 4.9.1.1) and reason raises (I8). */
    @Test
    void keyCompromiseSiblingsAndRaisedReasonsReachTheCrl() throws Exception {
        RevocationSettings s = settings("");
        try (TestPki pki = pki(s, TestDatabases.Kind.H2)) {
            Crls crls = crls(pki, s, "n");
            java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
            g.initialize(256);
            java.security.KeyPair shared = g.generateKeyPair();
            IssuedCertificate reported = pki.issue("tls-server", TestCsr.of("a.sibling.example", TestCsr.withKeyPair(shared)));
            IssuedCertificate sibling = pki.issue("tls-server", TestCsr.of("b.sibling.example", TestCsr.withKeyPair(shared)));
            IssuedCertificate raised = issue(pki, "raised.crl.example");
            revoke(pki, raised, RevocationReason.SUPERSEDED);
            Instant raisedAt = pki.clock.instant();
            pki.clock.advance(Duration.ofMinutes(5));
            revoke(pki, reported, RevocationReason.KEY_COMPROMISE);
            revoke(pki, raised, RevocationReason.KEY_COMPROMISE);
            X509CRL x = jdk(stored(pki, crls.buildComplete("issuing", "t").get(0)));
            assertThat(x.getRevokedCertificate(sibling.record().serial().value()).getRevocationReason())
                    .isEqualTo(java.security.cert.CRLReason.KEY_COMPROMISE);
            X509CRLEntry r = x.getRevokedCertificate(raised.record().serial().value());
            assertThat(r.getRevocationReason()).isEqualTo(java.security.cert.CRLReason.KEY_COMPROMISE);
            assertThat(r.getRevocationDate().toInstant()).isEqualTo(raisedAt); // the date never changes
            assertThat(crls.audit("issuing")).isEmpty();
        }
    }

    /** The issuing CA's certificate names the root's CRL and certificate; openssl checks the whole chain's CRLs. */
    @Test
    void theWholeChainIsCheckableWithCrls() throws Exception {
        RevocationSettings s = settings("");
        try (TestPki pki = pki(s, TestDatabases.Kind.H2)) {
            X509CertificateHolder issuingCa = pki.issuing.certificate();
            assertThat(CRLDistPoint.getInstance(issuingCa.getExtension(Extension.cRLDistributionPoints).getParsedValue())
                    .toString()).contains(BASE + "/crl/root.crl");
            assertThat(java.util.Arrays.stream(org.bouncycastle.asn1.x509.AuthorityInformationAccess.fromExtensions(
                    issuingCa.getExtensions()).getAccessDescriptions()).map(d -> d.getAccessLocation().getName().toString()))
                    .containsExactly(BASE + "/ocsp", BASE + "/ca/root.crt");
            Crls crls = crls(pki, s, "n");
            IssuedCertificate good = issue(pki, "chain.crl.example");
            PublishedCrl rootCrl = stored(pki, crls.buildComplete("root", "t").get(0));
            PublishedCrl issuingCrl = stored(pki, crls.buildComplete("issuing", "t").get(0));
            Path chain = Files.writeString(tmp.resolve("trust.pem"), IssuedCertificate.pem(pki.root.certificate().getEncoded()));
            Path untrusted = Files.writeString(tmp.resolve("untrusted.pem"), IssuedCertificate.pem(issuingCa.getEncoded()));
            Path leaf = Files.writeString(tmp.resolve("chain-leaf.pem"), IssuedCertificate.pem(good.record().der()));
            Path crlFile = Files.writeString(tmp.resolve("both.crl.pem"), pem(rootCrl) + pem(issuingCrl));
            Process p = new ProcessBuilder("openssl", "verify", "-x509_strict", "-crl_check_all", "-attime",
                    Long.toString(pki.clock.instant().getEpochSecond()), "-CAfile", chain.toString(), "-untrusted",
                    untrusted.toString(), "-CRLfile", crlFile.toString(), leaf.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).as(out).isZero();
            assertThat(out).contains(": OK");
        }
    }

    private static String pem(PublishedCrl c) {
        return "-----BEGIN X509 CRL-----\n" + java.util.Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(c.der())
                + "\n-----END X509 CRL-----\n";
    }

    @Test
    void revokedCertificatesStayListedUntilAfterTheyExpire() throws Exception {
        RevocationSettings s = settings("crl: {validity: 7d, interval: 1d}");
        try (TestPki pki = pki(s, TestDatabases.Kind.H2)) {
            Crls crls = crls(pki, s, "n");
            IssuedCertificate c = issue(pki, "expiring.crl.example");
            revoke(pki, c, RevocationReason.SUPERSEDED);
            Instant notAfter = c.record().notAfter();
            pki.clock.set(notAfter.plus(Duration.ofDays(3))); // expired 3 days ago: still listed
            assertThat(jdk(stored(pki, crls.buildComplete("issuing", "t").get(0))).getRevokedCertificate(c.record().serial().value())).isNotNull();
            pki.clock.set(notAfter.plus(Duration.ofDays(8))); // a full CRL validity after expiry: gone
            assertThat(jdk(stored(pki, crls.buildComplete("issuing", "t").get(0))).getRevokedCertificate(c.record().serial().value())).isNull();
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void crlNumbersStrictlyIncreaseAcrossBuildsBuildersAndRestarts(TestDatabases.Kind db) throws Exception {
        RevocationSettings s = settings("crl: {shards: 2, delta: {enabled: true}}");
        try (TestPki pki = pki(s, db)) {
            List<Long> numbers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Crls node = crls(pki, s, "node-" + i); // a different process each time, as after a restart
                node.buildComplete("issuing", "t").forEach(c -> numbers.add(c.number()));
                numbers.add(node.buildDelta("issuing", "t").number());
            }
            assertThat(numbers).hasSize(12).isSorted().doesNotHaveDuplicates();
            for (PublishedCrl meta : crls(pki, s, "x").published()) {
                PublishedCrl c = stored(pki, meta);
                X509CRLHolder h = new X509CRLHolder(c.der());
                assertThat(ASN1Integer.getInstance(h.getExtension(Extension.cRLNumber).getParsedValue()).getValue().longValueExact())
                        .isEqualTo(c.number());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void twoNodesCompetingForTheBuilderLeaseNeverBuildAtOnce(TestDatabases.Kind db) throws Exception {
        RevocationSettings s = settings("");
        try (TestPki pki = pki(s, db)) {
            JdbcCrlStore store = new JdbcCrlStore(pki.database, pki.ledger);
            Instant now = pki.clock.instant();
            assertThat(store.acquireLease("issuing", "node-a", now, now.plus(Crls.LEASE))).isTrue();
            assertThatThrownBy(() -> crls(pki, s, "node-b").buildComplete("issuing", "t"))
                    .isInstanceOfSatisfying(CaException.class, e -> assertThat(e.kind()).isEqualTo(CaException.Kind.CONFLICT));
            assertThat(crls(pki, s, "node-b").buildDue("issuing", "t")).isEmpty(); // the schedule just waits
            pki.clock.advance(Crls.LEASE.plusSeconds(1)); // node-a crashed: its lease runs out
            assertThat(crls(pki, s, "node-b").buildComplete("issuing", "t")).hasSize(1);

            // Racing for real: many attempts from two builders, every published number distinct and increasing.
            CountDownLatch go = new CountDownLatch(1);
            List<CompletableFuture<List<Long>>> racers = new ArrayList<>();
            for (String node : List.of("r1", "r2")) {
                racers.add(CompletableFuture.supplyAsync(() -> {
                    List<Long> mine = new ArrayList<>();
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    for (int i = 0; i < 5; i++) {
                        try {
                            crls(pki, s, node).buildComplete("issuing", "t").forEach(c -> mine.add(c.number()));
                        } catch (CaException e) {
                            assertThat(e.kind()).isEqualTo(CaException.Kind.CONFLICT);
                        }
                    }
                    return mine;
                }));
            }
            go.countDown();
            List<Long> all = new ArrayList<>();
            racers.forEach(r -> all.addAll(r.join()));
            assertThat(all).isNotEmpty().doesNotHaveDuplicates();
        }
    }

    @Test
    void partitionsCarryAnIssuingDistributionPointEqualToTheirCertificatesDistributionPoint() throws Exception {
        RevocationSettings s = settings("crl: {shards: 3}");
        try (TestPki pki = pki(s, TestDatabases.Kind.H2)) {
            Crls crls = crls(pki, s, "n");
            List<IssuedCertificate> certs = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                IssuedCertificate c = issue(pki, "shard" + i + ".crl.example");
                certs.add(c);
                revoke(pki, c, RevocationReason.CESSATION_OF_OPERATION);
            }
            List<PublishedCrl> built = stored(pki, crls.buildComplete("issuing", "t"));
            assertThat(built).extracting(PublishedCrl::kind).containsExactly(CrlKind.COMPLETE, CrlKind.SHARD, CrlKind.SHARD, CrlKind.SHARD);
            long listed = 0;
            for (PublishedCrl shard : built.subList(1, 4)) {
                X509CRLHolder h = new X509CRLHolder(shard.der());
                Extension idpExt = h.getExtension(Extension.issuingDistributionPoint);
                assertThat(idpExt.isCritical()).isTrue();
                IssuingDistributionPoint idp = IssuingDistributionPoint.getInstance(idpExt.getParsedValue());
                String url = idp.getDistributionPoint().getName().toASN1Primitive().toString();
                assertThat(url).contains(BASE + "/crl/issuing-" + shard.shard() + ".crl");
                listed += shard.entries();
                openssl(pki, shard);
            }
            assertThat(listed).isEqualTo(12); // every revoked serial in exactly one partition
            for (IssuedCertificate c : certs) {
                X509CertificateHolder h = new X509CertificateHolder(c.record().der());
                CRLDistPoint cdp = CRLDistPoint.getInstance(h.getExtension(Extension.cRLDistributionPoints).getParsedValue());
                String wanted = s.urls().crlFor("issuing", c.record().serial());
                assertThat(cdp.getDistributionPoints()[0].getDistributionPoint().getName().toASN1Primitive().toString()).contains(wanted);
                PublishedCrl shard = built.get(1 + s.urls().shardOf(c.record().serial()));
                assertThat(jdk(shard).getRevokedCertificate(c.record().serial().value())).isNotNull();
                assertOpensslVerifyRevoked(pki, c, shard);
            }
        }
    }

    /** {@code openssl verify -crl_check} with the partition: the certificate's CDP and the CRL's IDP must match. */
    void assertOpensslVerifyRevoked(TestPki pki, IssuedCertificate c, PublishedCrl crl) throws Exception {
        Path chain = Files.writeString(tmp.resolve("chain.pem"), IssuedCertificate.pem(pki.issuing.certificate().getEncoded())
                + IssuedCertificate.pem(pki.root.certificate().getEncoded()));
        Path leaf = Files.writeString(tmp.resolve("leaf.pem"), IssuedCertificate.pem(c.record().der()));
        Path crlPem = Files.writeString(tmp.resolve("crl.pem"), "-----BEGIN X509 CRL-----\n"
                + java.util.Base64.getMimeEncoder().encodeToString(crl.der()) + "\n-----END X509 CRL-----\n");
        Process p = new ProcessBuilder("openssl", "verify", "-crl_check", "-attime", Long.toString(pki.clock.instant().getEpochSecond()),
                "-CAfile", chain.toString(), "-CRLfile", crlPem.toString(), leaf.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        assertThat(out).contains("certificate revoked");
    }

    @Test
    void aDeltaCrlListsRevocationsSinceItsBaseAndTheBaseNamesIt() throws Exception {
        RevocationSettings s = settings("crl: {delta: {enabled: true, interval: 1h, validity: 12h}}");
        try (TestPki pki = pki(s, TestDatabases.Kind.H2)) {
            Crls crls = crls(pki, s, "n");
            IssuedCertificate before = issue(pki, "before.crl.example");
            revoke(pki, before, RevocationReason.SUPERSEDED);
            pki.clock.advance(Duration.ofMinutes(30)); // well outside the late-commit window
            PublishedCrl base = stored(pki, crls.buildComplete("issuing", "t").get(0));
            pki.clock.advance(Duration.ofMinutes(30));
            IssuedCertificate after = issue(pki, "after.crl.example");
            revoke(pki, after, RevocationReason.KEY_COMPROMISE);
            PublishedCrl delta = stored(pki, crls.buildDelta("issuing", "t"));
            X509CRLHolder d = new X509CRLHolder(delta.der());
            assertThat(d.getExtension(Extension.deltaCRLIndicator).isCritical()).isTrue();
            assertThat(ASN1Integer.getInstance(d.getExtension(Extension.deltaCRLIndicator).getParsedValue()).getValue().longValueExact())
                    .isEqualTo(base.number());
            assertThat(delta.number()).isGreaterThan(base.number());
            assertThat(jdk(delta).getRevokedCertificate(after.record().serial().value())).isNotNull();
            assertThat(jdk(delta).getRevokedCertificate(before.record().serial().value())).isNull();
            X509CRLHolder b = new X509CRLHolder(base.der());
            assertThat(CRLDistPoint.getInstance(b.getExtension(Extension.freshestCRL).getParsedValue()).toString())
                    .contains(BASE + "/crl/issuing-delta.crl");
            X509CertificateHolder leaf = new X509CertificateHolder(after.record().der());
            assertThat(leaf.getExtension(Extension.freshestCRL)).isNotNull();
            openssl(pki, delta);
            // buildDue: a revocation after the newest delta makes a new delta due once afterRevocation passed
            pki.clock.advance(Duration.ofMinutes(2));
            IssuedCertificate third = issue(pki, "third.crl.example");
            revoke(pki, third, RevocationReason.SUPERSEDED);
            pki.clock.advance(Duration.ofMinutes(2));
            List<PublishedCrl> due = stored(pki, crls.buildDue("issuing", "t"));
            assertThat(due).extracting(PublishedCrl::kind).containsExactly(CrlKind.DELTA);
            assertThat(jdk(due.get(0)).getRevokedCertificate(third.record().serial().value())).isNotNull();
        }
    }

    @Test
    void buildDueBuildsAtFirstAfterARevocationAndOnTheInterval() throws Exception {
        RevocationSettings s = settings("crl: {interval: 1d, afterRevocation: 1m}");
        try (TestPki pki = pki(s, TestDatabases.Kind.H2)) {
            Crls crls = crls(pki, s, "n");
            assertThat(crls.buildDue("issuing", "t")).hasSize(1); // none yet
            assertThat(crls.buildDue("issuing", "t")).isEmpty();
            pki.clock.advance(Duration.ofMinutes(10));
            IssuedCertificate c = issue(pki, "due.crl.example");
            revoke(pki, c, RevocationReason.SUPERSEDED);
            List<PublishedCrl> after = stored(pki, crls.buildDue("issuing", "t"));
            assertThat(after).hasSize(1);
            assertThat(jdk(after.get(0)).getRevokedCertificate(c.record().serial().value())).isNotNull(); // N4
            pki.clock.advance(Duration.ofMinutes(10));
            // at most one catch-up build for a revocation that might have committed after the last one read
            assertThat(crls.buildDue("issuing", "t")).hasSizeLessThanOrEqualTo(1);
            pki.clock.advance(Duration.ofMinutes(10));
            assertThat(crls.buildDue("issuing", "t")).isEmpty();
            pki.clock.advance(Duration.ofDays(1));
            assertThat(crls.buildDue("issuing", "t")).hasSize(1); // the interval, revocations or not (T42)
        }
    }

    @Test
    void theAuditFindsAMissingRevocationAStaleCrlAndNothingWhenAllIsWell() throws Exception {
        RevocationSettings s = settings("crl: {shards: 2}");
        try (TestPki pki = pki(s, TestDatabases.Kind.H2)) {
            Crls crls = crls(pki, s, "n");
            assertThat(crls.audit("issuing")).isEmpty(); // nothing published yet
            IssuedCertificate listed = issue(pki, "listed.crl.example");
            revoke(pki, listed, RevocationReason.SUPERSEDED);
            IssuedCertificate late = issue(pki, "late.crl.example");
            pki.clock.advance(Duration.ofMinutes(10));
            crls.buildComplete("issuing", "t");
            assertThat(crls.audit("issuing")).isEmpty();
            // A revocation dated well before the CRL's thisUpdate that the CRL lacks (as if the build had missed it).
            pki.clock.advance(Duration.ofMinutes(-5));
            revoke(pki, late, RevocationReason.KEY_COMPROMISE);
            pki.clock.advance(Duration.ofMinutes(5));
            assertThat(crls.audit("issuing")).anySatisfy(p -> assertThat(p).contains("issuing.crl").contains(late.record().serial().hex())
                    .contains("missing")).anySatisfy(p -> assertThat(p).contains("issuing-" + s.urls().shardOf(late.record().serial())));
            crls.buildComplete("issuing", "t");
            assertThat(crls.audit("issuing")).isEmpty();
            pki.clock.advance(s.crl().validity().plusSeconds(1));
            assertThat(crls.audit("issuing")).anySatisfy(p -> assertThat(p).contains("past its nextUpdate"));
        }
    }

    @Test
    void aTokenThatCannotSignLeavesTheNumberUsedButPublishesNothing() throws Exception {
        RevocationSettings s = settings("");
        dev.hallmark.hsm.testing.FaultyToken[] faulty = new dev.hallmark.hsm.testing.FaultyToken[1];
        try (TestPki pki = TestPki.builder().distributionUrls(s.urls())
                .wrapToken(t -> faulty[0] = new dev.hallmark.hsm.testing.FaultyToken(t)).build()) {
            Crls crls = crls(pki, s, "n");
            long first = crls.buildComplete("issuing", "t").get(0).number();
            faulty[0].goUnavailable();
            assertThatThrownBy(() -> crls.buildComplete("issuing", "t")).isInstanceOfSatisfying(CaException.class,
                    e -> assertThat(e.kind()).isEqualTo(CaException.Kind.TOKEN_UNAVAILABLE));
            assertThat(crls.latest("issuing", CrlKind.COMPLETE, -1).orElseThrow().number()).isEqualTo(first);
            faulty[0].comeBack();
            assertThat(crls.buildComplete("issuing", "t").get(0).number()).isEqualTo(first + 2); // never reused
        }
    }
}
