package dev.hallmark.authority;

import dev.hallmark.hsm.KeyRef;
import dev.hallmark.hsm.SignatureAlgorithm;
import java.util.List;
import org.bouncycastle.cert.X509CertificateHolder;

/**
 * Who signs a to-be-signed certificate.
 *
 * @param name        the issuing CA's name (the serial namespace)
 * @param key         its key in the token
 * @param algorithm   the signature algorithm
 * @param certificate its certificate, or null while a root signs its own certificate
 * @param chain       DER of its certificate and ancestors, empty for a root signing itself
 */
public record IssuerKey(String name, KeyRef key, SignatureAlgorithm algorithm, X509CertificateHolder certificate,
                        List<byte[]> chain) {
    public IssuerKey {
        chain = List.copyOf(chain);
    }
}
