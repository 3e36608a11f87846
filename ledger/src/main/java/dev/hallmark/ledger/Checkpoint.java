package dev.hallmark.ledger;

import dev.hallmark.hsm.SignatureAlgorithm;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;

/**
 * A signed tree head: the ledger key's signature over {@link #body()}.
 *
 * @param treeSize  the number of leaves covered
 * @param rootHash  the RFC 9162 Merkle Tree Hash of those leaves
 * @param signedAt  when it was signed (millisecond precision; part of the signed body)
 * @param keyAlias  the alias of the ledger key in its token
 * @param algorithm the signature algorithm
 * @param signature the signature over {@link #body()}
 */
public record Checkpoint(long treeSize, byte[] rootHash, Instant signedAt, String keyAlias,
                         SignatureAlgorithm algorithm, byte[] signature) {

    /** The version line that starts every body. */
    public static final String FORMAT = "hallmark-ledger/v1";

    /** Copies the arrays. */
    public Checkpoint {
        Objects.requireNonNull(signedAt, "signedAt");
        Objects.requireNonNull(keyAlias, "keyAlias");
        Objects.requireNonNull(algorithm, "algorithm");
        rootHash = rootHash.clone();
        signature = signature.clone();
    }

    /** A copy of the root hash. */
    @Override
    public byte[] rootHash() {
        return rootHash.clone();
    }

    /** A copy of the signature. */
    @Override
    public byte[] signature() {
        return signature.clone();
    }

    /** The signed bytes: {@code "hallmark-ledger/v1\n<tree_size>\n<base64 root>\n<epoch millis>\n"} in UTF-8. */
    public byte[] body() {
        return body(treeSize, rootHash, signedAt);
    }

    /** The signed bytes for the given values (see {@link #body()}). */
    public static byte[] body(long treeSize, byte[] rootHash, Instant signedAt) {
        return (FORMAT + "\n" + treeSize + "\n" + Base64.getEncoder().encodeToString(rootHash) + "\n"
                + signedAt.toEpochMilli() + "\n").getBytes(StandardCharsets.UTF_8);
    }
}
