import Autograd
import TestSupport
import Testing

@Suite(.serialized) struct AttentionOpTests {
    /// Runs `body` with each compiled kernel variant this CPU has.
    func forEachVariant(_ body: (InstructionSet) -> Void) {
        for variant in InstructionSet.allCases
        where variant == .generic || InstructionSet.supported == .avx2 {
            InstructionSet.withVariant(variant) { body(variant) }
        }
    }

    /// The same computation from matmul and softmax ops, heads moved to the batch axis and
    /// back; rows past a query length zeroed.
    func composed(
        _ q: Tensor, _ k: Tensor, _ v: Tensor, heads: Int, queryLengths: [Int], keyLengths: [Int]
    ) -> Tensor {
        let (batch, tq, tk) = (q.shape[0], q.shape[1], k.shape[1])
        func split(_ x: Tensor) -> Tensor {
            let (t, w) = (x.shape[1], x.shape[2] / heads)
            return x.reshape([batch, t, heads, w]).permute([0, 2, 1, 3]).reshape([
                batch * heads, t, w,
            ])
        }
        let keyMask = Tensor(
            keyLengths.flatMap { l in (0..<tk).map { $0 < l ? 1 : 0 } }, shape: [batch, 1, 1, tk])
        let scores = Tensor.matmul(split(q), split(k), transposeB: true).reshape([
            batch, heads, tq, tk,
        ])
        let weights = scores.softmax(mask: keyMask).reshape([batch * heads, tq, tk])
        let dv = v.shape[2] / heads
        let out = Tensor.matmul(weights, split(v)).reshape([batch, heads, tq, dv]).permute([
            0, 2, 1, 3,
        ]).reshape([batch, tq, heads * dv])
        let queryMask = Tensor(
            queryLengths.flatMap { l in (0..<tq).map { $0 < l ? 1 : 0 } }, shape: [batch, tq, 1])
        return out * queryMask
    }

    /// The fused op against the composed one, values and gradients, for both kernel variants:
    /// lengths that leave SIMD tails (13 and 20 keys), a sequence with no valid key, one with
    /// no valid query, and heads 5 wide as MulT's.
    @Test(arguments: [
        (tq: 3, tk: 4, d: 5, dv: 3), (tq: 9, tk: 13, d: 5, dv: 5), (tq: 20, tk: 20, d: 2, dv: 4),
    ])
    func fusedAttentionMatchesComposedOps(_ size: (tq: Int, tk: Int, d: Int, dv: Int)) {
        let (batch, heads) = (4, 2)
        let q = randomTensor([batch, size.tq, heads * size.d], seed: 1)
        let k = randomTensor([batch, size.tk, heads * size.d], seed: 2)
        let v = randomTensor([batch, size.tk, heads * size.dv], seed: 3)
        let queryLengths = [size.tq, size.tq - 1, 0, 2]
        let keyLengths = [size.tk, size.tk / 2 + 1, 3, 0]
        let expected = composed(
            q, k, v, heads: heads, queryLengths: queryLengths, keyLengths: keyLengths)
        forEachVariant { variant in
            let fused = Tensor.attention(
                query: q, key: k, value: v, heads: heads, queryLengths: queryLengths,
                keyLengths: keyLengths)
            expectClose(
                fused.scalars, expected.scalars, rtol: 1e-5, atol: 1e-6,
                "forward, \(variant) \(size)")
            let all = Tensor.attention(query: q, key: k, value: v, heads: heads)
            let allExpected = composed(
                q, k, v, heads: heads, queryLengths: [Int](repeating: size.tq, count: batch),
                keyLengths: [Int](repeating: size.tk, count: batch))
            expectClose(
                all.scalars, allExpected.scalars, rtol: 1e-5, atol: 1e-6,
                "forward without lengths, \(variant) \(size)")
            checkGradients([q, k, v], "fused attention, \(variant) \(size)") {
                Tensor.attention(
                    query: $0[0], key: $0[1], value: $0[2], heads: heads,
                    queryLengths: queryLengths, keyLengths: keyLengths)
            }
        }
    }

    /// Packed queries and keys (`[Σ lengths, W]`) give the padded result's valid rows, values
    /// and gradients, under dropout too.
    @Test func packedSequencesMatchPadded() {
        let (heads, tq, tk) = (2, 6, 9)
        let (queryLengths, keyLengths) = ([6, 2, 0, 4], [9, 1, 5, 3])
        let q = randomTensor([4, tq, 6], seed: 31)
        let k = randomTensor([4, tk, 6], seed: 32)
        let v = randomTensor([4, tk, 4], seed: 33)
        func pack(_ x: Tensor, _ lengths: [Int]) -> Tensor {
            let (t, w) = (x.shape[1], x.shape[2])
            return x.reshape([-1, w]).indexSelect(
                rows: lengths.enumerated().flatMap { b, l in (0..<l).map { b * t + $0 } })
        }
        forEachVariant { variant in
            for dropout: Float in [0, 0.3] {
                let padded = Tensor.attention(
                    query: q, key: k, value: v, heads: heads, queryLengths: queryLengths,
                    keyLengths: keyLengths, dropout: dropout, training: true,
                    generator: Generator(seed: 2))
                let packed = Tensor.attention(
                    query: PackedSequences(rows: pack(q, queryLengths), lengths: queryLengths),
                    key: PackedSequences(rows: pack(k, keyLengths), lengths: keyLengths),
                    value: pack(v, keyLengths), heads: heads, dropout: dropout, training: true,
                    generator: Generator(seed: 2))
                #expect(packed.lengths == queryLengths)
                expectClose(
                    packed.rows.scalars, pack(padded, queryLengths).scalars, rtol: 1e-6, atol: 1e-6,
                    "packed, \(variant), dropout \(dropout)")
                let mixed = Tensor.attention(
                    query: q, queryLengths: queryLengths,
                    key: PackedSequences(rows: pack(k, keyLengths), lengths: keyLengths),
                    value: pack(v, keyLengths), heads: heads, dropout: dropout, training: true,
                    generator: Generator(seed: 2))
                expectClose(
                    mixed.scalars, padded.scalars, rtol: 1e-6, atol: 1e-6,
                    "packed keys only, \(variant), dropout \(dropout)")
                checkGradients(
                    [pack(q, queryLengths), pack(k, keyLengths), pack(v, keyLengths)],
                    "packed attention, \(variant), dropout \(dropout)"
                ) {
                    Tensor.attention(
                        query: PackedSequences(rows: $0[0], lengths: queryLengths),
                        key: PackedSequences(rows: $0[1], lengths: keyLengths), value: $0[2],
                        heads: heads, dropout: dropout, training: true,
                        generator: Generator(seed: 2)
                    ).rows
                }
            }
        }
    }

    @Test func dropoutMaskIsTheSameInBackward() {
        let q = randomTensor([2, 3, 8], seed: 4)
        let k = randomTensor([2, 11, 8], seed: 5)
        let v = randomTensor([2, 11, 4], seed: 6)
        forEachVariant { variant in
            // The same generator seed in every evaluation draws the same call seed, hence the same
            // mask.
            checkGradients([q, k, v], "fused attention with dropout, \(variant)") {
                Tensor.attention(
                    query: $0[0], key: $0[1], value: $0[2], heads: 2, keyLengths: [11, 7],
                    dropout: 0.3, training: true, generator: Generator(seed: 8))
            }
            let a = Tensor.attention(
                query: q, key: k, value: v, heads: 2, dropout: 0.3, training: true,
                generator: Generator(seed: 8))
            let b = Tensor.attention(
                query: q, key: k, value: v, heads: 2, dropout: 0.3, training: true,
                generator: Generator(seed: 9))
            #expect(a.scalars != b.scalars)
            let evaluation = Tensor.attention(
                query: q, key: k, value: v, heads: 2, dropout: 0.3, training: false)
            #expect(
                evaluation.scalars == Tensor.attention(query: q, key: k, value: v, heads: 2).scalars
            )
        }
    }

    /// With all scores equal and `v` the identity, the output is the dropout factors over the
    /// number of keys: the dropped fraction must be `p`, the kept ones `1/(1 − p)`, and both
    /// variants must draw the same mask.
    @Test func dropoutDropsTheRightFraction() {
        let (tq, tk, p): (Int, Int, Float) = (64, 67, 0.2)
        let q = Tensor.zeros([1, tq, 1])
        let k = Tensor.zeros([1, tk, 1])
        let v = Tensor(
            (0..<tk).flatMap { j in (0..<tk).map { $0 == j ? Float(tk) : 0 } }, shape: [1, tk, tk])
        var masks: [[Float]] = []
        forEachVariant { _ in
            masks.append(
                Tensor.attention(
                    query: q, key: k, value: v, heads: 1, dropout: p, training: true,
                    generator: Generator(seed: 3)
                ).scalars)
        }
        let factors = masks[0]
        let dropped = Double(factors.filter { $0 == 0 }.count) / Double(factors.count)
        #expect(abs(dropped - Double(p)) < 0.02, "dropped \(dropped) of \(factors.count)")
        #expect(factors.allSatisfy { $0 == 0 || abs($0 - 1 / (1 - p)) < 1e-5 })
        for other in masks.dropFirst() {
            expectClose(other, factors, rtol: 1e-6, atol: 1e-6, "variants draw the same mask")
        }
    }
}
