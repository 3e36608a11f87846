package dev.hallmark.ledger;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A deliberately naive, recursive transcription of RFC 9162 section 2.1 (MTH, PATH, PROOF), with verifiers that
 * rebuild the roots by walking the same recursion backwards. Written independently of {@link MerkleTree} (no shared
 * code, no bit tricks, no compact range) so the two can check each other. Works on leaf <em>data</em>.
 */
final class ReferenceMerkle {

    private ReferenceMerkle() {
    }

    static byte[] sha256(byte[]... parts) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (byte[] p : parts) {
                d.update(p);
            }
            return d.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    static byte[] leaf(byte[] data) {
        return sha256(new byte[] {0}, data);
    }

    static byte[] node(byte[] left, byte[] right) {
        return sha256(new byte[] {1}, left, right);
    }

    /** k: the largest power of two smaller than n (n > 1), found by counting up. */
    static int split(int n) {
        int k = 1;
        while (k * 2 < n) {
            k *= 2;
        }
        return k;
    }

    /** MTH(D[n]). */
    static byte[] mth(List<byte[]> d) {
        if (d.isEmpty()) {
            return sha256();
        }
        if (d.size() == 1) {
            return leaf(d.get(0));
        }
        int k = split(d.size());
        return node(mth(d.subList(0, k)), mth(d.subList(k, d.size())));
    }

    /** PATH(m, D[n]). */
    static List<byte[]> path(int m, List<byte[]> d) {
        List<byte[]> out = new ArrayList<>();
        if (d.size() <= 1) {
            return out;
        }
        int k = split(d.size());
        if (m < k) {
            out.addAll(path(m, d.subList(0, k)));
            out.add(mth(d.subList(k, d.size())));
        } else {
            out.addAll(path(m - k, d.subList(k, d.size())));
            out.add(mth(d.subList(0, k)));
        }
        return out;
    }

    /** PROOF(m, D[n]) = SUBPROOF(m, D[n], true). */
    static List<byte[]> proof(int m, List<byte[]> d) {
        if (m == 0 || m == d.size()) {
            return new ArrayList<>();
        }
        return subproof(m, d, true);
    }

    private static List<byte[]> subproof(int m, List<byte[]> d, boolean b) {
        List<byte[]> out = new ArrayList<>();
        if (m == d.size()) {
            if (!b) {
                out.add(mth(d));
            }
            return out;
        }
        int k = split(d.size());
        if (m <= k) {
            out.addAll(subproof(m, d.subList(0, k), b));
            out.add(mth(d.subList(k, d.size())));
        } else {
            out.addAll(subproof(m - k, d.subList(k, d.size()), false));
            out.add(mth(d.subList(0, k)));
        }
        return out;
    }

    /**
     * The root implied by an inclusion proof, or null when the proof has the wrong length: walks PATH's
     * recursion, taking the outermost sibling from the end of the list.
     */
    static byte[] rootFromPath(int m, int n, byte[] leafHash, List<byte[]> proof) {
        Deque d = new Deque(proof);
        byte[] r = rootFromPath(m, n, leafHash, d);
        return r != null && d.isEmpty() ? r : null;
    }

    private static byte[] rootFromPath(int m, int n, byte[] leafHash, Deque proof) {
        if (n == 1) {
            return leafHash;
        }
        int k = split(n);
        byte[] sibling = proof.popLast();
        if (sibling == null) {
            return null;
        }
        if (m < k) {
            byte[] left = rootFromPath(m, k, leafHash, proof);
            return left == null ? null : node(left, sibling);
        }
        byte[] right = rootFromPath(m - k, n - k, leafHash, proof);
        return right == null ? null : node(sibling, right);
    }

    static boolean verifyInclusion(int m, int n, byte[] leafHash, List<byte[]> proof, byte[] root) {
        if (m < 0 || m >= n) {
            return false;
        }
        byte[] r = rootFromPath(m, n, leafHash, proof);
        return r != null && Arrays.equals(r, root);
    }

    /** Verifies PROOF(m, D[n]) by rebuilding both roots along SUBPROOF's recursion. */
    static boolean verifyConsistency(int m, int n, byte[] firstRoot, byte[] secondRoot, List<byte[]> proof) {
        if (m < 0 || m > n) {
            return false;
        }
        if (m == n || m == 0) {
            return proof.isEmpty() && Arrays.equals(firstRoot, m == n ? secondRoot : sha256());
        }
        Deque d = new Deque(proof);
        byte[][] roots = rebuild(m, n, true, firstRoot, d);
        return roots != null && d.isEmpty() && Arrays.equals(roots[0], firstRoot)
                && Arrays.equals(roots[1], secondRoot);
    }

    /** {old root of the first m leaves of this subtree, new root of this subtree}. */
    private static byte[][] rebuild(int m, int n, boolean b, byte[] firstRoot, Deque proof) {
        if (m == n) {
            byte[] h = b ? firstRoot : proof.popLast();
            return h == null ? null : new byte[][] {h, h};
        }
        int k = split(n);
        byte[] sibling = proof.popLast();
        if (sibling == null) {
            return null;
        }
        if (m <= k) {
            byte[][] inner = rebuild(m, k, b, firstRoot, proof);
            return inner == null ? null : new byte[][] {inner[0], node(inner[1], sibling)};
        }
        byte[][] inner = rebuild(m - k, n - k, false, firstRoot, proof);
        return inner == null ? null : new byte[][] {node(sibling, inner[0]), node(sibling, inner[1])};
    }

    /** A list consumed from its end. */
    private static final class Deque {
        private final List<byte[]> items;

        Deque(List<byte[]> items) {
            this.items = new ArrayList<>(items);
        }

        byte[] popLast() {
            return items.isEmpty() ? null : items.remove(items.size() - 1);
        }

        boolean isEmpty() {
            return items.isEmpty();
        }
    }
}
