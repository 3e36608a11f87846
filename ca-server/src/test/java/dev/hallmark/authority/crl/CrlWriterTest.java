package dev.hallmark.authority.crl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.CRLReason;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1GeneralizedTime;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1UTCTime;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.RuntimeOperatorException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class CrlWriterTest {
    private static final Instant NOW = Instant.parse("2026-11-29T12:00:00.750Z");
    private static final Instant NEXT = NOW.plus(Duration.ofDays(7));
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();
    private static final BigInteger SERIAL_BASE = BigInteger.ONE.shiftLeft(126); // 16-octet serials
    private static final Integer[] REASONS = {null, 0, 1, 2, 3, 4, 5, 9, 10};

    private static PrivateKey caKey;
    private static X509Certificate caCert;
    private static Extensions crlExtensions;

    @TempDir
    Path tmp; // handed to the writer; must be empty after every call
    @TempDir
    Path work; // test files (CRLs, PEM)

    @BeforeAll
    static void createCa() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = generator.generateKeyPair();
        caKey = pair.getPrivate();
        X500Name name = new X500Name("CN=CRL Test CA,O=Hallmark Tests,C=DE");
        JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, BigInteger.TEN,
                Date.from(NOW.minus(Duration.ofDays(1))), Date.from(NOW.plus(Duration.ofDays(3650))), name,
                pair.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                .addExtension(Extension.subjectKeyIdentifier, false,
                        utils.createSubjectKeyIdentifier(pair.getPublic()));
        caCert = new JcaX509CertificateConverter().getCertificate(builder.build(signer()));
        ExtensionsGenerator extensions = new ExtensionsGenerator();
        extensions.addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(caCert));
        extensions.addExtension(Extension.cRLNumber, false, new CRLNumber(BigInteger.valueOf(4711)));
        crlExtensions = extensions.generate();
    }

    /** The CA's subject exactly as encoded in its certificate. */
    private static byte[] issuer() {
        return caCert.getSubjectX500Principal().getEncoded();
    }

    private static ContentSigner signer() throws Exception {
        return new JcaContentSignerBuilder("SHA256withECDSA").setProvider(BC).build(caKey);
    }

    /** A named equality case against BouncyCastle's X509v2CRLBuilder. */
    record Case(String name, List<CrlEntry> entries, Instant thisUpdate, Instant nextUpdate, Extensions extensions) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        Instant at = NOW.minus(Duration.ofHours(3));
        List<CrlEntry> mixed = new ArrayList<>();
        for (int i = 0; i < REASONS.length; i++) { // descending serials: the source's order must be kept
            mixed.add(new CrlEntry(SERIAL_BASE.subtract(BigInteger.valueOf(i)), at.minusSeconds(i * 61L), REASONS[i]));
        }
        Instant late = Instant.parse("2050-01-01T00:00:00Z");
        return Stream.of(
                new Case("no entries", List.of(), NOW, NEXT, crlExtensions),
                new Case("one entry, no reason", List.of(new CrlEntry(BigInteger.ONE, at)), NOW, NEXT, crlExtensions),
                new Case("entries with and without reasons", mixed, NOW, NEXT, crlExtensions),
                new Case("no CRL extensions", mixed, NOW, NEXT, null),
                new Case("20-octet serial", List.of(new CrlEntry(BigInteger.ONE.shiftLeft(159).subtract(BigInteger.ONE),
                        at, 1)), NOW, NEXT, crlExtensions),
                new Case("2049/2050 boundary", List.of(new CrlEntry(BigInteger.TWO, late.minusSeconds(1), 4),
                        new CrlEntry(BigInteger.TEN, late, 5)), late.minusSeconds(1), late, crlExtensions),
                new Case("all times after 2050", mixed.subList(0, 3), Instant.parse("2061-03-04T05:06:07.999Z"),
                        Instant.parse("2061-03-11T05:06:07Z"), crlExtensions));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void tbsCertListIsByteForByteBouncyCastlesAndTheSignatureVerifies(Case c) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CrlWriter.Result result = CrlWriter.write(issuer(), signer(), c.thisUpdate(),
                c.nextUpdate(), c.extensions(), sink -> c.entries().forEach(sink), tmp, out);
        byte[] der = out.toByteArray();

        X509v2CRLBuilder reference = new X509v2CRLBuilder(X500Name.getInstance(caCert.getSubjectX500Principal()
                .getEncoded()), Date.from(c.thisUpdate())).setNextUpdate(Date.from(c.nextUpdate()));
        for (CrlEntry e : c.entries()) {
            reference.addCRLEntry(e.serial(), Date.from(e.revokedAt()), e.reasonCode() == null ? 0 : e.reasonCode());
        }
        if (c.extensions() != null) {
            for (ASN1ObjectIdentifier oid : c.extensions().getExtensionOIDs()) {
                reference.addExtension(c.extensions().getExtension(oid));
            }
        }
        byte[] expectedTbs = reference.build(signer()).toASN1Structure().getTBSCertList().getEncoded(ASN1Encoding.DER);

        assertThat(HexFormat.of().formatHex(firstElement(der))).isEqualTo(HexFormat.of().formatHex(expectedTbs));
        assertThat(ASN1Primitive.fromByteArray(der).getEncoded(ASN1Encoding.DER)).isEqualTo(der); // canonical DER
        X509CRLHolder holder = new X509CRLHolder(der);
        assertThat(holder.isSignatureValid(new JcaContentVerifierProviderBuilder().build(caCert))).isTrue();
        assertThat(holder.toASN1Structure().getSignatureAlgorithm())
                .isEqualTo(holder.toASN1Structure().getTBSCertList().getSignature());
        assertThat(result.entries()).isEqualTo(c.entries().size());
        assertThat(result.length()).isEqualTo(der.length);
        assertThat(result.sha256()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(der));
        X509CRL jdk = parse(der);
        jdk.verify(caCert.getPublicKey());
        assertThat(jdk.getIssuerX500Principal()).isEqualTo(caCert.getSubjectX500Principal());
        assertThat(tmp).isEmptyDirectory();
    }

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({"1950-01-01T00:00:00Z, UTCTime", "2049-12-31T23:59:59.999Z, UTCTime",
        "2050-01-01T00:00:00Z, GeneralizedTime", "1949-12-31T23:59:59Z, GeneralizedTime"})
    void timesAreUtcTimeThrough2049AndGeneralizedTimeOtherwise(Instant at, String type) throws Exception {
        ASN1Primitive time = ASN1Primitive.fromByteArray(CrlDer.time(at));
        assertThat(time).isInstanceOf(type.equals("UTCTime") ? ASN1UTCTime.class : ASN1GeneralizedTime.class);
        Date decoded = time instanceof ASN1UTCTime u ? u.getAdjustedDate() : ((ASN1GeneralizedTime) time).getDate();
        assertThat(decoded.toInstant()).isEqualTo(at.truncatedTo(ChronoUnit.SECONDS));
    }

    @ParameterizedTest(name = "length {1} -> {2}")
    @CsvSource({"48, 0, 3000", "48, 127, 307f", "48, 128, 308180", "48, 255, 3081ff", "48, 256, 30820100",
        "3, 65536, 0383010000", "48, 16777216, 308401000000", "48, 4294967296, 30850100000000"})
    void lengthOctetsAreDefiniteAndMinimal(int tag, long length, String expected) {
        assertThat(HexFormat.of().formatHex(CrlDer.header(tag, length))).isEqualTo(expected);
    }

    @Test
    void twoHundredThousandEntriesParseAndVerifyInTheJdkAndOpenssl() throws Exception {
        Path crl = work.resolve("large.crl");
        CrlWriter.Result result;
        try (OutputStream out = Files.newOutputStream(crl)) {
            result = CrlWriter.write(issuer(), signer(), NOW, NEXT, crlExtensions,
                    generated(200_000), tmp, out);
        }
        assertThat(tmp).isEmptyDirectory();
        assertThat(result.entries()).isEqualTo(200_000);
        assertThat(result.length()).isEqualTo(Files.size(crl));
        X509CRL jdk = parse(Files.readAllBytes(crl));
        jdk.verify(caCert.getPublicKey());
        assertThat(jdk.getRevokedCertificates()).hasSize(200_000);
        assertThat(jdk.getRevokedCertificate(SERIAL_BASE.add(BigInteger.valueOf(2))).getRevocationReason())
                .isEqualTo(CRLReason.KEY_COMPROMISE);
        assertThat(jdk.getRevokedCertificate(SERIAL_BASE).getRevocationReason()).isNull();

        String output = openssl("crl", "-inform", "DER", "-in", crl.toString(), "-CAfile", caPem().toString(),
                "-noout");
        assertThat(output).contains("verify OK");
    }

    @Test
    void opensslShowsTheReasonOnlyForEntriesThatHaveOne() throws Exception {
        Path crl = work.resolve("small.crl");
        try (OutputStream out = Files.newOutputStream(crl)) {
            CrlWriter.write(issuer(), signer(), NOW, NEXT, crlExtensions,
                    generated(REASONS.length), tmp, out);
        }
        String text = openssl("crl", "-inform", "DER", "-in", crl.toString(), "-CAfile", caPem().toString(),
                "-noout", "-text");
        assertThat(text).contains("verify OK", "Version 2 (0x1)", "X509v3 CRL Number", "Key Compromise",
                "Superseded", "AA Compromise", "Privilege Withdrawn");
        long withReason = Arrays.stream(REASONS).filter(r -> r != null && r != 0).count();
        assertThat(text.split("CRL Reason Code", -1)).hasSize((int) withReason + 1);
    }

    @Test
    void oneMillionEntriesStreamToACountingSink() throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        long[] count = {0};
        OutputStream counting = new OutputStream() {
            @Override
            public void write(int b) {
                digest.update((byte) b);
                count[0]++;
            }

            @Override
            public void write(byte[] b, int off, int len) {
                digest.update(b, off, len);
                count[0] += len;
            }
        };
        long started = System.nanoTime();
        CrlWriter.Result result = CrlWriter.write(issuer(), signer(), NOW, NEXT,
                crlExtensions, generated(1_000_000), tmp, counting);
        System.out.printf("1,000,000-entry CRL: %d bytes in %d ms%n", result.length(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        assertThat(result.entries()).isEqualTo(1_000_000);
        assertThat(result.length()).isEqualTo(count[0]);
        assertThat(result.sha256()).isEqualTo(digest.digest());
        assertThat(tmp).isEmptyDirectory();
    }

    /** Builds the failing entry lazily, after valid ones, the way a cursor would meet it. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"reason certificateHold, 1, 6", "reason 7 (unused), 1, 7", "reason removeFromCRL, 1, 8",
        "reason 11 (unknown), 1, 11", "reason -1, 1, -1", "serial 0, 0, 1", "negative serial, -5, 1",
        "21-octet serial, 730750818665451459101842416358141509827966271488, 1"})
    void invalidEntriesAreRejectedBeforeAnythingIsWritten(String name, BigInteger serial, int reason) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CrlWriter.EntrySource source = sink -> {
            generated(1000).forEach(sink);
            sink.accept(new CrlEntry(serial, NOW, reason));
        };
        assertThatThrownBy(() -> CrlWriter.write(issuer(), signer(), NOW, NEXT,
                crlExtensions, source, tmp, out)).isInstanceOf(IllegalArgumentException.class);
        assertThat(out.size()).isZero();
        assertThat(tmp).isEmptyDirectory();
    }

    @ParameterizedTest(name = "reason {0}")
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 9, 10})
    void allowedReasonsAndTheLargestSerialAreAccepted(int reason) {
        CrlEntry entry = new CrlEntry(BigInteger.ONE.shiftLeft(159).subtract(BigInteger.ONE), NOW, reason);
        assertThat(entry.hasReason()).isEqualTo(reason != 0);
    }

    @Test
    void aFailingSourceOrSignerLeavesOutUntouchedAndNoTemporaryFile() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CrlWriter.EntrySource broken = sink -> {
            generated(5000).forEach(sink);
            throw new IOException("cursor closed");
        };
        assertThatThrownBy(() -> write(broken, signer(), out))
                .isInstanceOf(IOException.class).hasMessage("cursor closed");
        ContentSigner real = signer();
        ContentSigner failing = new ContentSigner() {
            @Override
            public AlgorithmIdentifier getAlgorithmIdentifier() {
                return real.getAlgorithmIdentifier();
            }

            @Override
            public OutputStream getOutputStream() {
                return real.getOutputStream();
            }

            @Override
            public byte[] getSignature() {
                throw new RuntimeOperatorException("token unavailable");
            }
        };
        assertThatThrownBy(() -> write(generated(5000), failing, out)).isInstanceOf(RuntimeOperatorException.class);
        assertThat(out.size()).isZero();
        assertThat(tmp).isEmptyDirectory();
    }

    @Test
    void badArgumentsAreRejected() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] issuer = issuer();
        byte[] trailing = Arrays.copyOf(issuer, issuer.length + 1);
        assertThatThrownBy(() -> CrlWriter.write(trailing, signer(), NOW, NEXT, null, generated(1), tmp, out))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CrlWriter.write(issuer, signer(), NOW, NOW.plusMillis(10), null, generated(1), tmp,
                out))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(out.size()).isZero();
        assertThat(tmp).isEmptyDirectory();
    }

    @Test
    void aSinkUsedAfterForEachReturnedIsRefused() throws Exception {
        List<Consumer<CrlEntry>> kept = new ArrayList<>();
        write(sink -> kept.add(sink), signer(), new ByteArrayOutputStream());
        assertThatThrownBy(() -> kept.get(0).accept(new CrlEntry(BigInteger.ONE, NOW)))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void anEmptyExtensionsSetIsOmittedLikeNull() throws Exception {
        byte[] withEmpty = firstElement(writeBytes(Extensions.getInstance(new DERSequence())));
        assertThat(withEmpty).isEqualTo(firstElement(writeBytes(null)));
    }

    private byte[] writeBytes(Extensions extensions) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CrlWriter.write(issuer(), signer(), NOW, NEXT, extensions, generated(3), tmp, out);
        return out.toByteArray();
    }

    private CrlWriter.Result write(CrlWriter.EntrySource source, ContentSigner signer, OutputStream out)
            throws Exception {
        return CrlWriter.write(issuer(), signer, NOW, NEXT, crlExtensions, source, tmp, out);
    }

    /** {@code count} distinct entries made on the fly, cycling through every allowed reason (and none). */
    private static CrlWriter.EntrySource generated(int count) {
        return sink -> {
            for (int i = 0; i < count; i++) {
                sink.accept(new CrlEntry(SERIAL_BASE.add(BigInteger.valueOf(i)), NOW.minusSeconds(i),
                        REASONS[i % REASONS.length]));
            }
        };
    }

    /** The raw bytes of the first element inside the outer SEQUENCE: the TBSCertList exactly as written. */
    private static byte[] firstElement(byte[] der) {
        int start = headerLength(der, 0);
        int end = start + headerLength(der, start) + (int) contentLength(der, start);
        return Arrays.copyOfRange(der, start, end);
    }

    private static int headerLength(byte[] der, int pos) {
        int first = der[pos + 1] & 0xff;
        return first < 0x80 ? 2 : 2 + (first & 0x7f);
    }

    private static long contentLength(byte[] der, int pos) {
        int first = der[pos + 1] & 0xff;
        if (first < 0x80) {
            return first;
        }
        long length = 0;
        for (int i = 0; i < (first & 0x7f); i++) {
            length = (length << 8) | (der[pos + 2 + i] & 0xff);
        }
        return length;
    }

    private static X509CRL parse(byte[] der) throws Exception {
        return (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(der));
    }

    private Path caPem() throws Exception {
        Path pem = work.resolve("ca.pem");
        Files.writeString(pem, "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(caCert.getEncoded())
                + "\n-----END CERTIFICATE-----\n", StandardCharsets.US_ASCII);
        return pem;
    }

    /** Runs openssl (skipping the test when it is not installed); returns stdout and stderr, asserting exit 0. */
    private static String openssl(String... args) throws Exception {
        boolean installed = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, "openssl")));
        assumeThat(installed).as("openssl on PATH").isTrue();
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(output).isZero();
        return output;
    }
}
