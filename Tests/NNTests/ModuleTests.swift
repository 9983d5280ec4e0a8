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
