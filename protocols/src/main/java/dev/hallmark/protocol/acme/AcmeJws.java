package dev.hallmark.protocol.acme;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.security.Security;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.jose4j.jca.ProviderContext;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.EllipticCurveJsonWebKey;
import org.jose4j.jwk.OctetKeyPairJsonWebKey;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.lang.JoseException;

/**
 * One flattened JWS (RFC 7515 §7.2.2) as ACME sends it (RFC 8555 §6.2), parsed and checked before anything acts on
 * it: exactly {@code protected}, {@code payload} and {@code signature}; no unprotected header; no general
 * serialisation; {@code alg} from {@link #ALGORITHMS} only ({@code none} and MACs are {@code badSignatureAlgorithm},
 * so a public key is never used as an HMAC secret); no {@code crit} or {@code b64}; exactly one of {@code jwk} and
 * {@code kid}. Signatures are verified with jose4j with the algorithm pinned to the header's (checked against the
 * key's type first).
 *
 * @param protectedB64 the protected header as sent
 * @param payloadB64   the payload as sent ({@code ""} for POST-as-GET)
 * @param signatureB64 the signature as sent
 * @param header       the decoded protected header
 * @param alg          its {@code alg}
 * @param nonce        its {@code nonce}, or null
 * @param url          its {@code url}, or null
 * @param jwk          its {@code jwk}, or null
 * @param kid          its {@code kid}, or null
 * @param payload      the decoded payload (empty for POST-as-GET)
 */
public record AcmeJws(String protectedB64, String payloadB64, String signatureB64, ObjectNode header, String alg,
                      String nonce, String url, JsonNode jwk, String kid, byte[] payload) {
    /** The signature algorithms accepted (RFC 8555 §6.2; EdDSA: RFC 8037). */
    public static final List<String> ALGORITHMS = List.of("ES256", "ES384", "RS256", "PS256", "EdDSA");
    /** The smallest and largest RSA account keys accepted (larger keys would let a client spend our CPU). */
    static final int RSA_MIN_BITS = 2048;
    static final int RSA_MAX_BITS = 8192;
    private static final Pattern B64URL = Pattern.compile("[A-Za-z0-9_-]*");
    private static final Set<String> JWS_MEMBERS = Set.of("protected", "payload", "signature");
    /**
     * ECDSA verification through BouncyCastle: the JDK 17 SunEC P-256 verify was a third of the server's CPU per
     * certificate (bench/acme-load, JFR); BC's is several times faster. BC is registered by name (jose4j takes
     * provider names), appended last so that nothing else changes which provider it gets by default.
     */
    private static final ProviderContext EC_VERIFY = ecVerify();

    private static ProviderContext ecVerify() {
        if (Security.getProvider(BouncyCastleProvider.PROVIDER_NAME) == null) {
            Security.addProvider(new BouncyCastleProvider());
        }
        ProviderContext pc = new ProviderContext();
        pc.getSuppliedKeyProviderContext().setSignatureProvider(BouncyCastleProvider.PROVIDER_NAME);
        pc.getGeneralProviderContext().setSignatureProvider(BouncyCastleProvider.PROVIDER_NAME);
        return pc;
    }

    /**
     * Parses a request body.
     *
     * @throws AcmeProblem {@code malformed} or {@code badSignatureAlgorithm}
     */
    public static AcmeJws parse(byte[] body) {
        ObjectNode jws = AcmeJson.object(body, "the JWS");
        if (jws.has("signatures")) {
            throw AcmeProblem.malformed("the JWS uses the general serialisation; ACME takes one flattened JWS with one "
                    + "signature (RFC 8555 §6.2)");
        }
        if (jws.has("header")) {
            throw AcmeProblem.malformed("the JWS has an unprotected header; every header parameter must be protected "
                    + "(RFC 8555 §6.2)");
        }
        for (var names = jws.fieldNames(); names.hasNext(); ) {
            String n = names.next();
            if (!JWS_MEMBERS.contains(n)) {
                throw AcmeProblem.malformed("the JWS has an unexpected member '" + n + "'");
            }
        }
        String protectedB64 = AcmeJson.requiredText(jws, "protected", "the JWS");
        String payloadB64 = AcmeJson.requiredText(jws, "payload", "the JWS");
        String signatureB64 = AcmeJson.requiredText(jws, "signature", "the JWS");
        ObjectNode header = AcmeJson.object(decode(protectedB64, "protected header"), "the protected header");
        String alg = AcmeJson.requiredText(header, "alg", "the protected header");
        if (!ALGORITHMS.contains(alg)) {
            throw AcmeProblem.badSignatureAlgorithm("alg '" + alg + "' is not accepted; use one of " + ALGORITHMS,
                    ALGORITHMS);
        }
        if (header.has("crit") || header.has("b64")) {
            throw AcmeProblem.malformed("the protected header has 'crit' or 'b64'; ACME JWS use neither");
        }
        JsonNode jwk = header.get("jwk");
        String kid = AcmeJson.text(header, "kid", "the protected header");
        if ((jwk == null) == (kid == null)) {
            throw AcmeProblem.malformed("the protected header must have exactly one of 'jwk' and 'kid' (RFC 8555 §6.2)");
        }
        if (jwk != null && !jwk.isObject()) {
            throw AcmeProblem.malformed("the protected header's 'jwk' must be a JSON object");
        }
        byte[] payload = decode(payloadB64, "payload");
        decode(signatureB64, "signature");
        return new AcmeJws(protectedB64, payloadB64, signatureB64, header, alg,
                AcmeJson.text(header, "nonce", "the protected header"), AcmeJson.text(header, "url", "the protected header"),
                jwk, kid, payload);
    }

    /** Whether the payload is empty: a POST-as-GET (RFC 8555 §6.3). */
    public boolean postAsGet() {
        return payloadB64.isEmpty();
    }

    /** The payload as a JSON object; {@code malformed} when empty or not an object. */
    public ObjectNode payloadObject() {
        if (payload.length == 0) {
            throw AcmeProblem.malformed("this request needs a JSON payload; an empty payload is a POST-as-GET");
        }
        return AcmeJson.object(payload, "the payload");
    }

    /**
     * The public key of the {@code jwk} header.
     *
     * @throws AcmeProblem {@code malformed} for an unusable JWK, {@code badPublicKey} for a private, small or
     *                     unsupported key, {@code badSignatureAlgorithm} when {@code alg} does not fit it
     */
    public PublicJsonWebKey embeddedKey() {
        return key(jwk, alg);
    }

    /** Parses {@code jwk} and checks it can verify {@code alg}. */
    static PublicJsonWebKey key(JsonNode jwk, String alg) {
        PublicJsonWebKey key = publicKey(jwk);
        checkFits(key, alg);
        return key;
    }

    /**
     * Parses {@code jwk} as a public key, without judging it as an account key ({@link #checkFits} does).
     *
     * @throws AcmeProblem {@code malformed} for an unusable JWK, {@code badPublicKey} for private key material
     */
    static PublicJsonWebKey publicKey(JsonNode jwk) {
        if (jwk.has("d") || jwk.has("p") || jwk.has("k")) {
            throw AcmeProblem.of("badPublicKey", 400, "the JWK holds private or symmetric key material; send the public key only");
        }
        PublicJsonWebKey key;
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> members = AcmeJson.MAPPER.convertValue(jwk, Map.class);
            key = PublicJsonWebKey.Factory.newPublicJwk(members);
        } catch (JoseException | IllegalArgumentException | ClassCastException e) {
            throw AcmeProblem.malformed("the JWK cannot be read: " + e.getMessage());
        }
        if (key == null) {
            throw AcmeProblem.malformed("the JWK cannot be read");
        }
        return key;
    }

    /**
     * Checks that {@code key} is an accepted account key that can verify {@code alg}.
     *
     * @throws AcmeProblem {@code badPublicKey} or {@code badSignatureAlgorithm}
     */
    static void checkFits(PublicJsonWebKey key, String alg) {
        String fits = fits(key);
        if (fits == null) {
            throw AcmeProblem.of("badPublicKey", 400, "unsupported JWK key type '" + key.getKeyType() + "'");
        }
        if (!fits.contains("|" + alg + "|")) {
            throw AcmeProblem.badSignatureAlgorithm("alg '" + alg + "' does not fit a " + describe(key) + " key",
                    ALGORITHMS);
        }
    }

    private static String fits(PublicJsonWebKey key) {
        if (key instanceof RsaJsonWebKey rsa) {
            int bits = ((RSAPublicKey) rsa.getPublicKey()).getModulus().bitLength();
            if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS) {
                throw AcmeProblem.of("badPublicKey", 400, "RSA account keys need " + RSA_MIN_BITS + " to " + RSA_MAX_BITS
                        + " bits; this one has " + bits);
            }
            return "|RS256|PS256|";
        }
        if (key instanceof EllipticCurveJsonWebKey ec) {
            String curve = ec.getCurveName();
            if (!(key.getPublicKey() instanceof ECPublicKey)) {
                return null;
            }
            return switch (curve == null ? "" : curve) {
                case "P-256" -> "|ES256|";
                case "P-384" -> "|ES384|";
                default -> throw AcmeProblem.of("badPublicKey", 400, "EC account keys must be on P-256 or P-384, not "
                        + curve);
            };
        }
        if (key instanceof OctetKeyPairJsonWebKey okp) {
            if (!"Ed25519".equals(okp.getSubtype())) {
                throw AcmeProblem.of("badPublicKey", 400, "OKP account keys must be Ed25519, not " + okp.getSubtype());
            }
            return "|EdDSA|";
        }
        return null;
    }

    private static String describe(PublicJsonWebKey key) {
        if (key instanceof EllipticCurveJsonWebKey ec) {
            return "EC " + ec.getCurveName();
        }
        return key.getKeyType();
    }

    /**
     * Verifies the signature with {@code key}.
     *
     * @throws AcmeProblem {@code malformed} when it does not verify (RFC 8555 §6.2 names no narrower type)
     */
    public void verify(PublicJsonWebKey key) {
        verify(key.getPublicKey());
    }

    /**
     * Verifies the signature with {@code key} (the JWK's public key, or its {@link #verificationKey} form).
     *
     * @throws AcmeProblem {@code malformed} when it does not verify
     */
    public void verify(PublicKey key) {
        boolean ok;
        try {
            JsonWebSignature jws = new JsonWebSignature();
            jws.setAlgorithmConstraints(new AlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, alg));
            jws.setCompactSerialization(protectedB64 + "." + payloadB64 + "." + signatureB64);
            jws.setKey(key);
            if (alg.startsWith("ES")) {
                jws.setProviderContext(EC_VERIFY);
            }
            ok = jws.verifySignature();
        } catch (JoseException e) {
            ok = false;
        }
        if (!ok) {
            throw AcmeProblem.malformed("the JWS signature does not verify with the account key");
        }
    }

    /**
     * The public key in the form verification is cheapest with, for a key verified many times (an account's): EC keys
     * as BouncyCastle keys, whose point keeps BouncyCastle's validity check and multiplication tables between
     * verifications (a JDK key is converted, and its point validated, on every one); other keys as they are.
     */
    static PublicKey verificationKey(PublicJsonWebKey key) {
        if (!(key.getPublicKey() instanceof ECPublicKey ec)) {
            return key.getPublicKey();
        }
        try {
            return (PublicKey) KeyFactory.getInstance("EC", BouncyCastleProvider.PROVIDER_NAME).translateKey(ec);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("BouncyCastle cannot take an EC public key", e);
        }
    }

    /** The RFC 7638 SHA-256 thumbprint, base64url. */
    public static String thumbprint(PublicJsonWebKey key) {
        return key.calculateBase64urlEncodedThumbprint("SHA-256");
    }

    /** The public JWK as JSON text (what is stored for the account). */
    public static String publicJson(PublicJsonWebKey key) {
        return key.toJson(org.jose4j.jwk.JsonWebKey.OutputControlLevel.PUBLIC_ONLY);
    }

    private static byte[] decode(String b64, String what) {
        if (!B64URL.matcher(b64).matches() || b64.length() % 4 == 1) {
            throw AcmeProblem.malformed("the JWS " + what + " is not base64url without padding");
        }
        try {
            return Base64.getUrlDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw AcmeProblem.malformed("the JWS " + what + " is not base64url");
        }
    }
}
