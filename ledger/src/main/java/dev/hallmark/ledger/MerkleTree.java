package dev.hallmark.ledger;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The Merkle tree of RFC 9162 section 2.1 with SHA-256: leaf hash {@code SHA-256(0x00 || leaf)}, node hash
 * {@code SHA-256(0x01 || left || right)}, the Merkle Tree Hash (MTH) of a list of leaves, inclusion proofs (PATH,
 * section 2.1.3) and consistency proofs (PROOF, section 2.1.4) with their verification algorithms (sections
 * 2.1.3.2 and 2.1.4.2), and the compact range used to extend a tree in O(log n) per leaf. Pure functions;
 * thread-safe except for {@link CompactRange} instances.
 *
 * <p>All functions here take leaf <em>hashes</em>, not leaf bytes.
 */
public final class MerkleTree {

    /** Size in bytes of every hash. */
    public static final int HASH_SIZE = 32;

    private MerkleTree() {
    }

    /** Computes the Merkle Tree Hash of leaves {@code [from, to)}. Used to stream leaves from storage. */
    @FunctionalInterface
    public interface RangeHasher {
        /**
         * The MTH of the leaves with indices {@code from} (inclusive) to {@code to} (exclusive), {@code from < to}.
         */
        byte[] root(long from, long to);
    }

    /** The MTH of the empty tree, {@code SHA-256()}. */
    public static byte[] emptyRoot() {
        return sha256().digest();
    }

    /** The leaf hash {@code SHA-256(0x00 || leaf)} (RFC 9162 section 2.1.1). */
    public static byte[] leafHash(byte[] leaf) {
        MessageDigest d = sha256();
        d.update((byte) 0);
        return d.digest(leaf);
    }

    /** The interior node hash {@code SHA-256(0x01 || left || right)} (RFC 9162 section 2.1.1). */
    public static byte[] nodeHash(byte[] left, byte[] right) {
        MessageDigest d = sha256();
        d.update((byte) 1);
        d.update(left);
        return d.digest(right);
    }

    /** The MTH over {@code leafHashes} (the empty root for an empty list). */
    public static byte[] root(List<byte[]> leafHashes) {
        CompactRange range = new CompactRange();
        for (byte[] h : leafHashes) {
            range.append(h);
        }
        return range.root();
    }

    /** A {@link RangeHasher} over an in-memory list of leaf hashes. */
    public static RangeHasher hasher(List<byte[]> leafHashes) {
        return (from, to) -> root(leafHashes.subList(Math.toIntExact(from), Math.toIntExact(to)));
    }

    /**
     * The inclusion proof PATH(m, D[n]) for leaf {@code index} in the tree of the first {@code size} leaves
     * (RFC 9162 section 2.1.3.1), innermost sibling first.
     *
     * @throws IllegalArgumentException unless {@code 0 <= index < size}
     */
    public static List<byte[]> inclusionProof(long index, long size, RangeHasher hasher) {
        if (index < 0 || index >= size) {
            throw new IllegalArgumentException("leaf index " + index + " is not in a tree of size " + size);
        }
        List<byte[]> path = new ArrayList<>();
        path(index, 0, size, hasher, path);
        return path;
    }

    private static void path(long m, long from, long to, RangeHasher hasher, List<byte[]> out) {
        long n = to - from;
        if (n == 1) {
            return;
        }
        long k = largestPowerOfTwoBelow(n);
        if (m < k) {
            path(m, from, from + k, hasher, out);
            out.add(hasher.root(from + k, to));
        } else {
            path(m - k, from + k, to, hasher, out);
            out.add(hasher.root(from, from + k));
        }
    }

    /**
     * The consistency proof PROOF(m, D[n]) between the trees of the first {@code first} and {@code second} leaves
     * (RFC 9162 section 2.1.4.1). Empty when {@code first == second} or {@code first == 0}.
     *
     * @throws IllegalArgumentException unless {@code 0 <= first <= second}
     */
    public static List<byte[]> consistencyProof(long first, long second, RangeHasher hasher) {
        if (first < 0 || first > second) {
            throw new IllegalArgumentException("no consistency proof from size " + first + " to " + second);
        }
        List<byte[]> proof = new ArrayList<>();
        if (first > 0 && first < second) {
            subproof(first, 0, second, true, hasher, proof);
        }
        return proof;
    }

    private static void subproof(long m, long from, long to, boolean b, RangeHasher hasher, List<byte[]> out) {
        long n = to - from;
        if (m == n) {
            if (!b) {
                out.add(hasher.root(from, to));
            }
            return;
        }
        long k = largestPowerOfTwoBelow(n);
        if (m <= k) {
            subproof(m, from, from + k, b, hasher, out);
            out.add(hasher.root(from + k, to));
        } else {
            subproof(m - k, from + k, to, false, hasher, out);
            out.add(hasher.root(from, from + k));
        }
    }

    /**
     * Verifies an inclusion proof (RFC 9162 section 2.1.3.2).
     *
     * @return true when {@code leafHash} is the leaf at {@code index} of the tree of {@code size} with {@code root}
     */
    public static boolean verifyInclusion(long index, long size, byte[] leafHash, List<byte[]> proof, byte[] root) {
        Objects.requireNonNull(leafHash, "leafHash");
        Objects.requireNonNull(root, "root");
        if (index < 0 || index >= size) {
            return false;
        }
        long fn = index;
        long sn = size - 1;
        byte[] r = leafHash;
        for (byte[] p : proof) {
            if (sn == 0 || p == null || p.length != HASH_SIZE) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                r = nodeHash(p, r);
                if ((fn & 1) == 0) {
                    while ((fn & 1) == 0 && fn != 0) {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            } else {
                r = nodeHash(r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && MessageDigest.isEqual(r, root);
    }

    /**
     * Verifies a consistency proof (RFC 9162 section 2.1.4.2). A tree is consistent with itself when the roots are
     * equal and the proof is empty; the empty tree is consistent with every tree when the proof is empty.
     *
     * @return true when the tree of size {@code first} with {@code firstRoot} is a prefix of the tree of size
     *         {@code second} with {@code secondRoot}
     */
    public static boolean verifyConsistency(long first, long second, byte[] firstRoot, byte[] secondRoot,
                                            List<byte[]> proof) {
        Objects.requireNonNull(firstRoot, "firstRoot");
        Objects.requireNonNull(secondRoot, "secondRoot");
        if (first < 0 || first > second) {
            return false;
        }
        if (first == second) {
            return proof.isEmpty() && MessageDigest.isEqual(firstRoot, secondRoot);
        }
        if (first == 0) {
            return proof.isEmpty() && MessageDigest.isEqual(firstRoot, emptyRoot());
        }
        if (proof.isEmpty()) {
            return false;
        }
        List<byte[]> path = new ArrayList<>(proof.size() + 1);
        if (Long.bitCount(first) == 1) {
            path.add(firstRoot);
        }
        path.addAll(proof);
        for (byte[] p : path) {
            if (p == null || p.length != HASH_SIZE) {
                return false;
            }
        }
        long fn = first - 1;
        long sn = second - 1;
        while ((fn & 1) == 1) {
            fn >>= 1;
            sn >>= 1;
        }
        byte[] fr = path.get(0);
        byte[] sr = path.get(0);
        for (byte[] c : path.subList(1, path.size())) {
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                fr = nodeHash(c, fr);
                sr = nodeHash(c, sr);
                if ((fn & 1) == 0) {
                    while ((fn & 1) == 0 && fn != 0) {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            } else {
                sr = nodeHash(sr, c);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && MessageDigest.isEqual(fr, firstRoot) && MessageDigest.isEqual(sr, secondRoot);
    }

    /** The largest power of two strictly less than {@code n} ({@code n >= 2}). */
    static long largestPowerOfTwoBelow(long n) {
        return Long.highestOneBit(n - 1);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JDK", e);
        }
    }

    /**
     * A compact range [0, size): the roots of the perfect subtrees that make up a tree of {@code size} leaves,
     * left (largest) to right, one per set bit of {@code size}. Appending a leaf and computing the root are
     * O(log n), so the integrator never rereads old leaves. Not thread-safe.
     */
    public static final class CompactRange {
        private final List<byte[]> hashes = new ArrayList<>();
        private long size;

        /** An empty range. */
        public CompactRange() {
        }

        /**
         * Restores a range stored with {@link #toBytes()}.
         *
         * @param size     the tree size
         * @param frontier the concatenated subtree roots; null or empty only when {@code size == 0}
         * @throws IllegalArgumentException when the frontier does not fit the size
         */
        public static CompactRange of(long size, byte[] frontier) {
            byte[] f = frontier == null ? new byte[0] : frontier;
            if (size < 0 || f.length != Long.bitCount(size) * HASH_SIZE) {
                throw new IllegalArgumentException("frontier of " + f.length + " bytes does not fit tree size " + size);
            }
            CompactRange r = new CompactRange();
            for (int i = 0; i < f.length; i += HASH_SIZE) {
                r.hashes.add(Arrays.copyOfRange(f, i, i + HASH_SIZE));
            }
            r.size = size;
            return r;
        }

        /** Appends one leaf hash. */
        public void append(byte[] leafHash) {
            if (leafHash.length != HASH_SIZE) {
                throw new IllegalArgumentException("leaf hash must be " + HASH_SIZE + " bytes");
            }
            byte[] h = leafHash;
            for (long s = size; (s & 1) == 1; s >>= 1) {
                h = nodeHash(hashes.remove(hashes.size() - 1), h);
            }
            hashes.add(h);
            size++;
        }

        /** The number of leaves covered. */
        public long size() {
            return size;
        }

        /** The MTH of the covered leaves (the empty root when empty). */
        public byte[] root() {
            if (hashes.isEmpty()) {
                return emptyRoot();
            }
            byte[] r = hashes.get(hashes.size() - 1);
            for (int i = hashes.size() - 2; i >= 0; i--) {
                r = nodeHash(hashes.get(i), r);
            }
            return r;
        }

        /** The subtree roots concatenated, for storage; empty when the range is empty. */
        public byte[] toBytes() {
            byte[] out = new byte[hashes.size() * HASH_SIZE];
            for (int i = 0; i < hashes.size(); i++) {
                System.arraycopy(hashes.get(i), 0, out, i * HASH_SIZE, HASH_SIZE);
            }
            return out;
        }
    }
}
