package dev.hallmark.ocsp;

import dev.hallmark.hsm.KeyRef;
import dev.hallmark.hsm.SignatureAlgorithm;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.RespID;

/**
 * What signs one CA's OCSP responses: a delegated responder key with its certificate (included in every response,
 * RFC 6960 4.2.2.2), or the CA's own key (no certificate included).
 *
 * @param ca          the CA the responses are about
 * @param key         the signing key in the token
 * @param algorithm   how it signs
 * @param certs       the certificates to include in responses
 * @param responderId byKey (RFC 5019 2.2.3)
 * @param notAfter    when the signer's certificate expires: no response may outlive it
 * @param serial      the responder certificate's serial (hex), or null when the CA key signs
 */
record ResponderKey(String ca, KeyRef key, SignatureAlgorithm algorithm, List<X509CertificateHolder> certs,
                    RespID responderId, Instant notAfter, String serial) {
    ResponderKey {
        certs = List.copyOf(certs);
    }

    /** True when a delegated responder certificate signs. */
    boolean delegated() {
        return serial != null;
    }
}
