package dev.hallmark.ledger;

/**
 * The outcome of one {@link AuditLedger#integrate()} call.
 *
 * @param previousSize the tree size before the call
 * @param treeSize     the tree size after it
 * @param rootHash     the Merkle Tree Hash at {@code treeSize}
 */
public record IntegrationResult(long previousSize, long treeSize, byte[] rootHash) {

    /** Copies the array. */
    public IntegrationResult {
        rootHash = rootHash.clone();
    }

    /** A copy of the root hash. */
    @Override
    public byte[] rootHash() {
        return rootHash.clone();
    }

    /** How many entries this call integrated. */
    public long integrated() {
        return treeSize - previousSize;
    }
}
