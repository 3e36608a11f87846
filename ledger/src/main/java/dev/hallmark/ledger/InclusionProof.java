package dev.hallmark.ledger;

import java.util.List;

/**
 * An RFC 9162 inclusion proof (section 2.1.3) for one leaf.
 *
 * @param leafIndex the leaf's index
 * @param treeSize  the size of the tree the proof is for
 * @param leafHash  the leaf's hash
 * @param path      the audit path, innermost sibling first
 */
public record InclusionProof(long leafIndex, long treeSize, byte[] leafHash, List<byte[]> path) {

    /** Copies the arrays. */
    public InclusionProof {
        leafHash = leafHash.clone();
        path = path.stream().map(byte[]::clone).toList();
    }

    /** A copy of the leaf hash. */
    @Override
    public byte[] leafHash() {
        return leafHash.clone();
    }

    /** True when the proof shows the leaf is in the tree of {@link #treeSize()} with {@code rootHash}. */
    public boolean verify(byte[] rootHash) {
        return MerkleTree.verifyInclusion(leafIndex, treeSize, leafHash, path, rootHash);
    }
}
