package dev.hallmark.authority.lint;

import dev.hallmark.hsm.SignatureAlgorithm;
import java.io.IOException;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * Version, serial number, signature algorithm and issuer name (RFC 5280 4.1.2.1-4.1.2.4, BR 7.1).
 */
final class CoreFieldRules implements LintRule {
    static final String VERSION = "e_version_not_v3";
    static final String SERIAL_NOT_POSITIVE = "e_serial_not_positive";
    static final String SERIAL_TOO_LONG = "e_serial_too_long";
    static final String SERIAL_LOW_ENTROPY = "e_serial_low_entropy";
    static final String SIG_ALG_NOT_ALLOWED = "e_signature_algorithm_not_allowed";
    static final String SIG_ALG_PARAMETERS = "e_signature_algorithm_parameters";
    static final String SIG_ALG_KEY_MISMATCH = "e_signature_algorithm_key_mismatch";
    static final String ISSUER_NAME = "e_issuer_dn_mismatch";

    /**
     * Hallmark serials come from {@code SerialNumber.random}: 127 random bits, redrawn until at least 2^63, so
     * every serial encodes in 9..17 octets and carries at least 64 bits of CSPRNG output. Anything smaller
     * (the 63-bit incident) is refused.
     */
    static final BigInteger SERIAL_FLOOR = BigInteger.ONE.shiftLeft(63);
    private static final int SERIAL_MAX_OCTETS = 20;
    private static final Map<ASN1ObjectIdentifier, String> KEY_FAMILY = Map.of(
            X9ObjectIdentifiers.id_ecPublicKey, "EC",
            PKCSObjectIdentifiers.rsaEncryption, "RSA",
            EdECObjectIdentifiers.id_Ed25519, "Ed25519",
            NISTObjectIdentifiers.id_ml_dsa_65, "ML-DSA");

    @Override
    public List<String> ids() {
        return List.of(VERSION, SERIAL_NOT_POSITIVE, SERIAL_TOO_LONG, SERIAL_LOW_ENTROPY, SIG_ALG_NOT_ALLOWED,
                SIG_ALG_PARAMETERS, SIG_ALG_KEY_MISMATCH, ISSUER_NAME);
    }

    @Override
    public void check(LintTarget c, List<Finding> out) {
        if (c.tbs.getVersionNumber() != 3) {
            out.add(new Finding(VERSION, "version is v" + c.tbs.getVersionNumber() + "; certificates must be v3"));
        }
        serial(c.tbs.getSerialNumber().getValue(), out);
        signatureAlgorithm(c, out);
        if (!Arrays.equals(der(c.tbs.getIssuer()), der(c.expectedIssuerName()))) {
            out.add(new Finding(ISSUER_NAME, c.ctx.selfSigned()
                    ? "a self-signed root's issuer must equal its subject byte for byte"
                    : "issuer name differs from the issuing CA's subject (byte for byte)"));
        }
    }

    private static void serial(BigInteger serial, List<Finding> out) {
        if (serial.signum() <= 0) {
            out.add(new Finding(SERIAL_NOT_POSITIVE, "serial number must be positive (RFC 5280 4.1.2.2)"));
            return;
        }
        if (serial.toByteArray().length > SERIAL_MAX_OCTETS) {
            out.add(new Finding(SERIAL_TOO_LONG, "serial number is longer than 20 octets (RFC 5280 4.1.2.2)"));
        }
        if (serial.compareTo(SERIAL_FLOOR) < 0) {
            out.add(new Finding(SERIAL_LOW_ENTROPY, "serial number is below 2^63, so it cannot carry 64 random bits (BR 7.1)"));
        }
    }

    private static void signatureAlgorithm(LintTarget c, List<Finding> out) {
        AlgorithmIdentifier actual = c.tbs.getSignature();
        Optional<SignatureAlgorithm> known = SignatureAlgorithm.fromOid(actual.getAlgorithm());
        if (known.isEmpty()) {
            out.add(new Finding(SIG_ALG_NOT_ALLOWED, "signature algorithm " + actual.getAlgorithm() + " is not allowed"));
            return;
        }
        if (!Arrays.equals(der(actual), der(known.get().algorithmIdentifier()))) {
            out.add(new Finding(SIG_ALG_PARAMETERS, "signature AlgorithmIdentifier for " + known.get()
                    + " has the wrong parameters (RFC 5758: ECDSA absent; RFC 4055: PKCS#1 NULL)"));
        }
        String family = KEY_FAMILY.get(c.issuerPublicKey().getAlgorithm().getAlgorithm());
        if (!known.get().keyFamily().equals(family)) {
            out.add(new Finding(SIG_ALG_KEY_MISMATCH, "signature algorithm " + known.get()
                    + " cannot be made by the issuer's key"));
        }
    }

    static byte[] der(org.bouncycastle.asn1.ASN1Encodable value) {
        try {
            return value.toASN1Primitive().getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            return new byte[0];
        }
    }
}
