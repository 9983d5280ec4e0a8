import Autograd
import TestSupport
import Testing

@Suite struct GraphTests {
    @Test func gradientsAccumulateOverReuse() {
        let x = Tensor([2, -3], shape: [2], requiresGrad: true)
        // y = Σ (x·x + 3x) → dy/dx = 2x + 3
        let y = (x * x + x * 3).sum()
        y.backward()
        #expect(x.grad?.scalars == [7, -3])
        // A second backward adds to the leaf's gradient, as in PyTorch.
        (x * 2).sum().backward()
        #expect(x.grad?.scalars == [9, -1])
    }

    @Test func detachAndNoGradStopGradients() {
        let x = Tensor([1, 2], shape: [2], requiresGrad: true)
        let y = (x * x.detached()).sum()
        y.backward()
        #expect(x.grad?.scalars == [1, 2])
        let z = noGrad { x * 3 }
        #expect(!z.requiresGrad)
    }

    @Test func constantsGetNoGradient() {
        let x = Tensor([1, 2], shape: [2], requiresGrad: true)
        let c = Tensor([5, 5], shape: [2])
        (x * c).sum().backward()
        #expect(c.grad == nil)
        #expect(x.grad?.scalars == [5, 5])
    }

    @Test func backwardReleasesTheGraph() {
        let x = Tensor([1, 2, 3], shape: [3], requiresGrad: true)
        weak var intermediate: Tensor?
        var loss: Tensor?
        do {
            let h = (x * 2).tanh()
            intermediate = h
            loss = h.sum()
        }
        #expect(intermediate != nil, "the graph holds the intermediate before backward")
        loss?.backward()
        #expect(intermediate == nil, "backward released the intermediate")
        #expect(x.grad != nil)
    }

    @Test func deepGraphsDoNotOverflowTheStack() {
        // 20,000 sequential ops, as an unrolled LSTM over a long clip makes.
        let x = Tensor([0.5], shape: [1], requiresGrad: true)
        var h = x
        for _ in 0..<20_000 { h = h * 1.0001 }
        h.sum().backward()
        expectClose(x.grad!.scalars, [Double(Float(1.0001)).pow(20_000)], rtol: 1e-3)
        var g = x
        for _ in 0..<20_000 { g = g + 1 }
        g.releaseGraph()
    }

    @Test func sameSeedSameBits() {
        func run(seed: UInt64) -> [Float] {
            let generator = Generator(seed: seed)
            let w = Tensor.normal([4, 3], std: 0.5, generator: generator, requiresGrad: true)
            let b = Tensor.uniform(
                [3], low: -0.1, high: 0.1, generator: generator, requiresGrad: true)
            let x = Tensor.normal([8, 4], generator: generator)
            var losses: [Float] = []
            for _ in 0..<5 {
                let h = (x.matmul(w) + b).dropout(0.5, training: true, generator: generator)
                let loss = Tensor.crossEntropy(logits: h, targets: [0, 1, 2, 0, 1, 2, 0, 1])
                losses.append(loss.item)
                loss.backward()
                noGrad {
                    for p in [w, b] {
                        let step = p.grad! * 0.1
                        p.withUnsafeMutableBufferPointer { v in
                            step.withUnsafeBufferPointer { s in for i in v.indices { v[i] -= s[i] }
                            }
                        }
                        p.grad = nil
                    }
                }
            }
            return losses + w.scalars + b.scalars
        }
        #expect(run(seed: 42) == run(seed: 42))
        #expect(run(seed: 42) != run(seed: 43))
    }
}

extension Double {
    func pow(_ n: Int) -> Double { (0..<n).reduce(1.0) { r, _ in r * self } }
}

@Suite struct LSTMCellOpTests {
    @Test func fusedCellMatchesComposedOps() {
        let gates = randomTensor([3, 8], low: -2, high: 2, seed: 1)
        let c = randomTensor([3, 2], seed: 2)
        let parts = gates.split(axis: 1, sizes: [2, 2, 2, 2])
        let expectedC = parts[1].sigmoid() * c + parts[0].sigmoid() * parts[2].tanh()
        let expectedH = parts[3].sigmoid() * expectedC.tanh()
        let (h, newC) = Tensor.lstmCell(gates: gates, previous: c)
        expectClose(newC.scalars, expectedC.scalars, rtol: 1e-6, atol: 1e-7)
        expectClose(h.scalars, expectedH.scalars, rtol: 1e-6, atol: 1e-7)
        checkGradients([gates, c], "cell state") {
            Tensor.lstmCell(gates: $0[0], previous: $0[1]).c
        }
        checkGradients([gates, c], "hidden state") {
            Tensor.lstmCell(gates: $0[0], previous: $0[1]).h
        }
        checkGradients([gates, c], "both states") {
            let (h, c) = Tensor.lstmCell(gates: $0[0], previous: $0[1])
            return h * 0.7 + c * c
        }
    }
    /// The whole-sequence op: outputs, final states and every gradient, with sequences that
    /// end early, in both directions.
    /// Lengths in any order, ties and an empty sequence included: the op sorts rows by length
    /// inside and must give each row back in its place.
    @Test(arguments: [
        (false, [4, 2, 1]), (true, [4, 2, 1]), (false, [1, 4, 0, 2, 4]), (true, [1, 4, 0, 2, 4]),
    ])
    func layerOverSequencesOfDifferentLengths(_ reverse: Bool, _ lengths: [Int]) {
        let batch = lengths.count
        let projected = randomTensor([batch, 4, 8], low: -1.5, high: 1.5, seed: 3)
        let weight = randomTensor([8, 2], low: -0.8, high: 0.8, seed: 4)
        // The same recurrence from the cell op, one row at a time.
        let packed = Tensor.lstmLayer(
            projected: projected, weightHH: weight, lengths: lengths, reverse: reverse)
        for b in 0..<batch {
            var (h, c) = (Tensor.zeros([1, 2]), Tensor.zeros([1, 2]))
            var outputs = [[Float]](repeating: [0, 0], count: 4)
            for t in reverse ? Array((0..<lengths[b]).reversed()) : Array(0..<lengths[b]) {
                let gates =
                    projected.slice(axis: 0, b..<(b + 1)).slice(axis: 1, t..<(t + 1)).reshape([
                        1, 8,
                    ]) + Tensor.matmul(h, weight, transposeB: true)
                (h, c) = Tensor.lstmCell(gates: gates, previous: c)
                outputs[t] = h.scalars
            }
            let row = packed.slice(axis: 0, b..<(b + 1)).scalars
            expectClose(Array(row[0..<8]), outputs.flatMap { $0 }, rtol: 1e-5, atol: 1e-6)
            expectClose(Array(row[8..<10]), h.scalars, rtol: 1e-5, atol: 1e-6)
            expectClose(Array(row[10..<12]), c.scalars, rtol: 1e-5, atol: 1e-6)
        }
        checkGradients([projected, weight], "lstmLayer reverse=\(reverse)") {
            Tensor.lstmLayer(projected: $0[0], weightHH: $0[1], lengths: lengths, reverse: reverse)
        }
    }
    /// A single direction big enough per step (21 x 384 x 96 multiply-adds) splits each
    /// step's rows across two threads: outputs and gradients agree with one thread's, with
    /// rows ending at different steps in both blocks.
    @Test(arguments: [false, true])
    func stepsSplitAcrossThreadsMatchOneThread(_ reverse: Bool) {
        let (batch, steps, hidden) = (21, 5, 96)
        let projected = randomTensor([batch, steps, 4 * hidden], low: -1.5, high: 1.5, seed: 9)
        let weight = randomTensor([4 * hidden, hidden], low: -0.2, high: 0.2, seed: 10)
        let upstream = randomTensor([batch, steps + 2, hidden], seed: 11)
        let lengths = (0..<batch).map { [5, 3, 1, 4, 2][$0 % 5] }
        var results: [[Float]] = []
        for threads in [1, 2] {
            BLAS.withThreads(threads) {
                for t in [projected, weight] {
                    t.requiresGrad = true
                    t.grad = nil
                }
                let out = Tensor.lstmLayer(
                    projected: projected, weightHH: weight, lengths: lengths, reverse: reverse)
                (out * upstream).sum().backward()
                results.append(out.scalars + projected.grad!.scalars + weight.grad!.scalars)
            }
        }
        expectClose(
            results[1], results[0].map(Double.init), rtol: 1e-5, atol: 1e-6, "reverse \(reverse)")
    }
    /// Two directions in one node (run on two threads) give what two single-direction nodes
    /// give, values and gradients.
    @Test func twoDirectionsInOneNode() {
        let (p1, p2) = (
            randomTensor([3, 4, 8], low: -1.5, high: 1.5, seed: 5),
            randomTensor([3, 4, 8], low: -1.5, high: 1.5, seed: 6)
        )
        let (w1, w2) = (
            randomTensor([8, 2], low: -0.8, high: 0.8, seed: 7),
            randomTensor([8, 2], low: -0.8, high: 0.8, seed: 8)
        )
        let lengths = [4, 2, 1]
        let packed = Tensor.lstmLayer(
            projected: [p1, p2], weightHH: [w1, w2], lengths: lengths, reverse: [false, true])
        #expect(packed.shape == [2, 3, 6, 2])
        expectClose(
            packed.slice(axis: 0, 0..<1).scalars,
            Tensor.lstmLayer(projected: p1, weightHH: w1, lengths: lengths, reverse: false).scalars,
            rtol: 0, atol: 0)
        expectClose(
            packed.slice(axis: 0, 1..<2).scalars,
            Tensor.lstmLayer(projected: p2, weightHH: w2, lengths: lengths, reverse: true).scalars,
            rtol: 0, atol: 0)
        checkGradients([p1, p2, w1, w2], "two-direction lstmLayer") {
            Tensor.lstmLayer(
                projected: [$0[0], $0[1]], weightHH: [$0[2], $0[3]], lengths: lengths,
                reverse: [false, true])
        }
    }
}

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
                    query: pack(q, queryLengths), key: pack(k, keyLengths),
                    value: pack(v, keyLengths), heads: heads, queryLengths: queryLengths,
                    keyLengths: keyLengths, dropout: dropout, training: true,
                    generator: Generator(seed: 2))
                expectClose(
                    packed.scalars, pack(padded, queryLengths).scalars, rtol: 1e-6, atol: 1e-6,
                    "packed, \(variant), dropout \(dropout)")
                let mixed = Tensor.attention(
                    query: q, key: pack(k, keyLengths), value: pack(v, keyLengths), heads: heads,
                    queryLengths: queryLengths, keyLengths: keyLengths, dropout: dropout,
                    training: true, generator: Generator(seed: 2))
                expectClose(
                    mixed.scalars, padded.scalars, rtol: 1e-6, atol: 1e-6,
                    "packed keys only, \(variant), dropout \(dropout)")
                checkGradients(
                    [pack(q, queryLengths), pack(k, keyLengths), pack(v, keyLengths)],
                    "packed attention, \(variant), dropout \(dropout)"
                ) {
                    Tensor.attention(
                        query: $0[0], key: $0[1], value: $0[2], heads: heads,
                        queryLengths: queryLengths, keyLengths: keyLengths, dropout: dropout,
                        training: true, generator: Generator(seed: 2))
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

@Suite struct LayerNormOpTests {
    /// The same normalisation from primitive ops.
    func composed(_ x: Tensor, _ weight: Tensor, _ bias: Tensor, eps: Float) -> Tensor {
        let centered = x - x.mean(axes: [-1], keepDims: true)
        let variance = (centered * centered).mean(axes: [-1], keepDims: true)
        return centered / (variance + eps).sqrt() * weight + bias
    }

    /// Widths with and without a SIMD tail; 150 rows span several blocks of the parameter sums.
    @Test(arguments: [(rows: 3, width: 5), (rows: 150, width: 13), (rows: 2, width: 16)])
    func fusedLayerNormMatchesComposedOps(_ size: (rows: Int, width: Int)) {
        let x = randomTensor([size.rows, 1, size.width], low: -2, high: 2, seed: 11)
        let weight = randomTensor([size.width], low: 0.5, high: 1.5, seed: 12)
        let bias = randomTensor([size.width], seed: 13)
        let fused = Tensor.layerNorm(x, weight: weight, bias: bias, eps: 1e-5)
        expectClose(
            fused.scalars, composed(x, weight, bias, eps: 1e-5).scalars, rtol: 1e-5, atol: 1e-5,
            "forward \(size)")
        // Gradients against the composed ops (exact) and, on the small case, finite differences.
        for t in [x, weight, bias] { t.requiresGrad = true }
        let upstream = randomTensor(x.shape, seed: 14)
        (Tensor.layerNorm(x, weight: weight, bias: bias, eps: 1e-5) * upstream).sum().backward()
        let fusedGrads = [x, weight, bias].map { $0.grad!.scalars }
        for t in [x, weight, bias] { t.grad = nil }
        (composed(x, weight, bias, eps: 1e-5) * upstream).sum().backward()
        for (t, g) in zip([x, weight, bias], fusedGrads) {
            expectClose(g, t.grad!.scalars, rtol: 1e-4, atol: 1e-5, "gradient \(t.shape) \(size)")
        }
        if size.rows * size.width < 100 {
            checkGradients([x, weight, bias], "layer norm \(size)") {
                Tensor.layerNorm($0[0], weight: $0[1], bias: $0[2], eps: 1e-5)
            }
        }
    }

    @Test func parameterGradientsDoNotDependOnThreads() {
        let x = randomTensor([4096, 64], seed: 21)  // 256K elements: split across threads
        let (weight, bias) = (randomTensor([64], seed: 22), randomTensor([64], seed: 23))
        var results: [[Float]] = []
        for threads in [1, 2] {
            BLAS.withThreads(threads) {
                for t in [weight, bias] {
                    t.requiresGrad = true
                    t.grad = nil
                }
                (Tensor.layerNorm(x, weight: weight, bias: bias, eps: 1e-5) * x).sum().backward()
                results.append(weight.grad!.scalars + bias.grad!.scalars)
            }
        }
        #expect(results[0] == results[1])
    }
}
