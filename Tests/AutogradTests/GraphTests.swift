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
            let b = Tensor.uniform([3], low: -0.1, high: 0.1, generator: generator, requiresGrad: true)
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
                            step.withUnsafeBufferPointer { s in for i in v.indices { v[i] -= s[i] } }
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
        checkGradients([gates, c], "cell state") { Tensor.lstmCell(gates: $0[0], previous: $0[1]).c }
        checkGradients([gates, c], "hidden state") { Tensor.lstmCell(gates: $0[0], previous: $0[1]).h }
        checkGradients([gates, c], "both states") {
            let (h, c) = Tensor.lstmCell(gates: $0[0], previous: $0[1])
            return h * 0.7 + c * c
        }
    }
    /// The whole-sequence op: outputs, final states and every gradient, with sequences that
    /// end early, in both directions.
    @Test(arguments: [false, true])
    func layerOverSequencesOfDifferentLengths(_ reverse: Bool) {
        let projected = randomTensor([3, 4, 8], low: -1.5, high: 1.5, seed: 3)
        let weight = randomTensor([8, 2], low: -0.8, high: 0.8, seed: 4)
        let lengths = [4, 2, 1]
        // The same recurrence from the cell op, one row at a time.
        let packed = Tensor.lstmLayer(projected: projected, weightHH: weight, lengths: lengths, reverse: reverse)
        for b in 0..<3 {
            var (h, c) = (Tensor.zeros([1, 2]), Tensor.zeros([1, 2]))
            var outputs = [[Float]](repeating: [0, 0], count: 4)
            for t in reverse ? Array((0..<lengths[b]).reversed()) : Array(0..<lengths[b]) {
                let gates = projected.slice(axis: 0, b..<(b + 1)).slice(axis: 1, t..<(t + 1)).reshape([1, 8]) + Tensor.matmul(h, weight, transposeB: true)
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
    /// Two directions in one node (run on two threads) give what two single-direction nodes
    /// give, values and gradients.
    @Test func twoDirectionsInOneNode() {
        let (p1, p2) = (randomTensor([3, 4, 8], low: -1.5, high: 1.5, seed: 5), randomTensor([3, 4, 8], low: -1.5, high: 1.5, seed: 6))
        let (w1, w2) = (randomTensor([8, 2], low: -0.8, high: 0.8, seed: 7), randomTensor([8, 2], low: -0.8, high: 0.8, seed: 8))
        let lengths = [4, 2, 1]
        let packed = Tensor.lstmLayer(projected: [p1, p2], weightHH: [w1, w2], lengths: lengths, reverse: [false, true])
        #expect(packed.shape == [2, 3, 6, 2])
        expectClose(packed.slice(axis: 0, 0..<1).scalars, Tensor.lstmLayer(projected: p1, weightHH: w1, lengths: lengths, reverse: false).scalars, rtol: 0, atol: 0)
        expectClose(packed.slice(axis: 0, 1..<2).scalars, Tensor.lstmLayer(projected: p2, weightHH: w2, lengths: lengths, reverse: true).scalars, rtol: 0, atol: 0)
        checkGradients([p1, p2, w1, w2], "two-direction lstmLayer") {
            Tensor.lstmLayer(projected: [$0[0], $0[1]], weightHH: [$0[2], $0[3]], lengths: lengths, reverse: [false, true])
        }
    }
}

@Suite struct AttentionOpTests {
    /// The fused op against the same computation from primitive ops.
    @Test(arguments: [false, true])
    func fusedAttentionMatchesComposedOps(_ masked: Bool) {
        let (batch, heads, tq, tk, d) = (2, 2, 3, 4, 5)
        let q = randomTensor([batch * heads, tq, d], seed: 1)
        let k = randomTensor([batch * heads, tk, d], seed: 2)
        let v = randomTensor([batch * heads, tk, 3], seed: 3)
        let mask = masked ? Tensor([1, 1, 1, 1, 1, 1, 0, 0], shape: [batch, tk]) : nil
        let fused = Tensor.attention(query: q, key: k, value: v, keyMask: mask, heads: heads)
        let scores = Tensor.matmul(q, k, transposeB: true).reshape([batch, heads, tq, tk])
        let composed = Tensor.matmul(scores.softmax(mask: mask?.reshape([batch, 1, 1, tk])).reshape([batch * heads, tq, tk]), v)
        expectClose(fused.scalars, composed.scalars, rtol: 1e-5, atol: 1e-6, "forward")
        checkGradients([q, k, v], "fused attention masked \(masked)") {
            Tensor.attention(query: $0[0], key: $0[1], value: $0[2], keyMask: mask, heads: heads)
        }
    }

    @Test func dropoutMaskIsTheSameInBackward() {
        let q = randomTensor([2, 3, 4], seed: 4)
        let k = randomTensor([2, 5, 4], seed: 5)
        let v = randomTensor([2, 5, 2], seed: 6)
        // The same generator seed in every evaluation draws the same call seed, hence the same mask.
        checkGradients([q, k, v], "fused attention with dropout") {
            Tensor.attention(query: $0[0], key: $0[1], value: $0[2], heads: 1, dropout: 0.3, training: true, generator: Generator(seed: 8))
        }
        let a = Tensor.attention(query: q, key: k, value: v, heads: 1, dropout: 0.3, training: true, generator: Generator(seed: 8))
        let b = Tensor.attention(query: q, key: k, value: v, heads: 1, dropout: 0.3, training: true, generator: Generator(seed: 9))
        #expect(a.scalars != b.scalars)
    }
}
