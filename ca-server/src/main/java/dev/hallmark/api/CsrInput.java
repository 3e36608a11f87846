package dev.hallmark.api;

import dev.hallmark.authority.CaException;
import dev.hallmark.authority.CertificationRequest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The PKCS#10 request as a client sends it: a JSON string holding PEM or base64 DER, or an
 * {@code application/pkcs10} body holding DER, PEM or base64 DER (as EST clients send it, RFC 8951). The bytes
 * are handed to {@link CertificationRequest#parse}, which bounds and checks them; this only undoes the transport
 * encoding.
 */
final class CsrInput {
    private CsrInput() {
    }

    /**
     * The CSR bytes (PEM or DER) of the JSON member {@code csr}.
     *
     * @throws CaException {@code MALFORMED} when it is neither PEM nor base64
     */
    static byte[] fromJson(String csr) {
        String text = csr.strip();
        if (text.startsWith("-----")) {
            return text.getBytes(StandardCharsets.US_ASCII);
        }
        byte[] der = base64(text);
        if (der == null) {
            throw new CaException(CaException.Kind.MALFORMED,
                    "member 'csr' must hold a PEM 'CERTIFICATE REQUEST' or the request's DER in base64");
        }
        return der;
    }

    /**
     * The CSR bytes (PEM or DER) of an {@code application/pkcs10} body.
     *
     * @throws CaException {@code MALFORMED} for an empty body
     */
    static byte[] fromBody(byte[] body) {
        if (body.length == 0) {
            throw new CaException(CaException.Kind.MALFORMED, "the request body is empty; send the PKCS#10 request");
        }
        // DER starts with a SEQUENCE tag (0x30) followed by a length octet, which is never base64 text.
        if (body[0] == 0x30 && body.length > 1 && !isBase64Char(body[1])) {
            return body;
        }
        String text = new String(body, StandardCharsets.US_ASCII).strip();
        if (text.startsWith("-----")) {
            return body;
        }
        byte[] der = base64(text);
        return der != null ? der : body;
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

    private static boolean isBase64Char(byte b) {
        return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '+' || b == '/'
                || b == '-' || b == '_';
    }
}
