package dev.hallmark.ledger;

import java.util.List;

/**
 * An RFC 9162 consistency proof (section 2.1.4) between two tree sizes.
 *
 * @param firstSize  the older tree size
 * @param secondSize the newer tree size
 * @param path       the proof nodes
 */
public record ConsistencyProof(long firstSize, long secondSize, List<byte[]> path) {

    /** Copies the arrays. */
    public ConsistencyProof {
        path = path.stream().map(byte[]::clone).toList();
    }

    /** True when the tree of {@link #firstSize()} with {@code firstRoot} is a prefix of the newer one. */
    public boolean verify(byte[] firstRoot, byte[] secondRoot) {
        return MerkleTree.verifyConsistency(firstSize, secondSize, firstRoot, secondRoot, path);
    }
}
