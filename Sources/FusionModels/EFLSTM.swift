import Autograd
import NN
import Vocabulary

/// EF-LSTM hyperparameters (MMSA `sims`).
public struct EFLSTMConfig: Codable, Equatable, Sendable {
    /// LSTM hidden size.
    public var hidden = 32
    public var layers = 3
    /// Between LSTM layers and before each classifier layer.
    public var dropout: Float = 0.5
    /// Audio frames averaged in windows of this many over each clip before the model (1 = none).
    public var audioPool = 1
    public init() {}
}

/// Early fusion: each text step concatenated with the audio and video averaged over the same
/// slice of the clip, one LSTM over the fused sequence, a classifier on its state at the
/// clip's last token.
///
/// Concretely: `x_t = [text_t; audio_t; video_t]` (aligned), `h = LSTM(x)` read at each clip's
/// true length, `logits = W₂·drop(relu(W₁·drop(h)))`.
///
/// Unlike MMSA (`mmsa-notes.md` §2): no BatchNorm over the time axis as channels (it ties the
/// model to a padded length of 69 and mixes padding into the statistics; features are
/// standardised at `prepare` instead); audio and video are aligned onto the text tokens by
/// averaging equal slices of each clip's true duration (MMSA's AlignSubNet average-pools the
/// padded 2,252 and 723 frames, padding included, §1.3); and the LSTM stops at each clip's true
/// length. `InputProtocol.mmsa` reproduces MMSA's instead (AlignSubNet over the padded frames,
/// the BatchNorm over the padded text steps, the LSTM read after every padded step; checked
/// against MMSA's own code). Trained with MMSA's schedule (experiments/models.json: batch 128, lr 5e-4, weight
/// decay 1e-3).
/// A removed modality (a clip without its frames: robustness evaluation, modality dropout):
/// its aligned input is zero at every step of the text-token axis (the token count stays, as
/// metadata), so the LSTM's input projection sees only the other modalities; with the matching
/// columns of `weight_ih_l0` this is exactly the model built without it (tested for audio).
/// All six train with cross-entropy on the class labels (MMSA trains these models as
/// regressors on sentiment scores, `mmsa-notes.md` §0.1, §1.4) and select the epoch on an
/// inner fold of the training split grouped by source video (MMSA uses its validation split).
///
/// ### References
/// - Williams et al., "Recognizing Emotions in Video Using Multimodal DNN Feature Fusion", 2018.
public final class EFLSTM: Module, FusionModel {
    let config: EFLSTMConfig
    let modalities: [Modality]
    /// MMSA's `BatchNorm1d(seq_lens[0])` over the fused `[B, P, D]` sequence, its channels the
    /// padded text steps (statistics per step over the batch and features): under the MMSA
    /// protocol only.
    let norm: BatchNorm1d?
    let lstm: LSTM
    let drop: Dropout
    let linear: Linear
    let out: Linear

    public let inputNeeds: InputNeeds

    public init(_ config: EFLSTMConfig, problem: FusionProblem, generator: Generator) {
        self.config = config
        modalities = problem.modalities
        inputNeeds = problem.inputNeeds(
            for: .efLSTM, audioPool: config.audioPool, alignedToText: true)
        norm =
            problem.inputProtocol.isMMSA ? BatchNorm1d(problem.paddedLengths[.text]!) : nil
        let input = problem.modalities.map { problem.dims[$0]! }.reduce(0, +)
        lstm = LSTM(
            inputSize: input, hiddenSize: config.hidden, numLayers: config.layers,
            dropout: config.dropout, generator: generator)
        drop = Dropout(config.dropout, generator: generator)
        linear = Linear(config.hidden, config.hidden, generator: generator)
        out = Linear(config.hidden, problem.classes, generator: generator)
    }

    override public var children: [(key: String, module: Module)] {
        (norm.map { [("norm", $0 as Module)] } ?? [])
            + [("lstm", lstm), ("dropout", drop), ("linear", linear), ("out", out)]
    }

    public func callAsFunction(_ batch: FusionBatch) -> FusionOutput {
        let steps = batch.textLengths
        // Audio and video arrive averaged onto the text tokens (`inputNeeds`).
        let aligned = modalities.map { batch.inputs[$0]!.features }
        var x = aligned.count == 1 ? aligned[0] : Tensor.concat(aligned, axis: 2)
        if let norm { x = norm(x) }
        let h = lstm(x, lengths: steps).h.slice(axis: 0, (config.layers - 1)..<config.layers)
            .squeeze(0)
        return FusionOutput(logits: out(drop(linear(drop(h)).relu())))
    }
}
