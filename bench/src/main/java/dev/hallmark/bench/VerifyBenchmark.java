package dev.hallmark.bench;

import dev.hallmark.hsm.SignatureAlgorithm;
import dev.hallmark.hsm.VerifyingToken;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The two ECDSA P-256 verifications of every issuance, alone, to test the proposals in docs/PERFORMANCE.md:
 * the verify-after-sign with the CA public key as the token returns it ({@code caKeyAsReturned}, what
 * {@code VerifyingToken} does today) against a BouncyCastle copy made once ({@code caKeyConverted}); and a
 * proof-of-possession style verify under a different key each time (ring of 64, key decoded from its SPKI as
 * {@code CertificationRequest} does) with BouncyCastle ({@code popBouncyCastle}) and with the JDK's SunEC
 * ({@code popSunEc}). One thread.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {Jvm.PKCS11_EXPORTS, Jvm.SOFTHSM_TOKENS, Jvm.HEAP})
public class VerifyBenchmark {
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();
    private static final int RING = 64;

    @Param({"soft", "softhsm"})
    public String token;

    private BenchPki pki;
    private byte[] data;
    private byte[] caSignature;
    private PublicKey caKeyAsReturned;
    private PublicKey caKeyConverted;
    private byte[][] popSpki;
    private byte[][] popSignature;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws GeneralSecurityException {
        pki = BenchPki.open(BenchPki.TokenKind.valueOf(token.toUpperCase(Locale.ROOT)), BenchPki.DbKind.H2FILE);
        data = new byte[600];
        caSignature = pki.rawToken.sign(pki.issuing.key(), SignatureAlgorithm.ECDSA_SHA256, data);
        caKeyAsReturned = pki.rawToken.publicKey(pki.issuing.key());
        caKeyConverted = KeyFactory.getInstance("EC", BC)
                .generatePublic(new X509EncodedKeySpec(caKeyAsReturned.getEncoded()));
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        popSpki = new byte[RING][];
        popSignature = new byte[RING][];
        for (int i = 0; i < RING; i++) {
            KeyPair pair = generator.generateKeyPair();
            Signature signer = Signature.getInstance("SHA256withECDSA");
            signer.initSign(pair.getPrivate());
            signer.update(data);
            popSpki[i] = pair.getPublic().getEncoded();
            popSignature[i] = signer.sign();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pki.close();
    }

    @Benchmark
    public boolean caKeyAsReturned() {
        return VerifyingToken.verify(caKeyAsReturned, SignatureAlgorithm.ECDSA_SHA256, data, caSignature);
    }

    @Benchmark
    public boolean caKeyConverted() {
        return VerifyingToken.verify(caKeyConverted, SignatureAlgorithm.ECDSA_SHA256, data, caSignature);
    }

    @Benchmark
    public boolean popBouncyCastle() throws GeneralSecurityException {
        return pop(KeyFactory.getInstance("EC", BC), Signature.getInstance("SHA256withECDSA", BC));
    }

    @Benchmark
    public boolean popSunEc() throws GeneralSecurityException {
        return pop(KeyFactory.getInstance("EC", "SunEC"), Signature.getInstance("SHA256withECDSA", "SunEC"));
    }

    private boolean pop(KeyFactory keys, Signature verifier) throws GeneralSecurityException {
        int i = next++ & (RING - 1);
        verifier.initVerify(keys.generatePublic(new X509EncodedKeySpec(popSpki[i])));
        verifier.update(data);
        return verifier.verify(popSignature[i]);
    }
}
