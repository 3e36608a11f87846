package dev.hallmark.hsm.pkcs11;

import dev.hallmark.hsm.Secret;
import dev.hallmark.hsm.TokenException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What {@link Pkcs11Token#open} needs: a provider name, the PKCS#11 library, the token's label (slot ids are not
 * stable, labels are) and the user PIN.
 *
 * <p>The record holds the caller's {@code pin} array as given (records cannot copy defensively without breaking
 * {@code equals}); {@link Pkcs11Token#open} copies it, so the caller may {@link Secret#wipe wipe} it afterwards.
 * {@link #toString()} never shows the PIN.
 *
 * @param name       a short name for logs and the provider ({@code SunPKCS11-<name>}): 1 to 32 of
 *                   {@code A-Z a-z 0-9 . _ -}
 * @param library    the PKCS#11 module, e.g. {@code /usr/lib/softhsm/libsofthsm2.so}
 * @param tokenLabel the token's {@code CKA_LABEL} as set at initialisation (trailing blanks are ignored)
 * @param pin        the user PIN; not empty
 */
public record Pkcs11Settings(String name, Path library, String tokenLabel, char[] pin) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,32}");

    /**
     * Validates the fields.
     *
     * @throws TokenException {@code BAD_CONFIG} naming the bad field (never showing the PIN)
     */
    public Pkcs11Settings {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(library, "library");
        Objects.requireNonNull(tokenLabel, "tokenLabel");
        if (!NAME.matcher(name).matches()) {
            throw new TokenException(TokenException.Reason.BAD_CONFIG,
                    "pkcs11 token name '" + name + "' must be 1 to 32 of A-Z a-z 0-9 . _ -");
        }
        if (tokenLabel.isBlank() || tokenLabel.length() > 32) {
            throw new TokenException(TokenException.Reason.BAD_CONFIG,
                    "pkcs11 token label must be 1 to 32 characters, not blank");
        }
        if (pin == null || pin.length == 0) {
            throw new TokenException(TokenException.Reason.BAD_CONFIG, "pkcs11 PIN for token '" + tokenLabel
                    + "' is empty");
        }
    }

    /**
     * Settings whose PIN is read through {@link Secret#read(Path, String)}: from {@code pinFile} if given, else from
     * the environment variable {@code pinEnv}.
     *
     * @param pinFile the PIN file, or {@code null}
     * @param pinEnv  the environment variable, or {@code null}
     * @throws TokenException {@code BAD_CONFIG} if the PIN cannot be read or a field is invalid
     */
    public static Pkcs11Settings withPinFrom(String name, Path library, String tokenLabel, Path pinFile,
            String pinEnv) {
        return new Pkcs11Settings(name, library, tokenLabel, Secret.read(pinFile, pinEnv));
    }

    /** The PIN is shown as {@code ***}. */
    @Override
    public String toString() {
        return "Pkcs11Settings[name=" + name + ", library=" + library + ", tokenLabel=" + tokenLabel + ", pin=***]";
    }
}
