package dev.hallmark.hsm;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.operator.ContentSigner;

/**
 * A BouncyCastle {@link ContentSigner} whose key stays in a {@link CryptoToken}: the builders that use it
 * (CRL, OCSP, CMS) hand it the bytes to sign and never see the key. Single use; not thread-safe, like every
 * {@code ContentSigner}.
 */
public final class TokenContentSigner implements ContentSigner {
    private final CryptoToken token;
    private final KeyRef key;
    private final SignatureAlgorithm algorithm;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(1024);

    public TokenContentSigner(CryptoToken token, KeyRef key, SignatureAlgorithm algorithm) {
        this.token = token;
        this.key = key;
        this.algorithm = algorithm;
    }

    @Override
    public AlgorithmIdentifier getAlgorithmIdentifier() {
        return algorithm.algorithmIdentifier();
    }

    @Override
    public OutputStream getOutputStream() {
        return buffer;
    }

    /** Signs what was written; raises {@link TokenException} rather than returning a bad signature. */
    @Override
    public byte[] getSignature() {
        return token.sign(key, algorithm, buffer.toByteArray());
    }
}
