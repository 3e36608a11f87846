package dev.hallmark.authority;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/** Key identifiers and key hashes, computed one way everywhere. */
public final class KeyIdentifiers {
    private KeyIdentifiers() {
    }

    /**
     * RFC 7093 section 2 method 1: the leftmost 160 bits of the SHA-256 of the subjectPublicKey BIT STRING value.
     */
    public static byte[] of(SubjectPublicKeyInfo spki) {
        return Arrays.copyOf(sha256(spki.getPublicKeyData().getBytes()), 20);
    }

    /** Hex SHA-256 of the whole SubjectPublicKeyInfo DER (the blocked-key and search key). */
    public static String spkiSha256(SubjectPublicKeyInfo spki) {
        try {
            return HexFormat.of().formatHex(sha256(spki.getEncoded()));
        } catch (java.io.IOException e) {
            throw new CaException(CaException.Kind.BAD_PUBLIC_KEY, "public key cannot be encoded");
        }
    }

    /** Hex SHA-256 of {@code data}. */
    public static String sha256Hex(byte[] data) {
        return HexFormat.of().formatHex(sha256(data));
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
