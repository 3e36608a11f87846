package dev.hallmark.hsm;

import dev.hallmark.hsm.pkcs11.Pkcs11Settings;
import dev.hallmark.hsm.pkcs11.Pkcs11Token;
import dev.hallmark.hsm.testing.SoftHsm;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;

/** The token implementations the contract tests run against. */
enum TokenKind {
    /** {@link SoftToken} on an encrypted PKCS#12 file. */
    SOFT_FILE {
        @Override
        Fixture fixture(Path scratch) {
            Path file = scratch.resolve("keys-" + UUID.randomUUID() + ".p12");
            String passphrase = "pass-" + UUID.randomUUID();
            SoftToken.create(file, passphrase.toCharArray()).close();
            return new Fixture(passphrase, EnumSet.allOf(KeyType.class)) {
                @Override
                CryptoToken open() {
                    return SoftToken.open(file, passphrase.toCharArray());
                }

                @Override
                CryptoToken openWithSecret(String secret) {
                    return SoftToken.open(file, secret.toCharArray());
                }
            };
        }
    },
    /** {@link Pkcs11Token} on a fresh SoftHSM2 token through SunPKCS11; every open is a new provider instance. */
    SOFTHSM {
        @Override
        Fixture fixture(Path scratch) {
            SoftHsm.Token token = SoftHsm.newToken();
            return new Fixture(token.pin(), EnumSet.of(KeyType.EC_P256, KeyType.EC_P384, KeyType.RSA_2048,
                    KeyType.RSA_3072, KeyType.RSA_4096)) {
                @Override
                CryptoToken open() {
                    return token.open();
                }

                @Override
                CryptoToken openWithSecret(String secret) {
                    return Pkcs11Token.open(new Pkcs11Settings(token.label(), token.library(), token.label(),
                            secret.toCharArray()));
                }
            };
        }
    };

    abstract Fixture fixture(Path scratch);

    /** One token (file or SoftHSM2 token) that can be opened several times. */
    abstract static class Fixture {
        final String secret;
        final Set<KeyType> supported;

        Fixture(String secret, Set<KeyType> supported) {
            this.secret = secret;
            this.supported = supported;
        }

        /** Opens the token with the right secret (a new instance each time). */
        abstract CryptoToken open();

        /** Opens the token with {@code secret} instead of the right one. */
        abstract CryptoToken openWithSecret(String secret);
    }
}
