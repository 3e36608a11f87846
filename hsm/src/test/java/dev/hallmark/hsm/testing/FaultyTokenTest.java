package dev.hallmark.hsm.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hallmark.hsm.KeyRef;
import dev.hallmark.hsm.KeyType;
import dev.hallmark.hsm.SignatureAlgorithm;
import dev.hallmark.hsm.SoftToken;
import dev.hallmark.hsm.TokenException;
import dev.hallmark.hsm.VerifyingToken;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FaultyTokenTest {
    private static final byte[] DATA = "data".getBytes(StandardCharsets.UTF_8);

    @Test
    void failsAfterTheGivenNumberOfSignsUntilItComesBack() {
        FaultyToken token = new FaultyToken(SoftToken.inMemory());
        KeyRef key = token.generateKey("ca", KeyType.EC_P256);
        token.failAfterSigns(2);
        token.sign(key, SignatureAlgorithm.ECDSA_SHA256, DATA);
        token.sign(key, SignatureAlgorithm.ECDSA_SHA256, DATA);
        assertThatThrownBy(() -> token.sign(key, SignatureAlgorithm.ECDSA_SHA256, DATA)).isInstanceOfSatisfying(
                TokenException.class, e -> assertThat(e.reason()).isEqualTo(TokenException.Reason.UNAVAILABLE));
        token.comeBack();
        assertThat(token.sign(key, SignatureAlgorithm.ECDSA_SHA256, DATA)).isNotEmpty();
    }

    @Test
    void unavailableSwitchStopsEveryCall() {
        FaultyToken token = new FaultyToken(SoftToken.inMemory());
        KeyRef key = token.generateKey("ca", KeyType.EC_P256);
        token.goUnavailable();
        assertThat(token.isAvailable()).isFalse();
        assertThatThrownBy(() -> token.sign(key, SignatureAlgorithm.ECDSA_SHA256, DATA)).isInstanceOfSatisfying(
                TokenException.class, e -> assertThat(e.reason()).isEqualTo(TokenException.Reason.UNAVAILABLE));
        assertThatThrownBy(token::keys).isInstanceOf(TokenException.class);
        token.comeBack();
        assertThat(token.isAvailable()).isTrue();
    }

    @Test
    void corruptsOnlyTheNextSignature() {
        FaultyToken token = new FaultyToken(SoftToken.inMemory());
        KeyRef key = token.generateKey("ca", KeyType.ED25519);
        token.corruptNextSignature();
        byte[] bad = token.sign(key, SignatureAlgorithm.ED25519, DATA);
        byte[] good = token.sign(key, SignatureAlgorithm.ED25519, DATA);
        assertThat(VerifyingToken.verify(token.publicKey(key), SignatureAlgorithm.ED25519, DATA, bad)).isFalse();
        assertThat(VerifyingToken.verify(token.publicKey(key), SignatureAlgorithm.ED25519, DATA, good)).isTrue();
    }

    @Test
    void countingTokenCountsCallsAndSuccessesPerKey() {
        FaultyToken faulty = new FaultyToken(SoftToken.inMemory());
        CountingToken counting = new CountingToken(faulty);
        KeyRef a = counting.generateKey("a", KeyType.EC_P256);
        KeyRef b = counting.generateKey("b", KeyType.EC_P256);
        counting.sign(a, SignatureAlgorithm.ECDSA_SHA256, DATA);
        counting.sign(a, SignatureAlgorithm.ECDSA_SHA256, DATA);
        counting.sign(b, SignatureAlgorithm.ECDSA_SHA256, DATA);
        faulty.goUnavailable();
        assertThatThrownBy(() -> counting.sign(b, SignatureAlgorithm.ECDSA_SHA256, DATA))
                .isInstanceOf(TokenException.class);
        assertThat(counting.signs(a)).isEqualTo(2);
        assertThat(counting.signs("b")).isEqualTo(2);
        assertThat(counting.successes("b")).isEqualTo(1);
        assertThat(counting.totalSigns()).isEqualTo(4);
        assertThat(counting.signsByAlias()).containsEntry("a", 2L).containsEntry("b", 2L);
        counting.reset();
        assertThat(counting.totalSigns()).isZero();
    }

    @Test
    void slowSignStillSigns() {
        FaultyToken token = new FaultyToken(SoftToken.inMemory()).slowSign(java.time.Duration.ofMillis(5));
        KeyRef key = token.generateKey("ca", KeyType.EC_P256);
        assertThat(token.sign(key, SignatureAlgorithm.ECDSA_SHA256, DATA)).isNotEmpty();
        token.slowSign(java.time.Duration.ZERO);
        assertThat(token.sign(key, SignatureAlgorithm.ECDSA_SHA256, DATA)).isNotEmpty();
    }
}
