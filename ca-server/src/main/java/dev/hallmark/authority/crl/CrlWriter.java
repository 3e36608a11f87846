package dev.hallmark.authority.crl;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.function.Consumer;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.operator.ContentSigner;

/**
 * Writes a signed X.509 v2 CRL (RFC 5280 section 5) in DER without ever holding its entries in memory.
 *
 * <p>The design is two passes over one temporary file. Pass one asks the {@link EntrySource} for every entry
 * and appends each entry's DER ({@code SEQUENCE { serial, revocationDate, crlEntryExtensions }}) to a buffered
 * file in {@code tmpDir}, counting entries and bytes. Every length in the CRL is then known, so the writer emits
 * the DER headers itself (definite lengths, long form where needed) and streams the TBSCertList (small fields,
 * then the file) into the signer. The signature's length is only known after signing, so only then does it
 * stream the whole CertificateList to {@code out}: header, the TBSCertList again from the same file, the
 * AlgorithmIdentifier and the signature BIT STRING. Memory is constant in the number of entries; disk holds the
 * entries once. Because the source is fully drained and the signature computed before the first byte reaches
 * {@code out}, a rejected entry, a failing source or a failing signer leaves {@code out} untouched; only an
 * I/O error of {@code out} itself can leave it partially written. The temporary file is deleted in every case.
 *
 * <p>Stateless; concurrent calls are safe given a signer and an output stream each, and use separate temporary
 * files.
 */
public final class CrlWriter {

    /**
     * Where the entries come from, e.g. a JDBC cursor. {@link #forEach} is called exactly once and must push
     * every entry into the sink before it returns, from one thread at a time; entries appear in the CRL in the
     * order they are pushed. The writer neither sorts nor deduplicates: a serial pushed twice appears twice, so
     * avoiding duplicates is the source's job (for example {@code SELECT DISTINCT} or a unique key).
     */
    @FunctionalInterface
    public interface EntrySource {
        /**
         * Pushes every entry into {@code sink}. Exceptions thrown by the sink (an I/O failure of the temporary
         * file arrives as {@link UncheckedIOException}) should propagate; the writer then aborts.
         *
         * @param sink accepts one entry per call; not thread-safe, and refuses entries once this method returned
         * @throws IOException when reading the entries fails
         */
        void forEach(Consumer<CrlEntry> sink) throws IOException;
    }

    /**
     * What was written.
     *
     * @param entries number of revoked certificates
     * @param length  total length of the CRL's DER in bytes
     * @param sha256  SHA-256 of the CRL's DER (a defensive copy on the way in and out)
     */
    public record Result(long entries, long length, byte[] sha256) {
        /** Copies {@code sha256}. */
        public Result {
            sha256 = sha256.clone();
        }

        @Override
        public byte[] sha256() {
            return sha256.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Result r && r.entries == entries && r.length == length
                    && Arrays.equals(r.sha256, sha256);
        }

        @Override
        public int hashCode() {
            return Objects.hash(entries, length, Arrays.hashCode(sha256));
        }

        @Override
        public String toString() {
            return "Result[entries=" + entries + ", length=" + length + ", sha256="
                    + HexFormat.of().formatHex(sha256) + "]";
        }
    }

    private static final int BUFFER = 1 << 16;
    private static final byte[] VERSION_V2 = {0x02, 0x01, 0x01};

    private CrlWriter() {
    }

    /**
     * Writes a complete signed CRL in DER to {@code out}; see the class comment for the streaming design.
     *
     * @param issuerNameDer the DER of the CA's subject Name exactly as in its certificate (for instance
     *                      {@code X509Certificate.getSubjectX500Principal().getEncoded()}); copied verbatim so name
     *                      matching is byte-exact
     * @param signer        signs the TBSCertList; its AlgorithmIdentifier fills both signature fields
     * @param thisUpdate    thisUpdate; seconds precision
     * @param nextUpdate    nextUpdate, always present; must be later than {@code thisUpdate} (at seconds precision)
     * @param crlExtensions the {@code crlExtensions [0]} field (AKI, CRLNumber, IDP, ...), or {@code null}; an
     *                      empty set is omitted like {@code null}
     * @param entries       the revoked certificates, called exactly once; with no entries the
     *                      {@code revokedCertificates} field is omitted (RFC 5280 section 5.1.2.6)
     * @param tmpDir        directory for the one temporary file, deleted before this method returns
     * @param out           receives the CRL; neither flushed nor closed here
     * @return entry count, DER length and SHA-256 of what was written to {@code out}
     * @throws IllegalArgumentException for an invalid issuer name or times, or an invalid entry from the source
     * @throws IOException              when the source, the temporary file, the signer or {@code out} fails
     */
    public static Result write(byte[] issuerNameDer, ContentSigner signer, Instant thisUpdate, Instant nextUpdate,
                               Extensions crlExtensions, EntrySource entries, Path tmpDir, OutputStream out)
            throws IOException {
        byte[] issuer = checkedName(issuerNameDer);
        Objects.requireNonNull(signer, "signer");
        Objects.requireNonNull(entries, "entries");
        Objects.requireNonNull(out, "out");
        byte[] thisTime = CrlDer.time(thisUpdate);
        byte[] nextTime = CrlDer.time(nextUpdate);
        if (!nextUpdate.truncatedTo(ChronoUnit.SECONDS).isAfter(thisUpdate.truncatedTo(ChronoUnit.SECONDS))) {
            throw new IllegalArgumentException("nextUpdate " + nextUpdate + " is not after thisUpdate " + thisUpdate);
        }
        byte[] algorithm = signer.getAlgorithmIdentifier().getEncoded(ASN1Encoding.DER);
        byte[] extensions = crlExtensions == null || crlExtensions.getExtensionOIDs().length == 0 ? new byte[0]
                : CrlDer.tlv(0xa0, crlExtensions.getEncoded(ASN1Encoding.DER));
        Path file = Files.createTempFile(tmpDir, "crl-", ".entries");
        try {
            long[] counts = writeEntries(entries, file); // {entries, bytes}
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            head.writeBytes(VERSION_V2);
            head.writeBytes(algorithm);
            head.writeBytes(issuer);
            head.writeBytes(thisTime);
            head.writeBytes(nextTime);
            if (counts[0] > 0) {
                head.writeBytes(CrlDer.header(0x30, counts[1]));
            }
            byte[] tbsFields = head.toByteArray();
            long tbsContent = tbsFields.length + counts[1] + extensions.length;
            byte[] tbsHeader = CrlDer.header(0x30, tbsContent);

            try (OutputStream s = signer.getOutputStream()) {
                writeTbs(s, tbsHeader, tbsFields, file, extensions);
            }
            byte[] signature = signer.getSignature();
            byte[] bitString = CrlDer.header(0x03, signature.length + 1L);
            long crlContent = tbsHeader.length + tbsContent + algorithm.length
                    + bitString.length + 1 + signature.length;
            byte[] crlHeader = CrlDer.header(0x30, crlContent);

            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            OutputStream o = new DigestOutputStream(out, sha256);
            o.write(crlHeader);
            writeTbs(o, tbsHeader, tbsFields, file, extensions);
            o.write(algorithm);
            o.write(bitString);
            o.write(0); // no unused bits
            o.write(signature);
            return new Result(counts[0], crlHeader.length + crlContent, sha256.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JRE", e);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Pass one: drains the source into {@code file}; returns {entries, bytes}. */
    private static long[] writeEntries(EntrySource source, Path file) throws IOException {
        long[] counts = new long[2];
        boolean[] open = {true};
        try (OutputStream f = new BufferedOutputStream(Files.newOutputStream(file), BUFFER)) {
            Consumer<CrlEntry> sink = entry -> {
                if (!open[0]) {
                    throw new IllegalStateException("the entry source pushed an entry after forEach returned");
                }
                byte[] der = CrlDer.entry(Objects.requireNonNull(entry, "entry"));
                try {
                    f.write(der);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                counts[0]++;
                counts[1] += der.length;
            };
            try {
                source.forEach(sink);
            } catch (UncheckedIOException e) {
                throw e.getCause();
            } finally {
                open[0] = false;
            }
        }
        if (Files.size(file) != counts[1]) {
            throw new IOException("temporary CRL entry file " + file + " has " + Files.size(file)
                    + " bytes; " + counts[1] + " were written");
        }
        return counts;
    }

    private static void writeTbs(OutputStream s, byte[] header, byte[] fields, Path file, byte[] extensions)
            throws IOException {
        s.write(header);
        s.write(fields);
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[BUFFER];
            for (int n; (n = in.read(buffer)) > 0; ) {
                s.write(buffer, 0, n);
            }
        }
        s.write(extensions);
    }

    private static byte[] checkedName(byte[] der) {
        Objects.requireNonNull(der, "issuerNameDer");
        try {
            X500Name.getInstance(ASN1Primitive.fromByteArray(der)); // one well-formed Name, no trailing bytes
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("issuerNameDer is not the DER of an X.500 Name", e);
        }
        return der.clone();
    }
}
