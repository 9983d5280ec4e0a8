import Autograd
import TestSupport
import Testing

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
