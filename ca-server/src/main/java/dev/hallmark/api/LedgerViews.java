package dev.hallmark.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.hallmark.hsm.CryptoToken;
import dev.hallmark.ledger.Checkpoint;
import dev.hallmark.ledger.LedgerEntry;
import java.security.PublicKey;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The ledger's JSON views: checkpoints, entries and RFC 9162 proofs, hashes and signatures in base64. */
final class LedgerViews {
    private LedgerViews() {
    }

    /**
     * A signed checkpoint (schema {@code Checkpoint}). To verify: check {@code signature} over {@code signedData}
     * with {@code publicKey} and {@code algorithm}; {@code signedData} is
     * {@code "hallmark-ledger/v1\n<treeSize>\n<base64 rootHash>\n<signedAt epoch millis>\n"} in UTF-8.
     *
     * @param treeSize   leaves covered
     * @param rootHash   RFC 9162 Merkle tree hash of those leaves
     * @param signedAt   RFC 3339
     * @param keyAlias   alias of the ledger key in its token
     * @param algorithm  JCA signature algorithm
     * @param signature  the signature over {@code signedData}
     * @param signedData the signed bytes
     * @param publicKey  the ledger key (PEM SubjectPublicKeyInfo), or null when the token cannot show it now
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record CheckpointView(long treeSize, String rootHash, String signedAt, String keyAlias, String algorithm,
                         String signature, String signedData, String publicKey) {
        static CheckpointView of(Checkpoint c, CryptoToken token) {
            return new CheckpointView(c.treeSize(), b64(c.rootHash()), c.signedAt().toString(), c.keyAlias(),
                    c.algorithm().jcaName(), b64(c.signature()), b64(c.body()), publicKeyPem(token, c.keyAlias()).orElse(null));
        }
    }

    /**
     * An audit entry (schema {@code LedgerEntry}).
     *
     * @param id         entry id
     * @param leafIndex  its position in the tree
     * @param recordedAt RFC 3339
     * @param type       the event type ({@code CERTIFICATE_ISSUED}, …)
     * @param actor      who did it
     * @param subject    what it was done to
     * @param details    further facts
     * @param leafData   the RFC 9162 leaf input (leaf encoding v1); {@code leafHash = SHA-256(0x00 || leafData)}
     * @param leafHash   the stored leaf hash
     */
    record EntryView(long id, Long leafIndex, String recordedAt, String type, String actor, String subject,
                     Map<String, String> details, String leafData, String leafHash) {
        static EntryView of(LedgerEntry e) {
            return new EntryView(e.id(), e.leafIndex(), e.recordedAt().toString(), e.type().name(), e.actor(), e.subject(),
                    e.details(), b64(e.leafBytes()), b64(e.leafHash()));
        }
    }

    /**
     * A certificate's issuance event and its inclusion proof (schema {@code InclusionProof}).
     *
     * @param serial     the certificate's serial
     * @param issuer     its CA
     * @param entry      the {@code CERTIFICATE_ISSUED} entry
     * @param leafIndex  the entry's leaf index
     * @param treeSize   the tree size the proof is for (the checkpoint's)
     * @param leafHash   the leaf hash
     * @param auditPath  RFC 9162 section 2.1.3 audit path, innermost sibling first
     * @param checkpoint the signed checkpoint whose root the path leads to
     */
    record InclusionView(String serial, String issuer, EntryView entry, long leafIndex, long treeSize, String leafHash,
                         List<String> auditPath, CheckpointView checkpoint) {
    }

    /**
     * A consistency proof (schema {@code ConsistencyProof}).
     *
     * @param from       the older tree size
     * @param to         the newer tree size
     * @param proof      RFC 9162 section 2.1.4 proof nodes
     * @param checkpoint the latest checkpoint when it is for {@code to}, else null
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ConsistencyView(long from, long to, List<String> proof, CheckpointView checkpoint) {
    }

    static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    static List<String> b64(List<byte[]> hashes) {
        return hashes.stream().map(LedgerViews::b64).toList();
    }

    /** The ledger key as PEM; empty when the token does not hold it or cannot answer now. */
    private static Optional<String> publicKeyPem(CryptoToken token, String alias) {
        try {
            Optional<PublicKey> key = token.find(alias).map(token::publicKey);
            return key.map(k -> "-----BEGIN PUBLIC KEY-----\n"
                    + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(k.getEncoded())
                    + "\n-----END PUBLIC KEY-----\n");
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
