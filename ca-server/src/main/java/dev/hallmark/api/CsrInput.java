package dev.hallmark.api;

import dev.hallmark.authority.CaException;
import dev.hallmark.authority.CertificationRequest;
import dev.hallmark.authority.DerLimits;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * The PKCS#10 request as a client sends it: a JSON string holding PEM or base64 DER, or an
 * {@code application/pkcs10} body holding DER, PEM or base64 DER (as EST clients send it, RFC 8951). This undoes
 * the transport encoding (PEM per RFC 7468) and checks that the DER is a PKCS#10 structure, so that an undecodable
 * request is refused with this class's own short message naming where it came from, never a library's exception
 * text. {@link CertificationRequest#parse} then checks the request itself.
 */
final class CsrInput {
    private static final DerLimits LIMITS = new DerLimits(CertificationRequest.MAX_BYTES, 16);

    private CsrInput() {
    }

    /**
     * The CSR's DER, from the JSON member {@code csr}.
     *
     * @throws CaException {@code MALFORMED} when it is neither PEM nor base64 of a PKCS#10 request
     */
    static byte[] fromJson(String csr) {
        String what = "member 'csr'";
        String text = csr.strip();
        if (text.startsWith("-----")) {
            return checked(pem(text, what), what);
        }
        byte[] der = base64(text);
        if (der == null) {
            throw notCsr(what);
        }
        return checked(der, what);
    }

    /**
     * The CSR's DER, from an {@code application/pkcs10} body.
     *
     * @throws CaException {@code MALFORMED} for an empty body, or one that is not DER, PEM or base64 of a
     *                     PKCS#10 request
     */
    static byte[] fromBody(byte[] body) {
        String what = "the body";
        if (body.length == 0) {
            throw new CaException(CaException.Kind.MALFORMED, "the request body is empty; send the PKCS#10 request");
        }
        // DER starts with a SEQUENCE tag (0x30) followed by a length octet, which is never base64 text.
        if (body[0] == 0x30 && body.length > 1 && !isBase64Char(body[1])) {
            return checked(body, what);
        }
        String text = new String(body, StandardCharsets.US_ASCII).strip();
        if (text.startsWith("-----")) {
            return checked(pem(text, what), what);
        }
        byte[] der = base64(text);
        if (der == null) {
            throw notCsr(what);
        }
        return checked(der, what);
    }

    /** The content of the first PEM block, which must be a (NEW) CERTIFICATE REQUEST. */
    private static byte[] pem(String text, String what) {
        if (text.length() > CertificationRequest.MAX_BYTES * 2) {
            throw new CaException(CaException.Kind.MALFORMED, what + " is longer than " + CertificationRequest.MAX_BYTES * 2
                    + " characters");
        }
        // RFC 7468 section 3: "-----BEGIN label-----", base64 text, "-----END label-----"; text after it is ignored.
        String begin = "-----BEGIN ";
        int labelEnd = text.startsWith(begin) ? text.indexOf("-----", begin.length()) : -1;
        if (labelEnd < 0) {
            throw notCsr(what);
        }
        String label = text.substring(begin.length(), labelEnd);
        if (!label.equals("CERTIFICATE REQUEST") && !label.equals("NEW CERTIFICATE REQUEST")) {
            throw new CaException(CaException.Kind.MALFORMED, what + " is a PEM '" + shorten(label)
                    + "', not a 'CERTIFICATE REQUEST'");
        }
        int contentStart = labelEnd + "-----".length();
        int end = text.indexOf("-----END " + label + "-----", contentStart);
        if (end < 0) {
            throw new CaException(CaException.Kind.MALFORMED, what + ": the PEM 'CERTIFICATE REQUEST' has no end line");
        }
        byte[] der = base64(text.substring(contentStart, end));
        if (der == null) {
            throw new CaException(CaException.Kind.MALFORMED, what + ": the PEM 'CERTIFICATE REQUEST' does not hold "
                    + "valid base64");
        }
        return der;
    }

    /** {@code der} after checking it is bounded DER of a PKCS#10 CertificationRequest (RFC 2986 section 4.2). */
    private static byte[] checked(byte[] der, String what) {
        LIMITS.check(der, what);
        try {
            new PKCS10CertificationRequest(der);
        } catch (java.io.IOException | RuntimeException e) {
            throw new CaException(CaException.Kind.MALFORMED, what + " is DER but not a PKCS#10 CertificationRequest");
        }
        return der;
    }

    private static CaException notCsr(String what) {
        return new CaException(CaException.Kind.MALFORMED,
                what + " must hold a PEM 'CERTIFICATE REQUEST' or the request's DER in base64");
    }

    /** Standard or URL-safe base64 with optional padding and line breaks; null when it is not base64. */
    private static byte[] base64(String text) {
        String compact = text.replaceAll("[\\r\\n\\t ]", "");
        if (compact.isEmpty() || compact.length() > CertificationRequest.MAX_BYTES * 2) {
            return null;
        }
        try {
            return compact.indexOf('-') >= 0 || compact.indexOf('_') >= 0
                    ? Base64.getUrlDecoder().decode(compact)
                    : Base64.getDecoder().decode(compact);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String shorten(String s) {
        String t = s.length() > 64 ? s.substring(0, 64) + "…" : s;
        return t.replaceAll("\\p{Cntrl}", "?");
    }

    private static boolean isBase64Char(byte b) {
        return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '+' || b == '/'
                || b == '-' || b == '_';
    }
}
