package dev.hallmark.ledger;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The leaf bytes of a ledger entry: an unambiguous, length-prefixed binary encoding
 * <pre>
 *   u8  version (1)
 *   u64 id
 *   i64 recorded_at, epoch milliseconds
 *   u32 length || UTF-8 event_type
 *   u32 length || UTF-8 actor
 *   u32 length || UTF-8 subject
 *   u32 length || UTF-8 details (canonical JSON text)
 * </pre>
 * all integers big-endian. Every field is hashed exactly as stored, so {@code verify} recomputes it from the row.
 */
final class LeafEncoding {
    static final byte VERSION = 1;

    private LeafEncoding() {
    }

    static byte[] encode(long id, long recordedAtMillis, String eventType, String actor, String subject,
                         String details) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + details.length());
        out.write(VERSION);
        out.writeBytes(ByteBuffer.allocate(16).putLong(id).putLong(recordedAtMillis).array());
        for (String s : new String[] {eventType, actor, subject, details}) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            out.writeBytes(ByteBuffer.allocate(4).putInt(b.length).array());
            out.writeBytes(b);
        }
        return out.toByteArray();
    }

    static byte[] leafHash(long id, long recordedAtMillis, String eventType, String actor, String subject,
                           String details) {
        return MerkleTree.leafHash(encode(id, recordedAtMillis, eventType, actor, subject, details));
    }
}
