package dev.hallmark.ledger;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A recorded ledger entry as stored.
 *
 * @param id         the entry id (from the {@code ledger_entry_id_seq} sequence; unique, gaps allowed)
 * @param leafIndex  the position in the Merkle tree, or null while the entry is not yet integrated
 * @param recordedAt when it was appended (millisecond precision)
 * @param type       the event type
 * @param actor      who did it
 * @param subject    what it was done to
 * @param details    further facts, sorted by key
 * @param leafHash   the stored RFC 9162 leaf hash
 */
public record LedgerEntry(long id, Long leafIndex, Instant recordedAt, AuditEventType type, String actor,
                          String subject, Map<String, String> details, byte[] leafHash) {

    /** Copies the mutable parts. */
    public LedgerEntry {
        Objects.requireNonNull(recordedAt, "recordedAt");
        Objects.requireNonNull(type, "type");
        details = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(details));
        leafHash = leafHash.clone();
    }

    /** A copy of the stored leaf hash. */
    @Override
    public byte[] leafHash() {
        return leafHash.clone();
    }

    /** The leaf bytes this entry's content encodes to (see the ledger's leaf encoding, version 1). */
    public byte[] leafBytes() {
        return LeafEncoding.encode(id, recordedAt.toEpochMilli(), type.name(), actor, subject,
                CanonicalJson.write((SortedMap<String, String>) details));
    }

    /** True when the stored leaf hash matches the hash recomputed from the content. */
    public boolean leafHashMatchesContent() {
        return java.security.MessageDigest.isEqual(leafHash, MerkleTree.leafHash(leafBytes()));
    }
}
