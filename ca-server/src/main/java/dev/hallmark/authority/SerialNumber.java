package dev.hallmark.authority;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Certificate serial numbers (RFC 5280 4.1.2.2, BR 7.1): positive, at most 20 octets, and here always carrying
 * 127 bits of CSPRNG output (16 random octets with the top bit cleared), so at least 64 random bits survive DER
 * encoding even when leading octets are zero. Stored and shown as lower-case hex without leading zeros.
 *
 * @param value the positive serial
 */
public record SerialNumber(BigInteger value) {
    private static final int RANDOM_OCTETS = 16;

    public SerialNumber {
        if (value.signum() <= 0) {
            throw new CaException(CaException.Kind.MALFORMED, "a serial number must be positive");
        }
        if (value.toByteArray().length > 20) {
            throw new CaException(CaException.Kind.MALFORMED, "a serial number is at most 20 octets");
        }
    }

    /** A fresh random serial from {@code random} (which must be a CSPRNG). */
    public static SerialNumber random(SecureRandom random) {
        byte[] bytes = new byte[RANDOM_OCTETS];
        BigInteger v;
        do {
            random.nextBytes(bytes);
            bytes[0] &= 0x7f;
            v = new BigInteger(1, bytes);
        } while (v.bitLength() < 64);
        return new SerialNumber(v);
    }

    /**
     * Parses hex as users type it: optional {@code 0x}, colons or spaces between octets, leading zeros, any case.
     *
     * @throws CaException {@code MALFORMED} when it is not a positive hex number of at most 20 octets
     */
    public static SerialNumber parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT).replace(":", "").replace(" ", "");
        if (t.startsWith("0x")) {
            t = t.substring(2);
        }
        if (t.isEmpty() || t.length() > 42 || !t.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new CaException(CaException.Kind.MALFORMED, "serial '" + text + "' is not a hexadecimal number");
        }
        return new SerialNumber(new BigInteger(t, 16));
    }

    /** Canonical lower-case hex without leading zeros (the database key). */
    public String hex() {
        return value.toString(16);
    }

    /** Colon-separated upper-case octets as openssl prints them. */
    public String display() {
        byte[] b = value.toByteArray();
        int start = b.length > 1 && b[0] == 0 ? 1 : 0;
        return HexFormat.ofDelimiter(":").withUpperCase().formatHex(b, start, b.length);
    }

    @Override
    public String toString() {
        return hex();
    }
}
