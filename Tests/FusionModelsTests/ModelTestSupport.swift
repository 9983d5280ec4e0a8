import Autograd
import Datasets
import Experiments
import Foundation
import FusionModels
import HDF5
import NN
import TestSupport
import Testing
import Vocabulary

/// Small hyperparameters so that the debug-build suite stays fast; the defaults are checked
/// by the parameter counts.
func smallConfigurations() -> ModelConfigurations {
    var c = ModelConfigurations()
    c.efLSTM.hidden = 16
    c.efLSTM.layers = 2
    c.lfDNN.hidden = PerModality(text: 16, audio: 8, video: 16)
    c.lfDNN.textOut = 16
    c.lfDNN.postFusion = 16
    c.tfn.hidden = PerModality(text: 8, audio: 4, video: 8)
    c.tfn.textOut = 8
    c.tfn.postFusion = 16
    c.mfn.hidden = PerModality(text: 16, audio: 8, video: 16)
    c.mfn.memory = 16
    c.mult.dim = 16
    c.mult.heads = 4
    c.mult.layers = 1
    c.misa.hidden = 16
    c.misa.fusionFeedForward = 32
    return c
}

let allSubsets: [[Modality]] = [
    [.text], [.audio], [.video], [.text, .audio], [.text, .video], [.audio, .video],
    [.text, .audio, .video],
]

/// One training-mode forward and backward of `model` on a reference fixture's batch
/// (`inputs/<modality>`, `labels`, and `lengths/<modality>` where given, else every step
/// true), checked against its `outputs/logits`, `outputs/loss` and `grads/inputs/`: logits and
/// loss to 1e-4 relative; input gradients and each parameter's gradient (`expectedGradient`,
/// by our key and parameter) to `rtol` and `atol`. The batcher's alignment, or under the
/// MMSA protocol its `MMSAInputs` (with the fixture's arrays' lengths as the padded lengths),
/// is part of the forward pass for the models that ask for it. Where the fixture has
/// `outputs/eval_logits`, the logits in evaluation mode after that forward are checked too.
func checkAgainstReference(
    _ model: any FusionModel, file: HDF5File, name: String, rtol: Double, atol: Double,
    expectedGradient: (String, Tensor) throws -> [Float]
) throws {
    func tensor(_ name: String) throws -> Tensor {
        let (values, shape) = try file.readFloats(name)
        return Tensor(values, shape: shape)
    }
    var inputs: [Modality: ModalityBatch] = [:]
    for m in Modality.allCases {
        let x = try tensor("inputs/\(m.rawValue)")
        x.requiresGrad = true
        let lengths =
            file.contains("lengths/\(m.rawValue)")
            ? try file.readInt64s("lengths/\(m.rawValue)").values.map { Int($0) }
            : Array(repeating: x.shape[1], count: x.shape[0])
        inputs[m] = ModalityBatch(features: x, lengths: lengths)
    }
    let labels = try file.readInt64s("labels").values.map { Int($0) }
    let batch = FusionBatch(
        inputs: inputs, labels: labels, clipIDs: labels.indices.map { "clip \($0)" },
        textLengths: inputs[.text]!.lengths)
    // The fixture's arrays are padded to the lengths MMSA's are.
    let shaped = model.inputNeeds.shape(batch, padded: inputs.mapValues(\.features.shape[1]))
    let output = model(shaped)
    let loss = TrainingStep.loss(output, labels: labels)
    expectClose(
        output.logits, try tensor("outputs/logits"), rtol: 1e-4, atol: 1e-5, "\(name) logits")
    expectClose(
        [loss.item], try tensor("outputs/loss").scalars, rtol: 1e-4, atol: 1e-5, "\(name) loss")
    loss.backward()
    for m in Modality.allCases {
        expectClose(
            inputs[m]!.features.grad ?? Tensor.zeros(inputs[m]!.features.shape),
            try tensor("grads/inputs/\(m.rawValue)"), rtol: rtol, atol: atol,
            "\(name) d loss/d \(m.rawValue)")
    }
    for (key, p) in model.namedParameters() {
        expectClose(
            (p.grad ?? Tensor.zeros(p.shape)).scalars, try expectedGradient(key, p), rtol: rtol,
            atol: atol, "\(name) d loss/d \(key)")
    }
    // Evaluation mode after that forward (BatchNorm's running statistics), where given.
    if file.contains("outputs/eval_logits") {
        model.eval()
        let logits = noGrad { model(shaped).logits }
        expectClose(
            logits, try tensor("outputs/eval_logits"), rtol: 1e-4, atol: 1e-5,
            "\(name) logits in evaluation mode")
        model.train()
    }
}

/// Loads MMSA's weights (`state/<MMSA key>` of a parity fixture) into `model` through
/// `MMSAStateDict`'s table, and checks that every MMSA entry was used or is listed as having no
/// counterpart. `widths`: the column blocks' widths (`MMSAStateDict.columnBlocks`).
func loadMMSAWeights(
    _ model: any FusionModel, _ kind: ModelName, file: HDF5File, widths: [Modality: Int]
) throws {
    var used: Set<String> = []
    for (key, t) in model.stateDict() {
        let mmsaKey = try #require(MMSAStateDict.key(key, model: kind), "\(key)")
        var values = try file.readFloats("state/\(mmsaKey)").values
        if let blocks = MMSAStateDict.columnBlocks(key, model: kind, widths: widths) {
            values = MMSAStateDict.permuteColumns(values, rows: t.shape[0], blocks: blocks)
        }
        #expect(values.count == t.count, "\(key) against \(mmsaKey)")
        t.withUnsafeMutableBufferPointer { _ = $0.update(fromContentsOf: values) }
        used.insert(mmsaKey)
    }
    let all = Set(try file.names(in: "state"))
    #expect(all.subtracting(used) == Set(MMSAStateDict.unmatched(model: kind)), "unmatched")
}

/// MMSA's gradient of our parameter `key` from a parity fixture, its column blocks in our
/// order.
func mmsaGradient(
    _ key: String, _ p: Tensor, _ kind: ModelName, file: HDF5File, widths: [Modality: Int]
) throws -> [Float] {
    let mmsaKey = try #require(MMSAStateDict.key(key, model: kind))
    let expected = try file.readFloats("grads/params/\(mmsaKey)").values
    guard let blocks = MMSAStateDict.columnBlocks(key, model: kind, widths: widths) else {
        return expected
    }
    return MMSAStateDict.permuteColumns(expected, rows: p.shape[0], blocks: blocks)
}

/// A parity fixture of `Tests/FusionModelsTests/Fixtures`, open for reading.
func parityFixture(_ name: String) throws -> HDF5File {
    try HDF5File(
        path: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/\(name)").path, mode: .read)
}

/// `tools/mmsa_weights.py to-ours`'s checkpoint of `kind` (`Fixtures/converted_<model>.h5`)
/// loads strictly into `model`, by our own names, and reproduces the MMSA fixture `reference`
/// it was converted from (logits, loss, gradients).
func checkConvertedWeights(
    _ model: any FusionModel, _ kind: ModelName, reference: String, widths: [Modality: Int]
) throws {
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures")
    try model.load(from: folder.appendingPathComponent("converted_\(kind.rawValue).h5").path)
    let file = try parityFixture(reference)
    model.train()
    try checkAgainstReference(
        model, file: file, name: "\(kind.displayName) from converted weights", rtol: 1e-3,
        atol: 1e-6
    ) { key, p in try mmsaGradient(key, p, kind, file: file, widths: widths) }
}
