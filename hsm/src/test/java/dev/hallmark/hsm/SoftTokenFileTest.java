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
        try (Stream<Path> left = Files.list(scratch)) {
            assertThat(left).containsExactly(file);
        }
    }
}
