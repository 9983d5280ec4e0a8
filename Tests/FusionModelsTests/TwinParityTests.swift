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

/// `smallConfigurations()` with every dropout 0 (MulT's future mask on, as its twin's): what
/// `make_model_reference.py` builds.
func parityConfigurations() -> ModelConfigurations {
    var c = smallConfigurations()
    c.efLSTM.dropout = 0
    c.lfDNN.dropout = PerModality(text: 0, audio: 0, video: 0)
    c.lfDNN.postFusionDropout = 0
    c.tfn.dropout = PerModality(text: 0, audio: 0, video: 0)
    c.tfn.postFusionDropout = 0
    for keyPath: WritableKeyPath<MFNConfig, MFNConfig.Block> in [
        \.attention, \.candidate, \.retainGate, \.updateGate, \.output,
    ] {
        c.mfn[keyPath: keyPath].dropout = 0
    }
    c.mult.attentionDropout = 0
    c.mult.attentionDropoutAudio = 0
    c.mult.attentionDropoutVideo = 0
    c.mult.embeddingDropout = 0
    c.mult.residualDropout = 0
    c.mult.textDropout = 0
    c.mult.outputDropout = 0
    c.misa.fusionDropout = 0
    return c
}

/// Each model against its PyTorch twin (`Tests/Fixtures/Reference/make_model_reference.py`):
/// the twin's weights loaded into ours, one padded batch with true lengths, then logits, loss,
/// and every input and parameter gradient, with the largest difference printed per tensor.
@Suite struct TwinParityTests {
    @Test(arguments: ModelName.fusionModels)
    func matchesThePyTorchTwin(_ kind: ModelName) throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/\(kind.rawValue).h5").path
        let file = try HDF5File(path: path, mode: .read)
        func tensor(_ name: String) throws -> Tensor {
            let (values, shape) = try file.readFloats(name)
            return Tensor(values, shape: shape)
        }
        let model = parityConfigurations().make(
            kind,
            problem: FusionProblem(
                modalities: Modality.allCases, dims: [.text: 6, .audio: 3, .video: 5], classes: 3),
            generator: Generator(seed: 0))
        try model.load(from: path, group: "state")
        model.train()
        try checkAgainstReference(
            model, file: file, name: kind.displayName, rtol: 1e-4, atol: 1e-5
        ) { key, _ in try file.readFloats("grads/params/\(key)").values }
    }
}
