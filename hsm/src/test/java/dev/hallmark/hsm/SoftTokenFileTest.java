package dev.hallmark.hsm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SoftTokenFileTest {
    @TempDir
    Path scratch;

    @Test
    void fileIsOwnerOnlyAfterCreateAndAfterEveryWrite() throws Exception {
        Path file = scratch.resolve("keys.p12");
        try (SoftToken token = SoftToken.create(file, "passphrase".toCharArray())) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            token.generateKey("ca", KeyType.EC_P256);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        }
        try (Stream<Path> left = Files.list(scratch)) { // no temporary file left; the lock file stays, like any lock file
            assertThat(left).containsExactlyInAnyOrder(file, scratch.resolve(".keys.p12.lock"));
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(scratch.resolve(".keys.p12.lock"))))
                .isEqualTo("rw-------");
    }

    /** Two processes over one token file (a CA node and an OCSP node) never overwrite each other's keys. */
    @Test
    void twoTokensOverOneFileKeepEachOthersKeys() throws Exception {
        Path file = scratch.resolve("shared.p12");
        SoftToken.create(file, "passphrase".toCharArray()).close();
        try (SoftToken a = SoftToken.open(file, "passphrase".toCharArray());
             SoftToken b = SoftToken.open(file, "passphrase".toCharArray())) {
            a.generateKey("from-a", KeyType.EC_P256);
            b.generateKey("from-b", KeyType.EC_P256);
            org.assertj.core.api.Assertions.assertThat(b.find("from-a")).as("b re-read the file before writing").isPresent();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> a.generateKey("from-b", KeyType.EC_P256))
                    .isInstanceOfSatisfying(TokenException.class,
                            e -> org.assertj.core.api.Assertions.assertThat(e.reason()).isEqualTo(TokenException.Reason.KEY_EXISTS));
        }
        try (SoftToken reopened = SoftToken.open(file, "passphrase".toCharArray())) {
            org.assertj.core.api.Assertions.assertThat(reopened.keys()).extracting(KeyRef::alias).contains("from-a", "from-b");
        }
    }
}
