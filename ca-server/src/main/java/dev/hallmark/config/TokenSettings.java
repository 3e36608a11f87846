package dev.hallmark.config;

import java.nio.file.Path;

/**
 * Where the CA keys live ({@code token:} in {@code hallmark.yaml}). Secrets are never part of the configuration:
 * only where to read them (a file, mode 0600, or an environment variable).
 */
public sealed interface TokenSettings permits TokenSettings.Soft, TokenSettings.Pkcs11 {

    /** The configuration spelling of the token type. */
    String type();

    /**
     * The software token: an encrypted PKCS#12 file.
     *
     * @param file           the key store file
     * @param passphraseFile file holding the passphrase, or null
     * @param passphraseEnv  environment variable holding the passphrase, or null
     */
    record Soft(Path file, Path passphraseFile, String passphraseEnv) implements TokenSettings {
        @Override
        public String type() {
            return "soft";
        }
    }

    /**
     * A PKCS#11 token through SunPKCS11.
     *
     * @param library the PKCS#11 module, e.g. {@code /usr/lib/softhsm/libsofthsm2.so}
     * @param label   the token label (the slot is resolved from it)
     * @param pinFile file holding the user PIN, or null
     * @param pinEnv  environment variable holding the user PIN, or null
     */
    record Pkcs11(Path library, String label, Path pinFile, String pinEnv) implements TokenSettings {
        @Override
        public String type() {
            return "pkcs11";
        }
    }
}
