package dev.hallmark.hsm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hallmark.hsm.testing.FaultyToken;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.bouncycastle.asn1.ASN1Sequence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** What every {@link CryptoToken} promises, checked on the soft file token and on SoftHSM2 through SunPKCS11. */
class TokenContractTest {
    private static final byte[] DATA = "to be signed".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path scratch;

    private final List<CryptoToken> opened = new ArrayList<>();

    @AfterEach
    void closeTokens() {
        opened.forEach(CryptoToken::close);
    }

    private CryptoToken open(TokenKind.Fixture fixture) {
        CryptoToken token = fixture.open();
        opened.add(token);
        return token;
    }

    static Stream<Arguments> everyKindAndKeyType() {
        return Arrays.stream(TokenKind.values())
                .flatMap(kind -> Arrays.stream(KeyType.values()).map(type -> Arguments.of(kind, type)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyKindAndKeyType")
    void generatesSupportedKeyTypesAndSignsWithEveryFittingAlgorithm(TokenKind kind, KeyType type) throws Exception {
        TokenKind.Fixture fixture = kind.fixture(scratch);
        CryptoToken token = open(fixture);
        if (!fixture.supported.contains(type)) {
            assertThatThrownBy(() -> token.generateKey("k", type)).isInstanceOfSatisfying(TokenException.class,
                    e -> assertThat(e.reason()).isEqualTo(TokenException.Reason.UNSUPPORTED));
            assertThat(token.find("k")).isEmpty();
            return;
        }
        KeyRef key = token.generateKey("k", type);
        assertThat(key).isEqualTo(new KeyRef(token.name(), "k", type));
        assertThat(token.find("k")).contains(key);
        assertThat(PlaceholderCertificate.keyType(token.publicKey(key))).contains(type);
        for (SignatureAlgorithm algorithm : SignatureAlgorithm.values()) {
            if (algorithm.supports(type)) {
                byte[] signature = token.sign(key, algorithm, DATA);
                assertThat(VerifyingToken.verify(token.publicKey(key), algorithm, DATA, signature))
                        .as("%s signature verifies", algorithm).isTrue();
                if (type.isEc()) {
                    assertThat(ASN1Sequence.getInstance(signature).size()).as("ECDSA is DER").isEqualTo(2);
                }
            } else {
                assertThatThrownBy(() -> token.sign(key, algorithm, DATA)).isInstanceOfSatisfying(
                        TokenException.class, e -> assertThat(e.reason()).isEqualTo(TokenException.Reason.UNSUPPORTED));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TokenKind.class)
    void rsaPssAndPkcs1VerifyWithTheJdk(TokenKind kind) throws Exception {
        CryptoToken token = open(kind.fixture(scratch));
        KeyRef key = token.generateKey("rsa", KeyType.RSA_2048);
        Signature pss = Signature.getInstance("RSASSA-PSS");
        pss.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1",
                java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
        pss.initVerify(token.publicKey(key));
        pss.update(DATA);
        assertThat(pss.verify(token.sign(key, SignatureAlgorithm.RSA_PSS_SHA256, DATA))).isTrue();
        Signature pkcs1 = Signature.getInstance("SHA256withRSA");
        pkcs1.initVerify(token.publicKey(key));
        pkcs1.update(DATA);
        assertThat(pkcs1.verify(token.sign(key, SignatureAlgorithm.RSA_PKCS1_SHA256, DATA))).isTrue();
    }

    @ParameterizedTest
    @EnumSource(TokenKind.class)
    void keysSurviveReopening(TokenKind kind) {
        TokenKind.Fixture fixture = kind.fixture(scratch);
        CryptoToken first = fixture.open();
        KeyRef ec = first.generateKey("ca-ec", KeyType.EC_P384);
        KeyRef rsa = first.generateKey("ca-rsa", KeyType.RSA_2048);
        var ecPublic = first.publicKey(ec);
        first.close();

        CryptoToken second = open(fixture);
        assertThat(second.keys()).extracting(KeyRef::alias, KeyRef::type)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("ca-ec", KeyType.EC_P384),
                        org.assertj.core.groups.Tuple.tuple("ca-rsa", KeyType.RSA_2048));
        KeyRef ecAgain = second.find("ca-ec").orElseThrow();
        assertThat(second.publicKey(ecAgain)).isEqualTo(ecPublic);
        byte[] signature = second.sign(ecAgain, SignatureAlgorithm.ECDSA_SHA384, DATA);
        assertThat(VerifyingToken.verify(ecPublic, SignatureAlgorithm.ECDSA_SHA384, DATA, signature)).isTrue();
        assertThat(second.sign(second.find("ca-rsa").orElseThrow(), SignatureAlgorithm.RSA_PKCS1_SHA256, DATA))
                .isNotEmpty();
        assertThat(rsa.alias()).isEqualTo("ca-rsa");
    }

    @ParameterizedTest
    @EnumSource(TokenKind.class)
    void refusesAnExistingAliasEvenAfterReopening(TokenKind kind) {
        TokenKind.Fixture fixture = kind.fixture(scratch);
        CryptoToken token = open(fixture);
        token.generateKey("ca", KeyType.EC_P256);
        assertThatThrownBy(() -> token.generateKey("ca", KeyType.RSA_2048)).isInstanceOfSatisfying(
                TokenException.class, e -> assertThat(e.reason()).isEqualTo(TokenException.Reason.KEY_EXISTS));
        CryptoToken reopened = open(fixture);
        assertThatThrownBy(() -> reopened.generateKey("ca", KeyType.EC_P256)).isInstanceOfSatisfying(
                TokenException.class, e -> assertThat(e.reason()).isEqualTo(TokenException.Reason.KEY_EXISTS));
        assertThat(reopened.find("ca").orElseThrow().type()).isEqualTo(KeyType.EC_P256);
    }

    @ParameterizedTest
    @EnumSource(TokenKind.class)
    void unknownKeysAreKeyNotFound(TokenKind kind) {
        CryptoToken token = open(kind.fixture(scratch));
        token.generateKey("present", KeyType.EC_P256);
        KeyRef missing = new KeyRef(token.name(), "missing", KeyType.EC_P256);
        KeyRef wrongType = new KeyRef(token.name(), "present", KeyType.EC_P384);
        assertThat(token.find("missing")).isEmpty();
        for (KeyRef ref : List.of(missing, wrongType)) {
            assertThatThrownBy(() -> token.sign(ref, SignatureAlgorithm.ECDSA_SHA256, DATA)).isInstanceOfSatisfying(
                    TokenException.class, e -> assertThat(e.reason()).isEqualTo(TokenException.Reason.KEY_NOT_FOUND));
            assertThatThrownBy(() -> token.publicKey(ref)).isInstanceOfSatisfying(TokenException.class,
                    e -> assertThat(e.reason()).isEqualTo(TokenException.Reason.KEY_NOT_FOUND));
        }
    }

    @ParameterizedTest
    @EnumSource(TokenKind.class)
    void wrongSecretIsBadConfigWithoutTheSecret(TokenKind kind) {
        TokenKind.Fixture fixture = kind.fixture(scratch);
        String wrong = "wrong-" + fixture.secret.substring(0, 4) + "x9";
        assertThatThrownBy(() -> fixture.openWithSecret(wrong)).isInstanceOfSatisfying(TokenException.class, e -> {
            assertThat(e.reason()).isEqualTo(TokenException.Reason.BAD_CONFIG);
            for (Throwable t = e; t != null; t = t.getCause()) {
                assertThat(String.valueOf(t.getMessage())).doesNotContain(wrong).doesNotContain(fixture.secret);
            }
        });
        // One refused login does not lock the token out.
        CryptoToken token = open(fixture);
        assertThat(token.isAvailable()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(TokenKind.class)
    void signsConcurrentlyFromEightThreads(TokenKind kind) throws Exception {
        CryptoToken token = open(kind.fixture(scratch));
        KeyRef ec = token.generateKey("ec", KeyType.EC_P256);
        KeyRef rsa = token.generateKey("rsa", KeyType.RSA_2048);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Boolean>> jobs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                jobs.add(() -> {
                    for (int i = 0; i < 40; i++) {
                        byte[] data = ("thread " + thread + " message " + i).getBytes(StandardCharsets.UTF_8);
                        KeyRef key = i % 4 == 0 ? rsa : ec;
                        SignatureAlgorithm algorithm = key.type().defaultSignatureAlgorithm();
                        if (!VerifyingToken.verify(token.publicKey(key), algorithm, data,
                                token.sign(key, algorithm, data))) {
                            return false;
                        }
                    }
                    return true;
                });
            }
            for (Future<Boolean> result : pool.invokeAll(jobs)) {
                assertThat(result.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(TokenKind.class)
    void verifyingTokenDiscardsACorruptedSignature(TokenKind kind) {
        FaultyToken faulty = new FaultyToken(open(kind.fixture(scratch)));
        VerifyingToken verifying = new VerifyingToken(faulty);
        KeyRef key = verifying.generateKey("ca", KeyType.EC_P256);
        faulty.corruptNextSignature();
        assertThatThrownBy(() -> verifying.sign(key, SignatureAlgorithm.ECDSA_SHA256, DATA)).isInstanceOfSatisfying(
                TokenException.class, e -> assertThat(e.reason()).isEqualTo(TokenException.Reason.SIGNATURE_FAULT));
        assertThat(verifying.sign(key, SignatureAlgorithm.ECDSA_SHA256, DATA)).isNotEmpty();
    }

    @ParameterizedTest
    @EnumSource(TokenKind.class)
    void closedTokenIsUnavailable(TokenKind kind) {
        CryptoToken token = kind.fixture(scratch).open();
        KeyRef key = token.generateKey("ca", KeyType.EC_P256);
        assertThat(token.isAvailable()).isTrue();
        token.close();
        assertThat(token.isAvailable()).isFalse();
        assertThatThrownBy(() -> token.sign(key, SignatureAlgorithm.ECDSA_SHA256, DATA)).isInstanceOfSatisfying(
                TokenException.class, e -> assertThat(e.reason()).isEqualTo(TokenException.Reason.UNAVAILABLE));
    }
}
