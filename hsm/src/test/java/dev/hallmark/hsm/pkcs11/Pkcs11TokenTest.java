package dev.hallmark.hsm.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hallmark.hsm.KeyRef;
import dev.hallmark.hsm.KeyType;
import dev.hallmark.hsm.SignatureAlgorithm;
import dev.hallmark.hsm.TokenException;
import dev.hallmark.hsm.VerifyingToken;
import dev.hallmark.hsm.testing.SoftHsm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** SoftHSM2-specific behaviour of {@link Pkcs11Token}: key attributes, export refusal, logout recovery. */
class Pkcs11TokenTest {
    private static final byte[] DATA = "to be signed".getBytes(StandardCharsets.UTF_8);

    @BeforeEach
    void needSoftHsm() {
        SoftHsm.assumeAvailable();
    }

    @ParameterizedTest
    @EnumSource(value = KeyType.class, names = {"EC_P256", "RSA_2048"})
    void privateKeysAreSensitiveAndNeverExtractableInTheToken(KeyType type) {
        SoftHsm.Token softHsm = SoftHsm.newToken();
        try (Pkcs11Token token = softHsm.open()) {
            token.generateKey("ca", type);
        }
        String listing = SoftHsm.run(softHsm.conf(), List.of("pkcs11-tool", "--module", softHsm.library().toString(),
                "--login", "--pin", softHsm.pin(), "--token-label", softHsm.label(), "--list-objects"));
        List<Map<String, String>> objects = parseObjects(listing);
        List<Map<String, String>> privateKeys = objects.stream()
                .filter(o -> o.get("kind").startsWith("Private Key Object")).toList();
        assertThat(privateKeys).as("private keys in%n%s", listing).hasSize(1);
        Map<String, String> key = privateKeys.get(0);
        // SunPKCS11 stores the alias as the key's CKA_ID ("ca" = 0x6361) and as the certificate's label.
        assertThat(key.get("ID")).isEqualTo("6361");
        List<String> access = words(key.get("Access"));
        assertThat(access).as("Access of%n%s", listing).contains("sensitive", "always sensitive")
                .doesNotContain("extractable");
        assertThat(access.contains("never extractable") || access.contains("not extractable")).isTrue();
        assertThat(words(key.get("Usage"))).as("Usage of%n%s", listing).contains("sign")
                .doesNotContain("decrypt", "unwrap", "derive");
        // Generated public keys stay session objects: only the placeholder certificate is stored beside the key.
        assertThat(objects.stream().filter(o -> o.get("kind").startsWith("Public Key Object"))).isEmpty();
    }

    @Test
    void privateKeyCannotBeExportedThroughJava() throws Exception {
        try (Pkcs11Token token = SoftHsm.openToken()) {
            token.generateKey("ca", KeyType.EC_P256);
            KeyStore store = KeyStore.getInstance("PKCS11", token.provider());
            store.load(null, null);
            Key key = store.getKey("ca", null);
            assertThat(key).isInstanceOf(PrivateKey.class);
            assertThat(key.getEncoded()).isNull();
            KeyStore pkcs12 = KeyStore.getInstance("PKCS12");
            pkcs12.load(null, null);
            Certificate[] chain = store.getCertificateChain("ca");
            char[] password = "export".toCharArray();
            // Copying the key into a software key store must fail: SunPKCS11 gives no encoding (nor format) for it.
            assertThatThrownBy(() -> pkcs12.setKeyEntry("ca", key, password, chain))
                    .isInstanceOf(java.security.KeyStoreException.class);
            assertThat(pkcs12.size()).isZero();
            assertThatThrownBy(() -> java.security.KeyFactory.getInstance("EC")
                    .getKeySpec(key, java.security.spec.PKCS8EncodedKeySpec.class)).isInstanceOf(Exception.class);
        }
    }

    @Test
    void signingRecoversAfterTheProviderIsLoggedOut() throws Exception {
        try (Pkcs11Token token = SoftHsm.openToken()) {
            KeyRef key = token.generateKey("ca", KeyType.EC_P256);
            token.provider().logout();
            byte[] signature = signWithinTwoCalls(token, key);
            assertThat(VerifyingToken.verify(token.publicKey(key), SignatureAlgorithm.ECDSA_SHA256, DATA, signature))
                    .isTrue();
            assertThat(token.isAvailable()).isTrue();
        }
    }

    @Test
    void isAvailableNoticesALogoutAndReconnects() throws Exception {
        try (Pkcs11Token token = SoftHsm.openToken()) {
            KeyRef key = token.generateKey("ca", KeyType.RSA_2048);
            token.provider().logout();
            assertThat(token.isAvailable()).isTrue();
            assertThat(token.sign(key, SignatureAlgorithm.RSA_PSS_SHA256, DATA)).isNotEmpty();
        }
    }

    @Test
    void eightThreadsSigningThroughALogoutAllEndWithAValidSignature() throws Exception {
        try (Pkcs11Token token = SoftHsm.openToken()) {
            KeyRef key = token.generateKey("ca", KeyType.EC_P256);
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
            try {
                java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
                List<java.util.concurrent.Future<byte[]>> results = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    results.add(pool.submit(() -> {
                        start.await();
                        byte[] last = null;
                        for (int i = 0; i < 20; i++) {
                            last = signWithinTwoCalls(token, key);
                        }
                        return last;
                    }));
                }
                token.provider().logout();
                start.countDown();
                for (java.util.concurrent.Future<byte[]> result : results) {
                    assertThat(VerifyingToken.verify(token.publicKey(key), SignatureAlgorithm.ECDSA_SHA256, DATA,
                            result.get())).isTrue();
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void aSecondTokenObjectSurvivesTheFirstLoggingOut() throws Exception {
        SoftHsm.Token softHsm = SoftHsm.newToken();
        try (Pkcs11Token first = softHsm.open(); Pkcs11Token second = softHsm.open()) {
            KeyRef key = first.generateKey("ca", KeyType.EC_P384);
            KeyRef seen = second.find("ca").orElseThrow();
            first.provider().logout();
            assertThat(signWithinTwoCalls(second, seen)).isNotEmpty();
            assertThat(signWithinTwoCalls(first, key)).isNotEmpty();
        }
    }

    @Test
    void unknownLabelIsBadConfig() {
        SoftHsm.Token softHsm = SoftHsm.newToken();
        assertThatThrownBy(() -> Pkcs11Token.open(new Pkcs11Settings("x", softHsm.library(), "no-such-label",
                softHsm.pin().toCharArray()))).isInstanceOfSatisfying(TokenException.class,
                        e -> assertThat(e.reason()).isEqualTo(TokenException.Reason.BAD_CONFIG));
    }

    @Test
    void missingLibraryIsBadConfig() {
        assertThatThrownBy(() -> Pkcs11Token.open(new Pkcs11Settings("x", Path.of("/nonexistent/libp11.so"),
                "label", "1234".toCharArray()))).isInstanceOfSatisfying(TokenException.class,
                        e -> assertThat(e.reason()).isEqualTo(TokenException.Reason.BAD_CONFIG));
    }

    @Test
    void readsThePinFromAFile() {
        SoftHsm.Token softHsm = SoftHsm.newToken();
        Pkcs11Settings settings = Pkcs11Settings.withPinFrom("file-pin", softHsm.library(), softHsm.label(),
                softHsm.pinFile(), null);
        assertThat(settings.toString()).doesNotContain(softHsm.pin()).contains("***");
        try (Pkcs11Token token = Pkcs11Token.open(settings)) {
            assertThat(token.name()).isEqualTo("pkcs11:file-pin");
            assertThat(token.tokenLabel()).isEqualTo(softHsm.label());
            assertThat(token.keys()).isEmpty();
        }
    }

    @Test
    void badSettingsAreBadConfig() {
        assertThatThrownBy(() -> new Pkcs11Settings("has space", SoftHsm.LIBRARY, "l", "1".toCharArray()))
                .isInstanceOfSatisfying(TokenException.class,
                        e -> assertThat(e.reason()).isEqualTo(TokenException.Reason.BAD_CONFIG));
        assertThatThrownBy(() -> new Pkcs11Settings("n", SoftHsm.LIBRARY, "l", new char[0]))
                .isInstanceOfSatisfying(TokenException.class,
                        e -> assertThat(e.reason()).isEqualTo(TokenException.Reason.BAD_CONFIG));
    }

    private static byte[] signWithinTwoCalls(Pkcs11Token token, KeyRef key) {
        try {
            return token.sign(key, key.type().defaultSignatureAlgorithm(), DATA);
        } catch (TokenException e) {
            assertThat(e.reason()).isEqualTo(TokenException.Reason.UNAVAILABLE);
            return token.sign(key, key.type().defaultSignatureAlgorithm(), DATA);
        }
    }

    /**
     * Splits {@code pkcs11-tool --list-objects} output into objects: a line without leading blanks starts one
     * ({@code kind}); indented {@code name: value} lines are its fields.
     */
    static List<Map<String, String>> parseObjects(String listing) {
        List<Map<String, String>> objects = new ArrayList<>();
        Map<String, String> current = null;
        for (String line : listing.split("\\R")) {
            if (line.isBlank()) {
                continue;
            }
            if (!Character.isWhitespace(line.charAt(0))) {
                if (line.contains("Object")) {
                    current = new LinkedHashMap<>();
                    current.put("kind", line.trim());
                    objects.add(current);
                } else {
                    current = null;
                }
                continue;
            }
            int colon = line.indexOf(':');
            if (current != null && colon > 0) {
                current.putIfAbsent(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
            }
        }
        return objects;
    }

    private static List<String> words(String commaSeparated) {
        List<String> words = new ArrayList<>();
        if (commaSeparated != null) {
            for (String w : commaSeparated.split(",")) {
                words.add(w.trim().toLowerCase(Locale.ROOT));
            }
        }
        return words;
    }
}
