import Autograd
import NN
import TestSupport
import Testing

/// Each layer against PyTorch: the same weights and inputs give the same outputs and gradients.
@Suite struct LayerParityTests {
    let generator = Generator(seed: 0)

    @Test func linear() throws {
        let f = try Fixture("linear")
        let m = Linear(5, 4, generator: generator)
        try f.load(into: m)
        let x = try f.input("x")
        try f.expectMatches(["y": m(x)], inputs: ["x": x], module: m)
    }

    @Test func layerNorm() throws {
        let f = try Fixture("layernorm")
        let m = LayerNorm(6)
        try f.load(into: m)
        let x = try f.input("x")
        try f.expectMatches(["y": m(x)], inputs: ["x": x], module: m)
    }

    @Test func batchNormTrainingThenEvaluation() throws {
        let f = try Fixture("batchnorm_train")
        let m = BatchNorm1d(4)
        try f.load(into: m)
        let x = try f.input("x")
        let x3 = try f.input("x3")
        try f.expectMatches(["y": m(x), "y3": m(x3)], inputs: ["x": x, "x3": x3], module: m)
        // Running statistics after the two batches, and evaluation with them.
        let after = try Fixture("batchnorm_eval")
        expectClose(
            m.runningMean, try after.tensor("state/running_mean"), rtol: 1e-5, atol: 1e-6,
            "running_mean")
        expectClose(
            m.runningVar, try after.tensor("state/running_var"), rtol: 1e-5, atol: 1e-6,
            "running_var")
        #expect(m.numBatchesTracked.item == 2)
        m.eval()
        let y = noGrad { m(try! after.tensor("inputs/x")) }
        expectClose(y, try after.tensor("outputs/y"), rtol: 1e-4, atol: 1e-5, "eval output")
    }

    @Test(arguments: [("conv1d_k3", 3, 1, 1, true), ("conv1d_k5_s2_nobias", 5, 0, 2, false)])
    func conv1d(_ name: String, _ k: Int, _ padding: Int, _ stride: Int, _ bias: Bool) throws {
        let f = try Fixture(name)
        let m = Conv1d(
            3, 4, kernelSize: k, padding: padding, stride: stride, bias: bias, generator: generator)
        try f.load(into: m)
        let x = try f.input("x")
        try f.expectMatches(["y": m(x)], inputs: ["x": x], module: m)
    }

    @Test(arguments: [("lstm_bi2", 2, true), ("lstm_uni1", 1, false)])
    func lstmWithTrueLengths(_ name: String, _ layers: Int, _ bidirectional: Bool) throws {
        let f = try Fixture(name)
        let m = LSTM(
            inputSize: 5, hiddenSize: 4, numLayers: layers, bidirectional: bidirectional,
            generator: generator)
        try f.load(into: m)
        let x = try f.input("x")
        let (output, h, c) = m(x, lengths: try f.ints("lengths/x"))
        try f.expectMatches(["output": output, "h": h, "c": c], inputs: ["x": x], module: m)
    }

    @Test func lstmCell() throws {
        let f = try Fixture("lstmcell")
        let m = LSTMCell(inputSize: 5, hiddenSize: 4, generator: generator)
        try f.load(into: m)
        let (x, h, c) = (try f.input("x"), try f.input("h"), try f.input("c"))
        let first = m(x, state: (h, c))
        let second = m(x * 0.5, state: first)
        try f.expectMatches(
            ["h": second.h, "c": second.c], inputs: ["x": x, "h": h, "c": c], module: m)
    }

    @Test func multiheadAttentionWithKeyPadding() throws {
        let f = try Fixture("mha")
        let m = MultiheadAttention(embedDim: 8, heads: 2, generator: generator)
        try f.load(into: m)
        let (q, kv) = (try f.input("q"), try f.input("kv"))
        let y = m(query: q, key: kv, value: kv, keyLengths: try f.ints("lengths/kv"))
        try f.expectMatches(["y": y], inputs: ["q": q, "kv": kv], module: m)
    }

    @Test func mulTCrossModalEncoder() throws {
        let f = try Fixture("mult_cross")
        let m = TransformerEncoder(
            embedDim: 8, heads: 2, layers: 2, kind: .crossModal, dropout: .init(),
            generator: generator)
        try f.load(into: m)
        let (x, kv) = (try f.input("x"), try f.input("kv"))
        let xLengths = try f.ints("lengths/x")
        let y = m(x, lengths: xLengths, context: kv, contextLengths: try f.ints("lengths/kv"))
        try f.expectMatches(["y": y], inputs: ["x": x, "kv": kv], module: m)
    }

    @Test func mulTSelfAttentionEncoder() throws {
        let f = try Fixture("mult_self")
        let m = TransformerEncoder(
            embedDim: 8, heads: 2, layers: 2, kind: .selfAttention, dropout: .init(),
            generator: generator)
        try f.load(into: m)
        let x = try f.input("x")
        try f.expectMatches(
            ["y": m(x, lengths: try f.ints("lengths/x"))], inputs: ["x": x], module: m)
    }
}
