package dev.hallmark.ocsp;

import dev.hallmark.authority.CaRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.CertID;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.oiw.OIWObjectIdentifiers;
import org.bouncycastle.asn1.x509.Certificate;

/**
 * Which CA a CertID names (RFC 6960 4.1.1): the hash of the issuer's DN and of its public key, for every supported
 * hash algorithm. Both hashes must match; a CertID naming no CA here gets {@code unauthorized} (T34). Immutable.
 */
final class IssuerIndex {
    private final Map<HashKey, String> caByHashes;
    private final Map<String, byte[][]> sha1HashesByCa;

    private IssuerIndex(Map<HashKey, String> caByHashes, Map<String, byte[][]> sha1HashesByCa) {
        this.caByHashes = Map.copyOf(caByHashes);
        this.sha1HashesByCa = Map.copyOf(sha1HashesByCa);
    }

    /** Indexes {@code cas}. */
    static IssuerIndex of(List<CaRecord> cas) {
        Map<HashKey, String> out = new HashMap<>();
        Map<String, byte[][]> sha1 = new HashMap<>();
        for (CaRecord ca : cas) {
            Certificate cert = Certificate.getInstance(ca.certificateDer());
            byte[] name;
            try {
                name = cert.getSubject().getEncoded("DER");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            byte[] key = cert.getSubjectPublicKeyInfo().getPublicKeyData().getBytes();
            for (ASN1ObjectIdentifier hash : OcspQuery.HASHES) {
                out.put(key(hash, digest(hash, name), digest(hash, key)), ca.name());
            }
            sha1.put(ca.name(), new byte[][] {digest(OIWObjectIdentifiers.idSHA1, name), digest(OIWObjectIdentifiers.idSHA1, key)});
        }
        return new IssuerIndex(out, sha1);
    }

    /** The CA a CertID's hashes name. */
    Optional<String> find(OcspQuery.Question q) {
        return Optional.ofNullable(caByHashes.get(key(q.hash(), q.nameHash(), q.keyHash())));
    }

    /** True when the index knows CA {@code ca}. */
    boolean knows(String ca) {
        return sha1HashesByCa.containsKey(ca);
    }

    /** The SHA-1 CertID (RFC 5019 2.1.1) a client builds for serial {@code serial} of CA {@code ca}. */
    CertID sha1CertId(String ca, BigInteger serial) {
        byte[][] h = sha1HashesByCa.get(ca);
        return new CertID(new AlgorithmIdentifier(OIWObjectIdentifiers.idSHA1, DERNull.INSTANCE), new DEROctetString(h[0]),
                new DEROctetString(h[1]), new ASN1Integer(serial));
    }

    /** Hash algorithm and the two hashes, compared by content (no per-lookup encoding: this is on the hot path). */
    private record HashKey(ASN1ObjectIdentifier hash, java.nio.ByteBuffer nameHash, java.nio.ByteBuffer keyHash) {
    }

    private static HashKey key(ASN1ObjectIdentifier hash, byte[] nameHash, byte[] keyHash) {
        return new HashKey(hash, java.nio.ByteBuffer.wrap(nameHash), java.nio.ByteBuffer.wrap(keyHash));
    }

    static byte[] digest(ASN1ObjectIdentifier hash, byte[] data) {
        String name;
        if (hash.equals(OIWObjectIdentifiers.idSHA1)) {
            name = "SHA-1";
        } else if (hash.equals(NISTObjectIdentifiers.id_sha256)) {
            name = "SHA-256";
        } else if (hash.equals(NISTObjectIdentifiers.id_sha384)) {
            name = "SHA-384";
        } else if (hash.equals(NISTObjectIdentifiers.id_sha512)) {
            name = "SHA-512";
        } else {
            throw new IllegalArgumentException("unsupported CertID hash " + hash);
        }
        try {
            return MessageDigest.getInstance(name).digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
