package dev.hallmark.store.acme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hallmark.db.Database;
import dev.hallmark.db.testing.TestDatabases;
import dev.hallmark.protocol.acme.EabKey;
import dev.hallmark.protocol.acme.EabKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** EAB keys are stored sealed under a key-encryption key file, open only while unused, and never leak via the database. */
class EabKeysTest {
    private static final Instant T = Instant.parse("2026-03-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(T, ZoneOffset.UTC);

    @TempDir
    Path dir;

    @Test
    void aCreatedKeyOpensToTheBytesHandedOut() {
        try (Database db = TestDatabases.open(TestDatabases.Kind.H2)) {
            JdbcAcmeStore store = new JdbcAcmeStore(db);
            EabKeys keys = new EabKeys(store, dir.resolve("eab.kek"), CLOCK);
            EabKeys.Created created = keys.create("admin:alice");

            assertThat(created.kid()).matches("kid-[A-Za-z0-9_-]{16}");
            byte[] hmac = Base64.getUrlDecoder().decode(created.hmacKeyBase64Url());
            assertThat(hmac).hasSize(32);
            assertThat(keys.hmacKey(created.kid())).hasValueSatisfying(k -> assertThat(k).isEqualTo(hmac));
            assertThat(created.toString()).doesNotContain(created.hmacKeyBase64Url());
            assertThat(store.eab(created.kid()).orElseThrow())
                    .satisfies(k -> assertThat(k.createdBy()).isEqualTo("admin:alice"))
                    .satisfies(k -> assertThat(k.createdAt()).isEqualTo(T));
            // Another instance (another node with the same KEK file) opens it too.
            assertThat(new EabKeys(store, dir.resolve("eab.kek"), CLOCK).hmacKey(created.kid()))
                    .hasValueSatisfying(k -> assertThat(k).isEqualTo(hmac));
            assertThat(keys.create("admin:alice").kid()).isNotEqualTo(created.kid());
        }
    }

    @Test
    void noKeyStartsWithADashThatCommandLinesWouldTakeForAnOption() {
        // 1 in 64 random keys would; 300 keys without one happen by chance less than once in a hundred runs.
        try (Database db = TestDatabases.open(TestDatabases.Kind.H2)) {
            EabKeys keys = new EabKeys(new JdbcAcmeStore(db), dir.resolve("eab.kek"), CLOCK);
            for (int i = 0; i < 300; i++) {
                assertThat(keys.create("admin:alice").hmacKeyBase64Url()).doesNotStartWith("-");
            }
        }
    }

    @Test
    void theKekFileIsCreatedOnceReadableByItsOwnerOnly() throws Exception {
        try (Database db = TestDatabases.open(TestDatabases.Kind.H2)) {
            Path kek = dir.resolve("sub/eab.kek");
            new EabKeys(new JdbcAcmeStore(db), kek, CLOCK).create("admin");

            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(kek))).isEqualTo("rw-------");
            assertThat(Files.size(kek)).isEqualTo(32);
            byte[] before = Files.readAllBytes(kek);
            new EabKeys(new JdbcAcmeStore(db), kek, CLOCK).create("admin");
            assertThat(Files.readAllBytes(kek)).isEqualTo(before);
            try (var files = Files.list(kek.getParent())) {
                assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
            }
        }
    }

    @Test
    void instancesCreatingTheFirstKeysTogetherAgreeOnOneKek() throws Exception {
        try (Database db = TestDatabases.open(TestDatabases.Kind.H2)) {
            JdbcAcmeStore store = new JdbcAcmeStore(db);
            Path kek = dir.resolve("eab.kek");
            List<EabKeys> nodes = List.of(new EabKeys(store, kek, CLOCK), new EabKeys(store, kek, CLOCK),
                    new EabKeys(store, kek, CLOCK), new EabKeys(store, kek, CLOCK));
            List<Callable<Object>> tasks = new ArrayList<>();
            for (EabKeys node : nodes) {
                tasks.add(() -> node.create("admin"));
            }
            List<Object> created = JdbcAcmeStoreTest.raceEach(tasks);

            assertThat(created).allMatch(EabKeys.Created.class::isInstance);
            EabKeys reader = new EabKeys(store, kek, CLOCK);
            for (Object c : created) {
                EabKeys.Created k = (EabKeys.Created) c;
                assertThat(reader.hmacKey(k.kid())).hasValueSatisfying(
                        v -> assertThat(v).isEqualTo(Base64.getUrlDecoder().decode(k.hmacKeyBase64Url())));
            }
        }
    }

    /** RELIABILITY I12: what the database holds is useless without the KEK file. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(TestDatabases.Kind.class)
    void theDatabaseRowNeverHoldsTheKey(TestDatabases.Kind kind) {
        try (Database db = TestDatabases.open(kind)) {
            EabKeys.Created created = new EabKeys(new JdbcAcmeStore(db), dir.resolve("eab.kek"), CLOCK).create("admin");
            byte[] hmac = Base64.getUrlDecoder().decode(created.hmacKeyBase64Url());
            byte[] row = db.read(c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT sealed_key FROM acme_eab_key WHERE kid = ?")) {
                    ps.setString(1, created.kid());
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        return rs.getBytes(1);
                    }
                }
            });
            assertThat(row).hasSizeGreaterThan(hmac.length);
            assertThat(indexOf(row, hmac)).isEqualTo(-1);
            assertThat(indexOf(row, created.hmacKeyBase64Url().getBytes(StandardCharsets.US_ASCII))).isEqualTo(-1);
        }
    }

    @Test
    void usedRevokedAndUnknownKidsDoNotOpen() {
        try (Database db = TestDatabases.open(TestDatabases.Kind.H2)) {
            JdbcAcmeStore store = new JdbcAcmeStore(db);
            EabKeys keys = new EabKeys(store, dir.resolve("eab.kek"), CLOCK);
            String used = keys.create("admin").kid();
            String revoked = keys.create("admin").kid();
            store.createAccount(JdbcAcmeStoreTest.account("tp-a", T, used));
            store.revokeEab(revoked);

            assertThat(keys.hmacKey(used)).isEmpty();
            assertThat(keys.hmacKey(revoked)).isEmpty();
            assertThat(keys.hmacKey("kid-unknown")).isEmpty();
        }
    }

    @Test
    void withoutItsKekFileANodeRefusesRatherThanForgingANewOne() throws Exception {
        try (Database db = TestDatabases.open(TestDatabases.Kind.H2)) {
            JdbcAcmeStore store = new JdbcAcmeStore(db);
            String kid = new EabKeys(store, dir.resolve("a.kek"), CLOCK).create("admin").kid();

            EabKeys missing = new EabKeys(store, dir.resolve("missing.kek"), CLOCK);
            assertThatThrownBy(() -> missing.hmacKey(kid)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> missing.create("admin")).isInstanceOf(IllegalStateException.class);
            assertThat(dir.resolve("missing.kek")).doesNotExist();

            Path other = dir.resolve("other.kek");
            Files.write(other, new byte[32]);
            assertThatThrownBy(() -> new EabKeys(store, other, CLOCK).hmacKey(kid)).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void aSealedKeyOpensOnlyUnderItsOwnKid() {
        try (Database db = TestDatabases.open(TestDatabases.Kind.H2)) {
            JdbcAcmeStore store = new JdbcAcmeStore(db);
            EabKeys keys = new EabKeys(store, dir.resolve("eab.kek"), CLOCK);
            EabKey original = store.eab(keys.create("admin").kid()).orElseThrow();
            store.createEab(new EabKey("kid-moved", original.sealedKey(), T, "mallory", null, false));

            assertThatThrownBy(() -> keys.hmacKey("kid-moved")).isInstanceOf(IllegalStateException.class);
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
