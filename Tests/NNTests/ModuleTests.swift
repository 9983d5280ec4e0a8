import Autograd
import Foundation
import HDF5
import NN
import TestSupport
import Testing
import Vocabulary

@Suite struct ModuleTests {
    let generator = Generator(seed: 5)

    /// A small model with nesting, a list and buffers, to exercise keys.
    final class Tiny: Module {
        let text: LSTM
        let bn: BatchNorm1d
        let heads: [Linear]
        init(generator: Generator) {
            text = LSTM(inputSize: 3, hiddenSize: 2, generator: generator)
            bn = BatchNorm1d(2)
            heads = [
                Linear(2, 2, generator: generator), Linear(2, 1, bias: false, generator: generator),
            ]
        }
        override var children: [(key: String, module: Module)] {
            [("text", text), ("bn", bn)] + indexed(heads, prefix: "heads")
        }
    }

    @Test func keysFollowPyTorchStateDictNames() {
        let m = Tiny(generator: generator)
        #expect(
            m.namedParameters().map(\.key) == [
                "text.weight_ih_l0", "text.weight_hh_l0", "text.bias_ih_l0", "text.bias_hh_l0",
                "bn.weight", "bn.bias", "heads.0.weight", "heads.0.bias", "heads.1.weight",
            ])
        #expect(
            m.namedBuffers().map(\.key) == [
                "bn.running_mean", "bn.running_var", "bn.num_batches_tracked",
            ])
        #expect(m.parameterCount == (8 * 3 + 8 * 2 + 8 + 8) + 4 + 6 + 2)
    }

    @Test func trainAndEvalReachEverySubmodule() {
        let m = Tiny(generator: generator)
        m.eval()
        #expect(!m.training && !m.bn.training && !m.heads[1].training && !m.text.training)
        m.train()
        #expect(m.bn.training)
    }

    func temporaryPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent(
            "\(name)-\(UUID().uuidString).h5"
        ).path
    }

    @Test func saveThenLoadIsBitIdentical() throws {
        let a = Tiny(generator: Generator(seed: 1))
        a.bn.runningMean.withUnsafeMutableBufferPointer { $0[1] = 0.123 }
        let path = temporaryPath("roundtrip")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try a.save(to: path)
        let b = Tiny(generator: Generator(seed: 2))
        try b.load(from: path)
        for ((ka, ta), (kb, tb)) in zip(a.stateDict(), b.stateDict()) {
            #expect(ka == kb)
            #expect(ta.scalars.map(\.bitPattern) == tb.scalars.map(\.bitPattern), "\(ka)")
        }
    }

    @Test func loadingAMismatchedCheckpointNamesTheProblem() throws {
        let path = temporaryPath("bad")
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let file = try HDF5File(path: path, mode: .create)
            let good = Tiny(generator: generator)
            for (key, t) in good.stateDict() where key != "heads.0.bias" {
                let shape = key == "bn.weight" ? [3] : t.shape
                try file.write(
                    key, floats: [Float](repeating: 0, count: shape.reduce(1, *)), shape: shape)
            }
            try file.write("extra.weight", floats: [1], shape: [1])
        }
        let m = Tiny(generator: generator)
        let before = m.stateDict().map { $0.tensor.scalars }
        #expect {
            try m.load(from: path)
        } throws: { error in
            let text = "\(error)"
            return text.contains("missing heads.0.bias")
                && text.contains("bn.weight has shape [3], expected [2]")
                && text.contains("unexpected extra.weight") && text.contains(path)
        }
        // Nothing was changed by the failed load.
        #expect(m.stateDict().map { $0.tensor.scalars } == before)
    }
}

@Suite struct InitializerTests {
    @Test func linearDefaultBoundsAndXavierBounds() {
        let g = Generator(seed: 1)
        let w = Linear(100, 50, generator: g).weight.scalars
        #expect(w.allSatisfy { Swift.abs($0) <= 0.1 })
        #expect(w.map { Swift.abs($0) }.max()! > 0.09, "uses the whole range")
        let x = Init.xavierUniform([30, 20], generator: g).scalars
        let bound = Float((6.0 / 50).squareRoot())
        #expect(x.allSatisfy { Swift.abs($0) <= bound })
        // Variance of U(−a, a) is a²/3.
        let variance = x.map { Double($0 * $0) }.reduce(0, +) / Double(x.count)
        #expect(Swift.abs(variance - Double(bound * bound) / 3) < 0.2 * Double(bound * bound) / 3)
    }

    @Test(arguments: [[6, 4], [4, 6], [5, 5], [4, 2, 3]])
    func orthogonalHasOrthonormalRowsOrColumns(_ shape: [Int]) {
        let q = Init.orthogonal(shape, gain: 2, generator: Generator(seed: 3))
        let rows = shape[0]
        let cols = shape.dropFirst().reduce(1, *)
        let m = q.reshape([rows, cols])
        // QᵀQ = g²I when tall, QQᵀ = g²I when wide.
        let gram =
            rows >= cols
            ? Tensor.matmul(m, m, transposeA: true) : Tensor.matmul(m, m, transposeB: true)
        let n = Swift.min(rows, cols)
        let identity = (0..<(n * n)).map { $0 / n == $0 % n ? 4.0 : 0.0 }
        expectClose(
            gram.scalars, identity, rtol: 1e-5, atol: 1e-5, "Gram matrix of orthogonal \(shape)")
    }
}

/// Padding never changes an output: a clip alone and the same clip inside a batch of longer,
/// zero-padded clips give the same values on its true steps.
@Suite struct PaddingInvarianceTests {
    let generator = Generator(seed: 11)

    @Test func lstmOutputsAndFinalStateIgnorePadding() {
        let lstm = LSTM(
            inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, generator: generator)
        let clip = Tensor.uniform([1, 4, 3], low: -1, high: 1, generator: generator)
        let (alone, hAlone, cAlone) = noGrad { lstm(clip, lengths: [4]) }
        // The clip first in a batch padded to 9 steps, beside a clip of length 9.
        let padded = Tensor.concat([clip, Tensor.zeros([1, 5, 3])], axis: 1)
        let other = Tensor.uniform([1, 9, 3], low: -1, high: 1, generator: generator)
        let batch = Tensor.concat([padded, other], axis: 0)
        let (out, h, c) = noGrad { lstm(batch, lengths: [4, 9]) }
        expectClose(
            out.slice(axis: 0, 0..<1).slice(axis: 1, 0..<4).scalars, alone.scalars, rtol: 1e-6,
            atol: 1e-6, "outputs")
        #expect(
            out.slice(axis: 0, 0..<1).slice(axis: 1, 4..<9).scalars.allSatisfy { $0 == 0 },
            "outputs past the length are 0")
        expectClose(
            h.slice(axis: 1, 0..<1).scalars, hAlone.scalars, rtol: 1e-6, atol: 1e-6, "final h")
        expectClose(
            c.slice(axis: 1, 0..<1).scalars, cAlone.scalars, rtol: 1e-6, atol: 1e-6, "final c")
    }

    @Test func attentionIgnoresPaddedKeysAndPaddedQueries() {
        let encoder = TransformerEncoder(
            embedDim: 8, heads: 2, layers: 2, kind: .crossModal, dropout: .init(),
            generator: generator)
        let query = Tensor.uniform([1, 3, 8], low: -1, high: 1, generator: generator)
        let context = Tensor.uniform([1, 5, 8], low: -1, high: 1, generator: generator)
        let alone = noGrad { encoder(query, lengths: [3], context: context, contextLengths: [5]) }
        // Pad the query to 6 steps and the context to 8, with garbage (not zeros) in the padding.
        let queryPadded = Tensor.concat([query, Tensor.full([1, 3, 8], 7)], axis: 1)
        let contextPadded = Tensor.concat([context, Tensor.full([1, 3, 8], -5)], axis: 1)
        let otherQuery = Tensor.uniform([1, 6, 8], low: -1, high: 1, generator: generator)
        let otherContext = Tensor.uniform([1, 8, 8], low: -1, high: 1, generator: generator)
        let batched = noGrad {
            encoder(
                Tensor.concat([otherQuery, queryPadded], axis: 0), lengths: [6, 3],
                context: Tensor.concat([otherContext, contextPadded], axis: 0),
                contextLengths: [8, 5])
        }
        expectClose(
            batched.slice(axis: 0, 1..<2).slice(axis: 1, 0..<3).scalars, alone.scalars, rtol: 1e-5,
            atol: 1e-5, "cross-modal encoder")
    }
}
