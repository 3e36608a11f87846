package dev.hallmark.ocsp;

import dev.hallmark.hsm.CryptoToken;
import dev.hallmark.hsm.TokenContentSigner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.asn1.ocsp.CertID;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.BasicOCSPRespBuilder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;

/**
 * Signs OCSP responses (RFC 6960 4.2, RFC 5019 2.2): responderID by key, producedAt = thisUpdate = now (whole
 * seconds), nextUpdate = thisUpdate + {@code ocsp.validity} but never after the signer's certificate expires, the
 * request's nonce echoed exactly when there is one. The key stays in the token. Blocking; thread-safe.
 */
final class ResponseSigner {
    private static final X509CertificateHolder[] NO_CERTS = new X509CertificateHolder[0];
    private final CryptoToken token;
    private final Duration validity;

    ResponseSigner(CryptoToken token, Duration validity) {
        this.token = token;
        this.validity = validity;
    }

    /** One SingleResponse to state. */
    record Single(CertID certId, CertStatus status) {
    }

    /** A signed response and the window it states. */
    record Signed(byte[] der, Instant thisUpdate, Instant nextUpdate) {
        /** A strong ETag: the first 16 bytes of the SHA-256 of the response, quoted. */
        String etag() {
            try {
                byte[] d = MessageDigest.getInstance("SHA-256").digest(der);
                return '"' + HexFormat.of().formatHex(d, 0, 16) + '"';
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * Signs one response stating every {@code singles} entry.
     *
     * @param nonce the request's nonce extension, echoed as received; null for none
     * @throws dev.hallmark.hsm.TokenException when the token cannot sign
     */
    Signed sign(ResponderKey signer, List<Single> singles, Extension nonce, Instant at) {
        Instant now = at.truncatedTo(ChronoUnit.SECONDS);
        Instant next = now.plus(validity);
        if (next.isAfter(signer.notAfter())) {
            next = signer.notAfter();
        }
        BasicOCSPRespBuilder builder = new BasicOCSPRespBuilder(signer.responderId());
        Date thisUpdate = Date.from(now);
        Date nextUpdate = Date.from(next);
        for (Single s : singles) {
            builder.addResponse(new CertificateID(s.certId()), s.status().asn1(), thisUpdate, nextUpdate, null);
        }
        if (nonce != null) {
            builder.setResponseExtensions(new Extensions(nonce));
        }
        try {
            BasicOCSPResp basic = builder.build(new TokenContentSigner(token, signer.key(), signer.algorithm()),
                    signer.certs().toArray(NO_CERTS), thisUpdate);
            return new Signed(new OCSPRespBuilder().build(OCSPRespBuilder.SUCCESSFUL, basic).getEncoded(), now, next);
        } catch (OCSPException e) {
            // BouncyCastle wraps whatever the signer threw: a token that cannot sign is tryLater, not a bug.
            for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
                if (t instanceof dev.hallmark.hsm.TokenException te) {
                    throw te;
                }
            }
            throw new IllegalStateException("cannot build an OCSP response", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An unsigned response carrying only an error status (RFC 6960 4.2.1). */
    static byte[] error(int status) {
        try {
            return new OCSPRespBuilder().build(status, null).getEncoded();
        } catch (OCSPException | IOException e) {
            throw new IllegalStateException("cannot encode OCSP status " + status, e);
        }
    }

    /** The OCSPResponseStatus name, for metrics and logs. */
    static String statusName(int status) {
        return switch (status) {
            case OCSPResp.SUCCESSFUL -> "successful";
            case OCSPResp.MALFORMED_REQUEST -> "malformedRequest";
            case OCSPResp.INTERNAL_ERROR -> "internalError";
            case OCSPResp.TRY_LATER -> "tryLater";
            case OCSPResp.SIG_REQUIRED -> "sigRequired";
            case OCSPResp.UNAUTHORIZED -> "unauthorized";
            default -> "status" + status;
        };
    }
}
