package dev.hallmark.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link MerkleTree} against {@link ReferenceMerkle}, an independent recursive transcription of RFC 9162 section 2.1,
 * and against the published test tree of certificate-transparency's merkle tests.
 */
class MerkleTreeTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final int MAX_N = 40;

    /** The 8 leaves of the certificate-transparency Merkle test tree (RFC 6962 test data). */
    private static final List<byte[]> CT_LEAVES = Stream.of("", "00", "10", "2021", "3031", "40414243",
            "5051525354555657", "606162636465666768696a6b6c6d6e6f").map(HEX::parseHex).toList();
    /** The published roots of the first 1..8 of those leaves. */
    private static final List<String> CT_ROOTS = List.of(
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");

    private static List<byte[]> data(int n) {
        List<byte[]> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(("leaf-" + i).getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }

    private static List<byte[]> leafHashes(List<byte[]> data) {
        return data.stream().map(MerkleTree::leafHash).toList();
    }

    @Test
    void emptyTreeIsTheHashOfNothing() {
        assertThat(HEX.formatHex(MerkleTree.emptyRoot()))
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assertThat(MerkleTree.root(List.of())).isEqualTo(ReferenceMerkle.mth(List.of()));
        assertThat(new MerkleTree.CompactRange().root()).isEqualTo(MerkleTree.emptyRoot());
    }

    @Test
    void leafAndNodeHashesUseTheRfc9162DomainSeparation() {
        byte[] a = {1, 2, 3};
        assertThat(MerkleTree.leafHash(a)).isEqualTo(ReferenceMerkle.sha256(new byte[] {0}, a));
        byte[] l = ReferenceMerkle.sha256(new byte[] {7});
        byte[] r = ReferenceMerkle.sha256(new byte[] {8});
        assertThat(MerkleTree.nodeHash(l, r)).isEqualTo(ReferenceMerkle.sha256(new byte[] {1}, l, r));
        assertThat(MerkleTree.leafHash(new byte[0])).isNotEqualTo(MerkleTree.emptyRoot());
    }

    static IntStream ctSizes() {
        return IntStream.rangeClosed(1, 8);
    }

    @ParameterizedTest(name = "CT test tree of {0} leaves")
    @MethodSource("ctSizes")
    void certificateTransparencyTestTreeRoots(int n) {
        List<byte[]> d = CT_LEAVES.subList(0, n);
        assertThat(HEX.formatHex(ReferenceMerkle.mth(d))).as("reference").isEqualTo(CT_ROOTS.get(n - 1));
        assertThat(HEX.formatHex(MerkleTree.root(leafHashes(d)))).as("production").isEqualTo(CT_ROOTS.get(n - 1));
    }

    static IntStream sizes() {
        return IntStream.rangeClosed(0, MAX_N);
    }

    @ParameterizedTest(name = "n={0}")
    @MethodSource("sizes")
    void rootAndCompactRangeMatchTheReference(int n) {
        List<byte[]> d = data(n);
        byte[] expected = ReferenceMerkle.mth(d);
        assertThat(MerkleTree.root(leafHashes(d))).isEqualTo(expected);
        MerkleTree.CompactRange range = new MerkleTree.CompactRange();
        leafHashes(d).forEach(range::append);
        assertThat(range.size()).isEqualTo(n);
        assertThat(range.root()).isEqualTo(expected);
        MerkleTree.CompactRange restored = MerkleTree.CompactRange.of(n, range.toBytes());
        assertThat(restored.root()).isEqualTo(expected);
        restored.append(MerkleTree.leafHash(new byte[] {9}));
        List<byte[]> longer = new ArrayList<>(d);
        longer.add(new byte[] {9});
        assertThat(restored.root()).as("a restored range keeps extending correctly")
                .isEqualTo(ReferenceMerkle.mth(longer));
    }

    @ParameterizedTest(name = "n={0}")
    @MethodSource("sizes")
    void everyInclusionProofMatchesTheReferenceAndVerifiesBothWays(int n) {
        List<byte[]> d = data(n);
        List<byte[]> hashes = leafHashes(d);
        byte[] root = ReferenceMerkle.mth(d);
        for (int m = 0; m < n; m++) {
            List<byte[]> proof = MerkleTree.inclusionProof(m, n, MerkleTree.hasher(hashes));
            assertThat(proof).as("PATH(%d, D[%d])", m, n).containsExactlyElementsOf(ReferenceMerkle.path(m, d));
            assertThat(ReferenceMerkle.verifyInclusion(m, n, hashes.get(m), proof, root)).isTrue();
            assertThat(MerkleTree.verifyInclusion(m, n, hashes.get(m), proof, root)).isTrue();
            assertRejectsTamperedInclusion(m, n, hashes, proof, root);
        }
    }

    private static void assertRejectsTamperedInclusion(int m, int n, List<byte[]> hashes, List<byte[]> proof,
                                                       byte[] root) {
        byte[] otherLeaf = MerkleTree.leafHash(new byte[] {42});
        assertThat(MerkleTree.verifyInclusion(m, n, otherLeaf, proof, root)).isFalse();
        // Not asserted: the same path can also verify for size n+1 against the size-n root (the RFC algorithm binds
        // the size only through the root, which a signed checkpoint binds to its size).
        assertThat(MerkleTree.verifyInclusion(n, n, hashes.get(m), proof, root)).isFalse();
        if (n > 1) {
            int other = (m + 1) % n;
            assertThat(MerkleTree.verifyInclusion(other, n, hashes.get(m), proof, root)).isFalse();
            for (int i = 0; i < proof.size(); i++) {
                List<byte[]> bad = new ArrayList<>(proof);
                byte[] flipped = bad.get(i).clone();
                flipped[0] ^= 1;
                bad.set(i, flipped);
                assertThat(MerkleTree.verifyInclusion(m, n, hashes.get(m), bad, root)).isFalse();
            }
            assertThat(MerkleTree.verifyInclusion(m, n, hashes.get(m), proof.subList(0, proof.size() - 1), root))
                    .isFalse();
            List<byte[]> extended = new ArrayList<>(proof);
            extended.add(root);
            assertThat(MerkleTree.verifyInclusion(m, n, hashes.get(m), extended, root)).isFalse();
        }
    }

    static Stream<Arguments> consistencyPairs() {
        return IntStream.rangeClosed(1, MAX_N).boxed()
                .flatMap(n -> IntStream.rangeClosed(0, n).mapToObj(m -> Arguments.of(m, n)));
    }

    @Test
    void everyConsistencyProofUpTo40MatchesTheReferenceAndVerifiesBothWays() {
        // One test over all 860 (m, n) pairs rather than 860 report lines; the message names the failing pair.
        consistencyPairs().forEach(a -> checkConsistency((Integer) a.get()[0], (Integer) a.get()[1]));
    }

    private static void checkConsistency(int m, int n) {
        List<byte[]> d = data(n);
        List<byte[]> hashes = leafHashes(d);
        byte[] first = ReferenceMerkle.mth(d.subList(0, m));
        byte[] second = ReferenceMerkle.mth(d);
        List<byte[]> proof = MerkleTree.consistencyProof(m, n, MerkleTree.hasher(hashes));
        String pair = "PROOF(" + m + ", D[" + n + "])";
        assertThat(proof).as(pair).containsExactlyElementsOf(ReferenceMerkle.proof(m, d));
        assertThat(ReferenceMerkle.verifyConsistency(m, n, first, second, proof)).as(pair).isTrue();
        assertThat(MerkleTree.verifyConsistency(m, n, first, second, proof)).as(pair).isTrue();
        assertThat(new ConsistencyProof(m, n, proof).verify(first, second)).as(pair).isTrue();
        if (m == 0 || m == n) {
            return;
        }
        byte[] wrong = MerkleTree.leafHash(new byte[] {42});
        assertThat(MerkleTree.verifyConsistency(m, n, wrong, second, proof)).as(pair).isFalse();
        assertThat(MerkleTree.verifyConsistency(m, n, first, wrong, proof)).as(pair).isFalse();
        assertThat(MerkleTree.verifyConsistency(m, n, first, second, List.of())).as(pair).isFalse();
        for (int i = 0; i < proof.size(); i++) {
            List<byte[]> bad = new ArrayList<>(proof);
            byte[] flipped = bad.get(i).clone();
            flipped[31] ^= 1;
            bad.set(i, flipped);
            assertThat(MerkleTree.verifyConsistency(m, n, first, second, bad)).as(pair + " flipped " + i).isFalse();
            assertThat(ReferenceMerkle.verifyConsistency(m, n, first, second, bad)).as(pair).isFalse();
        }
        if (m + 1 < n) {
            byte[] forkedFirst = ReferenceMerkle.mth(forked(d, m));
            assertThat(MerkleTree.verifyConsistency(m, n, forkedFirst, second, proof))
                    .as(pair + " from a forked prefix").isFalse();
        }
    }

    /** The first m leaves with the last one changed: a fork of the older tree. */
    private static List<byte[]> forked(List<byte[]> d, int m) {
        List<byte[]> f = new ArrayList<>(d.subList(0, m));
        f.set(m - 1, "forked".getBytes(StandardCharsets.UTF_8));
        return f;
    }

    @Test
    void consistencyWithTheEmptyTreeAndWithItself() {
        List<byte[]> d = data(5);
        byte[] root = ReferenceMerkle.mth(d);
        assertThat(MerkleTree.verifyConsistency(0, 5, MerkleTree.emptyRoot(), root, List.of())).isTrue();
        assertThat(MerkleTree.verifyConsistency(0, 5, root, root, List.of())).isFalse();
        assertThat(MerkleTree.verifyConsistency(5, 5, root, root, List.of())).isTrue();
        assertThat(MerkleTree.verifyConsistency(5, 5, root, root, List.of(root))).isFalse();
        assertThat(MerkleTree.verifyConsistency(6, 5, root, root, List.of())).isFalse();
    }

    @Test
    void proofsRejectOutOfRangeArguments() {
        MerkleTree.RangeHasher h = MerkleTree.hasher(leafHashes(data(4)));
        assertThatThrownBy(() -> MerkleTree.inclusionProof(4, 4, h)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MerkleTree.inclusionProof(-1, 4, h)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MerkleTree.consistencyProof(5, 4, h)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MerkleTree.consistencyProof(-1, 4, h))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void compactRangeRejectsAFrontierThatDoesNotFitItsSize() {
        MerkleTree.CompactRange r = new MerkleTree.CompactRange();
        leafHashes(data(3)).forEach(r::append);
        assertThatThrownBy(() -> MerkleTree.CompactRange.of(4, r.toBytes()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MerkleTree.CompactRange.of(-1, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> r.append(new byte[31])).isInstanceOf(IllegalArgumentException.class);
    }
}
