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
/// by our key and parameter) to `rtol` and `atol`. The batcher's alignment is part of the
/// forward pass for the models that ask for it.
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
    let output = model(model.inputNeeds.alignedToText ? batch.aligningToText() : batch)
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
}
