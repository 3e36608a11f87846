package dev.hallmark.authority.crl;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;

/** The DER pieces {@link CrlWriter} emits by hand (X.690): headers, times and revokedCertificates elements. */
final class CrlDer {
    private static final Instant EARLIEST = Instant.parse("0000-01-01T00:00:00Z");
    private static final Instant UNTIL = LocalDate.of(10000, 1, 1).atStartOfDay().toInstant(ZoneOffset.UTC);
    /** The DER of {@code crlEntryExtensions} holding only a non-critical reasonCode, by code (null: none). */
    private static final byte[][] REASON_EXTENSIONS = new byte[11][];

    static {
        for (int code = 1; code < REASON_EXTENSIONS.length; code++) {
            if (code == 6 || code == 7 || code == 8) {
                continue;
            }
            try {
                REASON_EXTENSIONS[code] = new Extensions(new Extension(Extension.reasonCode, false,
                        CRLReason.lookup(code).getEncoded(ASN1Encoding.DER))).getEncoded(ASN1Encoding.DER);
            } catch (IOException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    private CrlDer() {
    }

    /** The DER of one revokedCertificates element. */
    static byte[] entry(CrlEntry entry) {
        byte[] serial = tlv(0x02, entry.serial().toByteArray());
        byte[] date = time(entry.revokedAt());
        byte[] ext = entry.hasReason() ? REASON_EXTENSIONS[entry.reasonCode()] : new byte[0];
        ByteArrayOutputStream b = new ByteArrayOutputStream(64);
        b.writeBytes(header(0x30, (long) serial.length + date.length + ext.length));
        b.writeBytes(serial);
        b.writeBytes(date);
        b.writeBytes(ext);
        return b.toByteArray();
    }

    /** RFC 5280 section 5.1.2.4: UTCTime for 1950 through 2049, GeneralizedTime otherwise; seconds, Z. */
    static byte[] time(Instant instant) {
        Objects.requireNonNull(instant, "time");
        if (instant.isBefore(EARLIEST) || !instant.isBefore(UNTIL)) {
            throw new IllegalArgumentException("time " + instant + " cannot be encoded (years 0000 to 9999)");
        }
        java.time.LocalDateTime t = java.time.LocalDateTime.ofEpochSecond(instant.getEpochSecond(), 0, ZoneOffset.UTC);
        int year = t.getYear();
        boolean utc = year >= 1950 && year <= 2049;
        // Written digit by digit: a million entries make DateTimeFormatter a measurable share of a CRL build.
        byte[] out = new byte[utc ? 15 : 17];
        out[0] = (byte) (utc ? 0x17 : 0x18);
        out[1] = (byte) (out.length - 2);
        int i = 2;
        i = utc ? digits(out, i, year % 100, 2) : digits(out, i, year, 4);
        i = digits(out, i, t.getMonthValue(), 2);
        i = digits(out, i, t.getDayOfMonth(), 2);
        i = digits(out, i, t.getHour(), 2);
        i = digits(out, i, t.getMinute(), 2);
        i = digits(out, i, t.getSecond(), 2);
        out[i] = 'Z';
        return out;
    }

    private static int digits(byte[] out, int at, int value, int width) {
        for (int k = width - 1; k >= 0; k--) {
            out[at + k] = (byte) ('0' + value % 10);
            value /= 10;
        }
        return at + width;
    }

    static byte[] tlv(int tag, byte[] content) {
        byte[] h = header(tag, content.length);
        byte[] all = Arrays.copyOf(h, h.length + content.length);
        System.arraycopy(content, 0, all, h.length, content.length);
        return all;
    }

    /** Tag and definite length octets (X.690 section 8.1.3): short form below 128, else long form. */
    static byte[] header(int tag, long length) {
        if (length < 0x80) {
            return new byte[] {(byte) tag, (byte) length};
        }
        int octets = (Long.SIZE - Long.numberOfLeadingZeros(length) + 7) / 8;
        byte[] h = new byte[2 + octets];
        h[0] = (byte) tag;
        h[1] = (byte) (0x80 | octets);
        for (int i = 0; i < octets; i++) {
            h[2 + i] = (byte) (length >>> (8 * (octets - 1 - i)));
        }
        return h;
    }
}
