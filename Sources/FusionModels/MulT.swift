import Autograd
import NN
import Vocabulary

/// MulT hyperparameters (MMSA `sims`, with positions and audio pooling added).
public struct MulTConfig: Codable, Equatable, Sendable {
    /// Model width and heads of the cross-modal encoders.
    public var dim = 50
    public var heads = 10
    /// Layers of each cross-modal encoder; the self-attention ("memory") encoders have
    /// `max(layers, 3)`.
    public var layers = 2
    public var kernel = PerModality(text: 5, audio: 1, video: 1)
    /// Attention dropout of encoders whose keys come from text, and of the memory encoders.
    public var attentionDropout: Float = 0.2
    /// Attention dropout of encoders whose keys come from audio / video.
    public var attentionDropoutAudio: Float = 0.1
    public var attentionDropoutVideo: Float = 0.0
    public var reluDropout: Float = 0.0
    public var embeddingDropout: Float = 0.1
    public var residualDropout: Float = 0.2
    public var textDropout: Float = 0.3
    public var outputDropout: Float = 0.1
    /// Sinusoidal positions (the official MulT has them; MMSA's does not).
    public var positions = true
    /// Audio frames averaged in windows of this many (100 -> 25 frames/s).
    public var audioPool = 4
    /// The official MulT's future mask (`attn_mask`, on in MMSA too) in every layer of every
    /// encoder, defined on each clip's true lengths (see `Tensor.attention`).
    public var futureMask = true
    public init() {}
}

/// Multimodal Transformer: for each target modality, cross-modal encoders in which it attends
/// to each other present modality, a self-attention encoder over their concatenation, read at
/// the target's last true step; the targets' read-outs concatenated, a residual MLP, a
/// linear output.
///
/// With one modality there are no pairs: its projection goes straight to a self-attention
/// encoder. Every layer of every encoder applies the official MulT's future mask
/// (`buffered_future_mask`, MMSA's `attn_mask: true`), here on each clip's true lengths.
///
/// Unlike MMSA (`mmsa-notes.md` §6): keys outside a clip's true length are masked (MMSA masks
/// nothing and reads the last *padded* step), the future mask's `1 + |Lk − Lq|` uses true
/// lengths (MMSA's uses padded ones, so its last padded query sees every key), the text
/// convolution pads to keep each clip's length, positions are added as in the official MulT,
/// and audio is averaged in windows of 4 frames. `InputProtocol.mmsa` reproduces MMSA's padded
/// lengths, unpadded projections and read-out (checked against MMSA's own code); positions
/// and pooling are settings (`experiments/chsims-mmsa.json` turns both off). Trained (experiments/models.json) with MMSA's
/// schedule: gradient accumulation over 8 mini-batches, clipping by value at 0.6 and
/// ReduceLROnPlateau (factor 0.1, patience 10) on the inner-fold loss.
/// Accumulation here averages the group's gradients (one batch of all its clips would give the
/// same), clips the average once before the step, and steps an epoch's last, shorter group;
/// MMSA sums them, clips the running sum after every backward and never steps the last,
/// incomplete group (`mmsa-notes.md` §1.4), so its clipping threshold acts on a k-times larger
/// gradient.
/// A removed modality (length 0): as a source its keys are all masked, so attention onto it
/// returns zero before the output projection (whose bias still applies) and the feed-forward
/// sublayer runs as usual; as a target its branch has no steps and reads out a zero vector
/// (the last step of an empty sequence).
/// All six train with cross-entropy on the class labels (MMSA trains these models as
/// regressors on sentiment scores, `mmsa-notes.md` §0.1, §1.4) and select the epoch on an
/// inner fold of the training split grouped by source video (MMSA uses its validation split).
///
/// ### References
/// - Tsai et al., "Multimodal Transformer for Unaligned Multimodal Language Sequences", ACL 2019.
public final class MulT: Module, FusionModel {
    let config: MulTConfig
    let modalities: [Modality]
    let projections: [Modality: Conv1d]
    /// `cross[target][source]`.
    let cross: [Modality: [Modality: TransformerEncoder]]
    let memory: [Modality: TransformerEncoder]
    let proj1: Linear
    let proj2: Linear
    let out: Linear
    let generator: Generator

    public let inputNeeds: InputNeeds

    public init(_ config: MulTConfig, problem: FusionProblem, generator: Generator) {
        self.config = config
        self.generator = generator
        modalities = problem.modalities
        inputNeeds = problem.inputNeeds(for: .mult, audioPool: config.audioPool)
        let d = config.dim
        var projections: [Modality: Conv1d] = [:]
        for m in problem.modalities {
            let k = config.kernel[m]
            // MMSA's projections pad nothing (a kernel of k shortens the sequence by k − 1).
            projections[m] = Conv1d(
                problem.dims[m]!, d, kernelSize: k,
                padding: problem.inputProtocol.isMMSA ? 0 : (k - 1) / 2, bias: false,
                generator: generator)
        }
        self.projections = projections
        func dropout(keysFrom source: Modality?) -> TransformerDropout {
            let attention: Float =
                switch source {
                case .audio: config.attentionDropoutAudio
                case .video: config.attentionDropoutVideo
                default: config.attentionDropout
                }
            return TransformerDropout(
                attention: attention, relu: config.reluDropout, residual: config.residualDropout,
                embedding: config.embeddingDropout)
        }
        var cross: [Modality: [Modality: TransformerEncoder]] = [:]
        var memory: [Modality: TransformerEncoder] = [:]
        for target in problem.modalities {
            let sources = problem.modalities.filter { $0 != target }
            for source in sources {
                cross[target, default: [:]][source] = TransformerEncoder(
                    embedDim: d, heads: config.heads, layers: config.layers, kind: .crossModal,
                    dropout: dropout(keysFrom: source), usePositions: config.positions,
                    causal: config.futureMask,
                    generator: generator)
            }
            memory[target] = TransformerEncoder(
                embedDim: d * Swift.max(sources.count, 1), heads: config.heads,
                layers: Swift.max(config.layers, 3),
                kind: .selfAttention, dropout: dropout(keysFrom: nil),
                usePositions: config.positions,
                causal: config.futureMask, generator: generator)
        }
        self.cross = cross
        self.memory = memory
        let combined = problem.modalities.count * d * Swift.max(problem.modalities.count - 1, 1)
        proj1 = Linear(combined, combined, generator: generator)
        proj2 = Linear(combined, combined, generator: generator)
        out = Linear(combined, problem.classes, generator: generator)
    }

    override public var children: [(key: String, module: Module)] {
        var result: [(key: String, module: Module)] = modalities.map {
            (key: "proj_\($0.stateDictLetter(.mult))", module: projections[$0]! as Module)
        }
        for target in modalities {
            for source in modalities where source != target {
                result.append(
                    (
                        key:
                            "trans_\(target.stateDictLetter(.mult))_with_\(source.stateDictLetter(.mult))",
                        module: cross[target]![source]!
                    ))
            }
        }
        result += modalities.map {
            (key: "trans_\($0.stateDictLetter(.mult))_mem", module: memory[$0]! as Module)
        }
        return result + [("proj1", proj1), ("proj2", proj2), ("out_layer", out)]
    }

    public func callAsFunction(_ batch: FusionBatch) -> FusionOutput {
        var projected: [Modality: Tensor] = [:]
        var lengths: [Modality: [Int]] = [:]
        for m in modalities {
            var x = batch.inputs[m]!.features  // [B, T, D]
            if m == .text {
                x = x.dropout(config.textDropout, training: training, generator: generator)
            }
            // Padded frames are zero in the batch and stay zero under dropout, so the convolution
            // sees zeros past each clip's end.
            let conv = projections[m]!
            projected[m] = conv(x.transpose(1, 2)).transpose(1, 2)  // [B, T', d]
            // Unchanged for the padding convolutions; k − 1 fewer under the MMSA protocol.
            let shortening = conv.kernelSize - 1 - 2 * conv.padding
            lengths[m] = batch.inputs[m]!.lengths.map { Swift.max($0 - shortening, 0) }
        }
        var readouts: [Tensor] = []
        for target in modalities {
            let sources = modalities.filter { $0 != target }
            let streams = sources.map { source in
                cross[target]![source]!(
                    projected[target]!, lengths: lengths[target]!, context: projected[source]!,
                    contextLengths: lengths[source]!)
            }
            let joined =
                streams.isEmpty
                ? projected[target]!
                : streams.count == 1 ? streams[0] : Tensor.concat(streams, axis: 2)
            let h = memory[target]!(joined, lengths: lengths[target]!)
            readouts.append(SequenceOps.lastStep(h, lengths: lengths[target]!))
        }
        let last = readouts.count == 1 ? readouts[0] : Tensor.concat(readouts, axis: 1)
        let hidden =
            proj2(
                proj1(last).relu().dropout(
                    config.outputDropout, training: training, generator: generator)) + last
        return FusionOutput(logits: out(hidden))
    }
}
