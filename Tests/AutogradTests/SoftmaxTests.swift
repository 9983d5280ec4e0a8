import Autograd
import Foundation
import TestSupport
import Testing

@Suite struct SoftmaxTests {
    @Test func softmaxMatchesDefinition() {
        let x = randomTensor([3, 5], low: -3, high: 3)
        let y = x.softmax()
        for r in 0..<3 {
            let row = x.scalars[(r * 5)..<(r * 5 + 5)].map { Foundation.exp(Double($0)) }
            let total = row.reduce(0, +)
            expectClose(
                Array(y.scalars[(r * 5)..<(r * 5 + 5)]), row.map { $0 / total }, rtol: 1e-6,
                atol: 1e-7)
        }
        expectClose(
            x.logSoftmax().scalars, y.scalars.map { Foundation.log($0) }, rtol: 1e-5, atol: 1e-6)
        checkGradients([x], "softmax") { $0[0].softmax() }
        checkGradients([x], "logSoftmax") { $0[0].logSoftmax() }
    }

    @Test func largeLogitsStayFinite() {
        let y = Tensor([1000, 1001, -1000], shape: [1, 3]).softmax().scalars
        #expect(y.allSatisfy { $0.isFinite })
        expectClose(y, [0.26894142, 0.73105858, 0], rtol: 1e-6, atol: 1e-7)
    }

    @Test func maskedEntriesGetNothing() {
        // Mask [B=2, 1, T=4] broadcast over 3 queries: the second sequence has 2 valid keys.
        let mask = Tensor([1, 1, 1, 1, 1, 1, 0, 0], shape: [2, 1, 4])
        let x = randomTensor([2, 3, 4], seed: 4)
        let y = x.softmax(mask: mask)
        let valid = x.slice(axis: 2, 0..<2).slice(axis: 0, 1..<2).softmax()
        expectClose(
            y.slice(axis: 0, 1..<2).slice(axis: 2, 0..<2).scalars, valid.scalars, rtol: 1e-6,
            atol: 1e-7)
        #expect(y.slice(axis: 0, 1..<2).slice(axis: 2, 2..<4).scalars.allSatisfy { $0 == 0 })
        let logY = x.logSoftmax(mask: mask)
        #expect(
            logY.slice(axis: 0, 1..<2).slice(axis: 2, 2..<4).scalars.allSatisfy { $0 == -.infinity }
        )
        checkGradients([x], "masked softmax") { $0[0].softmax(mask: mask) }
        // Masked log-probabilities are -inf; weight only the finite ones in the check.
        checkGradients([x], "masked logSoftmax") {
            Tensor.where(
                mask.expand(to: [2, 3, 4]), $0[0].logSoftmax(mask: mask), Tensor(scalar: 0))
        }
    }

    @Test func fullyMaskedRowIsZeroNotNaN() {
        let y = Tensor([1, 2, 3, 4], shape: [2, 2]).softmax(
            mask: Tensor([1, 1, 0, 0], shape: [2, 2]))
        #expect(y.scalars[2] == 0 && y.scalars[3] == 0)
        #expect(!y.scalars.contains { $0.isNaN })
    }

    @Test func crossEntropyPlainAndWeighted() {
        let logits = Tensor([2, 1, 0.1, 0.5, 2.5, 0.3, 1, 1, 1, 0, 0, 5], shape: [4, 3])
        let targets = [0, 1, 2, 2]
        // Reference: −log softmax by hand in Double.
        func nll(_ i: Int) -> Double {
            let row = (0..<3).map { Double(logits.scalars[i * 3 + $0]) }
            let lse = Foundation.log(row.map { Foundation.exp($0) }.reduce(0, +))
            return lse - row[targets[i]]
        }
        let terms = (0..<4).map(nll)
        let plain = Tensor.crossEntropy(logits: logits, targets: targets)
        expectClose([plain.item], [terms.reduce(0, +) / 4], rtol: 1e-6)
        let w: [Float] = [1, 2, 0.5]
        let weighted = Tensor.crossEntropy(logits: logits, targets: targets, classWeights: w)
        // PyTorch's weighted mean: Σ w_y·nll / Σ w_y.
        let num = (0..<4).map { Double(w[targets[$0]]) * terms[$0] }.reduce(0, +)
        let den = targets.map { Double(w[$0]) }.reduce(0, +)
        expectClose([weighted.item], [num / den], rtol: 1e-6)
        checkGradients([logits.copy()], "cross-entropy") {
            Tensor.crossEntropy(logits: $0[0], targets: targets)
        }
        checkGradients([logits.copy()], "weighted cross-entropy") {
            Tensor.crossEntropy(logits: $0[0], targets: targets, classWeights: w)
        }
    }
}
