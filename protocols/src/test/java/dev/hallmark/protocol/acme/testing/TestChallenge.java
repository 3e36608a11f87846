package dev.hallmark.protocol.acme.testing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A challenge token and its key authorization (RFC 8555 §8.1), with random values standing in for the account
 * key thumbprint, plus the answers each challenge type expects.
 *
 * @param token            base64url, 256 bits
 * @param keyAuthorization {@code token + "." + thumbprint}
 */
public record TestChallenge(String token, String keyAuthorization) {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A fresh token and key authorization. */
    public static TestChallenge random() {
        String token = base64url(bytes(32));
        return new TestChallenge(token, token + "." + base64url(bytes(32)));
    }

    /** The same token with another account's thumbprint (a "wrong thumbprint" response). */
    public TestChallenge otherAccount() {
        return new TestChallenge(token, token + "." + base64url(bytes(32)));
    }

    /** The dns-01 TXT value: {@code base64url(SHA-256(keyAuthorization))} (RFC 8555 §8.4). */
    public String dnsTxt() {
        try {
            return base64url(MessageDigest.getInstance("SHA-256")
                    .digest(keyAuthorization.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private static String base64url(byte[] b) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
