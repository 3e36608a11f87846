package dev.hallmark.ocsp;

import org.bouncycastle.cert.ocsp.OCSPResp;

/**
 * A request that gets an unsigned OCSPResponse with an error status (RFC 6960 4.2.1) instead of certificate
 * statuses: {@code malformedRequest}, {@code unauthorized} or {@code tryLater}. The message is for logs and metrics;
 * the client only ever sees the status.
 */
final class OcspFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    private OcspFailure(int status, String message, Throwable cause) {
        super(message, cause, false, false);
        this.status = status;
    }

    static OcspFailure malformed(String message) {
        return new OcspFailure(OCSPResp.MALFORMED_REQUEST, message, null);
    }

    static OcspFailure malformed(String message, Throwable cause) {
        return new OcspFailure(OCSPResp.MALFORMED_REQUEST, message, cause);
    }

    static OcspFailure unauthorized(String message) {
        return new OcspFailure(OCSPResp.UNAUTHORIZED, message, null);
    }

    static OcspFailure tryLater(String message, Throwable cause) {
        return new OcspFailure(OCSPResp.TRY_LATER, message, cause);
    }

    /** The OCSPResponseStatus value. */
    int status() {
        return status;
    }
}
