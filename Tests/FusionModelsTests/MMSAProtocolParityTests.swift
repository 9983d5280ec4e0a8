import Autograd
import Experiments
import Foundation
import FusionModels
import HDF5
import NN
import TestSupport
import Testing
import Vocabulary

/// All six models under `--protocol mmsa` against MMSA 2.2.1's own code run as MMSA runs it
/// (`make_mmsa_protocol_parity.py`: MMSA's `AMIO` wrapper with its AlignSubNet, the data
/// loader's time means, MISA's text-length packing and its trainer's losses) on a batch whose
/// clips have their own lengths, zero-padded at the end: our batch of true lengths through
/// `MMSAInputs` (padded lengths: the fixture's arrays'), MMSA's weights through
/// `MMSAStateDict`; logits and loss to 1e-4, every parameter gradient and the gradient with
/// respect to every padded input frame to 1e-3 relative.
@Suite struct MMSAProtocolParityTests {
    static let padded: [Modality: Int] = [.text: 6, .audio: 11, .video: 8]

    /// Our model of `kind` at the sizes the script gives MMSA's, dropout 0.
    static func model(_ kind: ModelName) -> any FusionModel {
        // LF-DNN, TFN and MFN as in make_mmsa_parity.py.
        var configurations = MMSAParityTests.configurations()
        configurations.efLSTM.hidden = 5
        configurations.efLSTM.layers = 2
        configurations.efLSTM.dropout = 0
        // MulT with a kernel-3 text projection, which MMSA pads nothing around.
        configurations.mult.kernel = PerModality(text: 3, audio: 1, video: 1)
        configurations.misa.hidden = 8
        configurations.misa.fusionFeedForward = 2048  // MMSA's nn.TransformerEncoderLayer default
        configurations.misa.fusionDropout = 0
        let dims: [Modality: Int] = [.text: kind == .misa ? 768 : 6, .audio: 3, .video: 5]
        let problem = FusionProblem(
            modalities: Modality.allCases, dims: dims, classes: 3, inputProtocol: .mmsa,
            paddedLengths: padded)
        return configurations.make(kind, problem: problem, generator: Generator(seed: 0))
    }

    /// The column blocks' widths: MISA's tokens are its hidden size wide; LF-DNN's encoders'.
    static func widths(_ kind: ModelName) -> [Modality: Int] {
        kind == .misa ? [.text: 8, .audio: 8, .video: 8] : MMSAParityTests.widths
    }

    @Test(arguments: [ModelName.efLSTM, .lfDNN, .tfn, .mfn, .mult, .misa])
    func matchesMMSAsCodeOnPaddedClips(_ kind: ModelName) throws {
        let file = try parityFixture("mmsa_protocol_\(kind.rawValue).h5")
        let model = Self.model(kind)
        #expect(model.inputNeeds.mmsa != nil)
        let widths = Self.widths(kind)
        try loadMMSAWeights(model, kind, file: file, widths: widths)
        model.train()
        try checkAgainstReference(
            model, file: file, name: "\(kind.displayName) (MMSA protocol) against MMSA",
            rtol: 1e-3, atol: 1e-6
        ) { key, p in try mmsaGradient(key, p, kind, file: file, widths: widths) }
    }

    /// `tools/mmsa_weights.py to-ours` on these fixtures' MMSA weights (EF-LSTM's and MISA's
    /// tables) gives checkpoints that our models load strictly, by our own names, and that
    /// reproduce MMSA's logits, loss and gradients.
    @Test(arguments: [ModelName.efLSTM, .misa])
    func convertedWeightsLoadAndReproduceMMSA(_ kind: ModelName) throws {
        try checkConvertedWeights(
            Self.model(kind), kind, reference: "mmsa_protocol_\(kind.rawValue).h5",
            widths: Self.widths(kind))
    }
}
