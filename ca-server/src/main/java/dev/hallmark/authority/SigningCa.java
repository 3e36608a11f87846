package dev.hallmark.authority;

import dev.hallmark.hsm.KeyRef;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.X509CertificateHolder;

/**
 * A CA ready to sign: its stored record, parsed certificate, key reference and chain.
 *
 * @param record      as stored
 * @param certificate its certificate
 * @param key         its key in the token
 * @param chain       its certificate followed by its ancestors' up to and including the root
 */
public record SigningCa(CaRecord record, X509CertificateHolder certificate, KeyRef key, List<X509CertificateHolder> chain) {
    public SigningCa {
        chain = List.copyOf(chain);
    }

    public String name() {
        return record.name();
    }

    /** The keyIdentifier to put in the authorityKeyIdentifier of certificates it issues. */
    public byte[] keyIdentifier() {
        SubjectKeyIdentifier ski = SubjectKeyIdentifier.fromExtensions(certificate.getExtensions());
        if (ski != null) {
            return ski.getKeyIdentifier();
        }
        return KeyIdentifiers.of(certificate.getSubjectPublicKeyInfo());
    }

    /** This CA as the signer of a to-be-signed certificate. */
    public IssuerKey issuerKey() {
        return new IssuerKey(record.name(), key, record.signatureAlgorithm(), certificate, chainDer());
    }

    /** DER of every certificate in {@link #chain()}. */
    public List<byte[]> chainDer() {
        return chain.stream().map(c -> {
            try {
                return c.getEncoded();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).toList();
    }

    /** True when the certificate carries an extension (used by tests and the linter context). */
    public boolean has(org.bouncycastle.asn1.ASN1ObjectIdentifier oid) {
        Extension e = certificate.getExtension(oid);
        return e != null;
    }
}
