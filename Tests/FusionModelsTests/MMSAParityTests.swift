import Autograd
import Experiments
import Foundation
import FusionModels
import HDF5
import NN
import TestSupport
import Testing
import Vocabulary

/// LF-DNN, TFN, MulT and MFN against MMSA 2.2.1's own classes (`make_mmsa_parity.py` builds
/// `MMSA/models/singleTask/LF_DNN.py`, `TFN.py`, `MULT.py` and `MFN.py`, not twins of ours): MMSA's weights loaded
/// through `MMSAStateDict`'s table, one training-mode forward and backward on a batch without
/// padding; logits and loss to 1e-4, every parameter and input gradient to 1e-3 relative.
@Suite struct MMSAParityTests {
    /// Our model of `kind` at the sizes `make_mmsa_parity.py` gives MMSA's, dropout 0.
    static func model(_ kind: ModelName) -> any FusionModel {
        configurations().make(
            kind,
            problem: FusionProblem(
                modalities: Modality.allCases, dims: [.text: 6, .audio: 3, .video: 5], classes: 3),
            generator: Generator(seed: 0))
    }

    /// LF-DNN's fused vector: each encoder's output width (`MMSAStateDict.columnBlocks`).
    static let widths: [Modality: Int] = [.text: 4, .audio: 3, .video: 5]

    /// LF-DNN, TFN, MulT and MFN at the sizes `make_mmsa_parity.py` gives MMSA's, dropout 0.
    static func configurations() -> ModelConfigurations {
        var config = LateFusionConfig.lfDNN
        config.hidden = PerModality(text: 4, audio: 3, video: 5)
        config.textOut = 4
        config.postFusion = 6
        config.dropout = PerModality(text: 0, audio: 0, video: 0)
        config.postFusionDropout = 0
        var configurations = ModelConfigurations()
        configurations.lfDNN = config
        // TFN differs from LF-DNN only in its fusion.
        configurations.tfn = config
        // MulT as make_mmsa_parity.py builds MMSA's: 8 wide, 2 heads, one cross-modal layer,
        // kernel-1 projections, no dropout, the future mask on, and no positions (MMSA has none).
        configurations.mult.dim = 8
        configurations.mult.heads = 2
        configurations.mult.layers = 1
        configurations.mult.kernel = PerModality(text: 1, audio: 1, video: 1)
        for keyPath: WritableKeyPath<MulTConfig, Float> in [
            \.attentionDropout, \.attentionDropoutAudio, \.attentionDropoutVideo, \.reluDropout,
            \.embeddingDropout, \.residualDropout, \.textDropout, \.outputDropout,
        ] {
            configurations.mult[keyPath: keyPath] = 0
        }
        configurations.mult.positions = false
        configurations.mult.audioPool = 1
        // MFN as MMSA's: 4/3/5-wide cells, memory 6, the layers' widths, no dropout.
        configurations.mfn.hidden = PerModality(text: 4, audio: 3, video: 5)
        configurations.mfn.memory = 6
        configurations.mfn.attention.dropout = 0
        configurations.mfn.attention.width = 7
        configurations.mfn.candidate.dropout = 0
        configurations.mfn.candidate.width = 5
        configurations.mfn.retainGate.dropout = 0
        configurations.mfn.retainGate.width = 4
        configurations.mfn.updateGate.dropout = 0
        configurations.mfn.updateGate.width = 3
        configurations.mfn.output.dropout = 0
        configurations.mfn.output.width = 6
        return configurations
    }

    /// `tools/mmsa_weights.py to-ours` on the parity fixtures' MMSA weights gives checkpoints
    /// (`Fixtures/converted_<model>.h5`) that our models load strictly, by our own names, and
    /// that reproduce MMSA's logits, loss and gradients.
    @Test(arguments: [ModelName.lfDNN, .tfn, .mult, .mfn])
    func convertedWeightsLoadAndReproduceMMSA(_ kind: ModelName) throws {
        try checkConvertedWeights(
            Self.model(kind), kind, reference: "mmsa_\(kind.rawValue).h5", widths: Self.widths)
    }

    @Test(arguments: [ModelName.lfDNN, .tfn, .mult, .mfn])
    func matchesMMSAsOwnModel(_ kind: ModelName) throws {
        let file = try parityFixture("mmsa_\(kind.rawValue).h5")
        let model = Self.model(kind)
        let widths = Self.widths
        try loadMMSAWeights(model, kind, file: file, widths: widths)
        model.train()
        try checkAgainstReference(
            model, file: file, name: "\(kind.displayName) against MMSA", rtol: 1e-3, atol: 1e-6
        ) { key, p in try mmsaGradient(key, p, kind, file: file, widths: widths) }
    }
}
