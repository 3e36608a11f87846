package dev.hallmark.authority.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hallmark.authority.CertificateQuery;
import dev.hallmark.authority.CertificateRecord;
import dev.hallmark.authority.CertificateStatus;
import dev.hallmark.authority.RevocationReason;
import dev.hallmark.authority.RevocationRequest;
import dev.hallmark.authority.SerialNumber;
import dev.hallmark.authority.testing.TestCsr;
import dev.hallmark.authority.testing.TestPki;
import dev.hallmark.db.testing.TestDatabases;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The store's queries on H2 and PostgreSQL under the same migrations. */
class JdbcCertificateStoreTest {

    private static List<String> serials(List<CertificateRecord> rows) {
        return rows.stream().map(r -> r.serial().hex()).toList();
    }

    private static CertificateQuery query(CertificateStatus status, Instant expiringBefore, String san, String profile) {
        return new CertificateQuery("issuing", status, expiringBefore, san, profile, 100, 0);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestDatabases.Kind.class)
    void searchFiltersByStatusExpirySanAndProfile(TestDatabases.Kind kind) {
        try (TestPki pki = TestPki.builder().database(kind).build()) {
            String server = pki.issue("tls-server", TestCsr.of("www.example.com", TestCsr.withIp("2001:db8::7")))
                    .record().serial().hex();
            String device = pki.issue("device", TestCsr.of("dev.example.com", TestCsr.withFreshKey())).record().serial().hex();
            SerialNumber revoked = pki.issue("tls-server", TestCsr.of("old.example.com", TestCsr.withFreshKey())).record().serial();
            pki.authority.revoke(new RevocationRequest("issuing", revoked, RevocationReason.SUPERSEDED, "t"));
            Instant now = pki.clock.instant();

            assertThat(serials(pki.store.search(query(CertificateStatus.VALID, null, null, null), now)))
                    .containsExactlyInAnyOrder(server, device);
            assertThat(serials(pki.store.search(query(CertificateStatus.REVOKED, null, null, null), now)))
                    .containsExactly(revoked.hex());
            assertThat(serials(pki.store.search(query(null, null, "WWW.Example.com.", null), now))).containsExactly(server);
            assertThat(serials(pki.store.search(query(null, null, "2001:db8:0::7", null), now))).containsExactly(server);
            assertThat(serials(pki.store.search(query(null, null, null, "device"), now))).containsExactly(device);
            assertThat(serials(pki.store.search(query(null, now.plus(Duration.ofDays(100)), null, null), now)))
                    .containsExactlyInAnyOrder(server, revoked.hex());
            assertThat(pki.store.search(new CertificateQuery("issuing", null, null, null, null, 1, 1), now)).hasSize(1);

            Instant later = now.plus(Duration.ofDays(200));
            assertThat(serials(pki.store.search(query(CertificateStatus.EXPIRED, null, null, null), later)))
                    .containsExactlyInAnyOrder(server);
            assertThat(serials(pki.store.search(query(CertificateStatus.VALID, null, null, null), later))).containsExactly(device);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestDatabases.Kind.class)
    void theDatabaseItselfRefusesASecondRowForOneSerialAndNeverDeletesOne(TestDatabases.Kind kind) throws Exception {
        try (TestPki pki = TestPki.builder().database(kind).build()) {
            CertificateRecord r = pki.issue("tls-server", TestCsr.of("u.example")).record();
            boolean refused = pki.database.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO serial_number (issuer, serial, state, tbs_sha256,"
                        + " spki_sha256, requester, profile, profile_version, not_after, reserved_at) SELECT issuer, serial,"
                        + " state, tbs_sha256, spki_sha256, requester, profile, profile_version, not_after, reserved_at"
                        + " FROM serial_number WHERE issuer = ? AND serial = ?")) {
                    ps.setString(1, r.issuer());
                    ps.setString(2, r.serial().hex());
                    ps.executeUpdate();
                    return false;
                } catch (SQLException e) {
                    return true;
                }
            });
            assertThat(refused).isTrue();
            assertThat(pki.store.duplicateSerials()).isEmpty();
            assertThat(pki.store.certificate(r.issuer(), r.serial()).orElseThrow().der()).isEqualTo(r.der());
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestDatabases.Kind.class)
    void soonestLeafExpirySkipsRevokedAndExpiredLeavesAndCaCertificates(TestDatabases.Kind kind) {
        try (TestPki pki = TestPki.builder().database(kind).build()) {
            assertThat(pki.store.soonestLeafExpiry(pki.clock.instant())).as("only CA certificates").isEmpty();
            CertificateRecord first = pki.issue("tls-server", TestCsr.of("a.example.com", TestCsr.withFreshKey())).record();
            pki.clock.advance(Duration.ofHours(1));
            CertificateRecord second = pki.issue("tls-server", TestCsr.of("b.example.com", TestCsr.withFreshKey())).record();
            pki.clock.advance(Duration.ofHours(1));
            CertificateRecord third = pki.issue("tls-server", TestCsr.of("c.example.com", TestCsr.withFreshKey())).record();
            assertThat(pki.store.soonestLeafExpiry(pki.clock.instant())).contains(first.notAfter());

            pki.authority.revoke(new RevocationRequest("issuing", first.serial(), RevocationReason.SUPERSEDED, "test:operator"));
            assertThat(pki.store.soonestLeafExpiry(pki.clock.instant())).as("revoked skipped").contains(second.notAfter());
            assertThat(pki.store.soonestLeafExpiry(second.notAfter())).as("expired skipped").contains(third.notAfter());
            assertThat(pki.store.soonestLeafExpiry(third.notAfter())).isEmpty();
        }
    }
}
