import Autograd
import NN
import Vocabulary

/// MISA hyperparameters (MMSA `sims`).
public struct MISAConfig: Codable, Equatable, Sendable {
    public var hidden = 128
    public var dropout: Float = 0.0
    public var diffWeight: Float = 0.3
    public var simWeight: Float = 1.0
    public var reconWeight: Float = 0.8
    /// Central moments matched by the CMD similarity loss.
    public var cmdMoments = 5
    public var fusionHeads = 2
    public var fusionFeedForward = 2048
    public var fusionDropout: Float = 0.1
    /// Audio frames averaged in windows of this many over each clip before the model (1 = none).
    public var audioPool = 1
    public init() {}
}

/// MISA: modality-invariant (shared) and -specific (private) representations of each
/// modality, held apart by a difference loss, pulled together across modalities by a CMD
/// similarity loss and anchored by a reconstruction loss; fused by a transformer layer over
/// the shared and private vectors.
///
/// Concretely: `u_T` = masked token mean, `u_A`, `u_V` = two stacked bidirectional LSTMs (hidden
/// = input width, LayerNorm between) read at each clip's own length; `uₘ = LN(relu(Pₘuₘ))`;
/// `pₘ = σ(Wₘuₘ)`, `sₘ = σ(W_s uₘ)`; reconstruction `R_m(pₘ + sₘ)`; logits from
/// `W₂·relu(drop(W₁·flatten(Transformer([p…; s…]))))`. Auxiliary loss
/// `0.3·L_diff + 1.0·L_cmd + 0.8·L_recon` (MMSA's weights).
///
/// Unlike MMSA (`mmsa-notes.md` §7): the text encoder is the masked mean of the release's
/// frozen IndoBERT token features, where MMSA fine-tunes BERT (`use_finetune`, §7.2); audio
/// and video encoders run over their own true lengths (MMSA packs them with the *text* token
/// count, so they see under 0.7 s of audio); the CMD norms carry a small epsilon so that their
/// gradient stays finite at 0; and the fusion tokens are stacked (p_T, p_A, p_V, s_T, s_A,
/// s_V) where MMSA stacks (p_T, p_V, p_A, s_T, s_V, s_A) (§7.3.8: equivalent without
/// positions, but it permutes `fusion.layer_1`'s input columns for a state-dict conversion).
/// `InputProtocol.mmsa` reproduces MMSA's text-length packing (checked against MMSA's own code
/// with a stub in place of BERT).
/// Trained with MMSA's schedule (batch 64, lr 1e-4, clipping by value at 1.0, gradient
/// accumulation over 2 mini-batches). The CMD term is a sum of norms, whose gradient has unit
/// size however close the moments are: at MMSA's weight 1.0 it outweighs the classification
/// loss for the first epochs (on the synthetic set MISA stays at the majority class for three
/// epochs on all three modalities, and learns in two without the term), so the smoke-sized
/// `default.json` trains with weight 0.1 (its description gives the measurements); the grids
/// for reported numbers keep 1.0 and train to early stopping.
/// Accumulation here averages the group's gradients (one batch of all its clips would give the
/// same), clips the average once before the step, and steps an epoch's last, shorter group;
/// MMSA sums them, clips the running sum after every backward and never steps the last,
/// incomplete group (`mmsa-notes.md` §1.4), so its clipping threshold acts on a k-times larger
/// gradient.
/// A removed modality (length 0): its utterance vector is the encoder's output over no frames
/// (text: the zero mean; audio and video: the LSTM's initial zero state), projected as usual, so
/// its private and shared representations are the projections of that constant.
/// All six train with cross-entropy on the class labels (MMSA trains these models as
/// regressors on sentiment scores, `mmsa-notes.md` §0.1, §1.4) and select the epoch on an
/// inner fold of the training split grouped by source video (MMSA uses its validation split).
///
/// ### References
/// - Hazarika et al., "MISA: Modality-Invariant and -Specific Representations for Multimodal
///   Sentiment Analysis", ACM MM 2020.
public final class MISA: Module, FusionModel {
    /// Two bidirectional LSTMs with a LayerNorm between, for audio or video.
    final class SequenceEncoder: Module {
        let rnn1: LSTM
        let norm: LayerNorm
        let rnn2: LSTM
        init(dim: Int, generator: Generator) {
            rnn1 = LSTM(inputSize: dim, hiddenSize: dim, bidirectional: true, generator: generator)
            norm = LayerNorm(2 * dim)
            rnn2 = LSTM(
                inputSize: 2 * dim, hiddenSize: dim, bidirectional: true, generator: generator)
        }
        override var children: [(key: String, module: Module)] {
            [("rnn1", rnn1), ("layer_norm", norm), ("rnn2", rnn2)]
        }

        /// `[B, T, D] -> [B, 4D]` as `[h1 forward; h2 forward; h1 backward; h2 backward]`.
        func callAsFunction(_ input: ModalityBatch) -> Tensor {
            let first = rnn1(input.features, lengths: input.lengths)
            let second = rnn2(norm(first.output), lengths: input.lengths)
            // [2, B, D] each -> [2, B, 2D] -> [B, 2, 2D] -> [B, 4D]
            let both = Tensor.concat([first.h, second.h], axis: 2).permute([1, 0, 2])
            return both.reshape([both.shape[0], -1])
        }
    }

    let config: MISAConfig
    let modalities: [Modality]
    let encoders: [Modality: SequenceEncoder]
    let projections: [Modality: (Linear, LayerNorm)]
    let privates: [Modality: Linear]
    let shared: Linear
    let reconstructions: [Modality: Linear]
    let fusion: PostNormTransformerLayer
    let fusion1: Linear
    let fusion2: Linear
    let generator: Generator

    public let inputNeeds: InputNeeds

    public init(_ config: MISAConfig, problem: FusionProblem, generator: Generator) {
        self.config = config
        self.generator = generator
        modalities = problem.modalities
        inputNeeds = problem.inputNeeds(for: .misa, audioPool: config.audioPool)
        let h = config.hidden
        var encoders: [Modality: SequenceEncoder] = [:]
        var projections: [Modality: (Linear, LayerNorm)] = [:]
        var privates: [Modality: Linear] = [:]
        var reconstructions: [Modality: Linear] = [:]
        for m in problem.modalities {
            let dim = problem.dims[m]!
            var width = dim
            if m != .text {
                encoders[m] = SequenceEncoder(dim: dim, generator: generator)
                width = 4 * dim
            }
            projections[m] = (Linear(width, h, generator: generator), LayerNorm(h))
        }
        for m in problem.modalities { privates[m] = Linear(h, h, generator: generator) }
        shared = Linear(h, h, generator: generator)
        for m in problem.modalities { reconstructions[m] = Linear(h, h, generator: generator) }
        self.encoders = encoders
        self.projections = projections
        self.privates = privates
        self.reconstructions = reconstructions
        fusion = PostNormTransformerLayer(
            embedDim: h, heads: config.fusionHeads, feedForward: config.fusionFeedForward,
            dropout: config.fusionDropout, generator: generator)
        let tokens = 2 * problem.modalities.count
        fusion1 = Linear(tokens * h, tokens * h / 2, generator: generator)
        fusion2 = Linear(tokens * h / 2, problem.classes, generator: generator)
    }

    override public var children: [(key: String, module: Module)] {
        var result: [(key: String, module: Module)] = []
        for m in modalities {
            let n = m.stateDictLetter(.misa)
            if let e = encoders[m] { result.append(("\(n)_encoder", e)) }
            result += [
                ("project_\(n).linear", projections[m]!.0),
                ("project_\(n).norm", projections[m]!.1),
            ]
        }
        result += modalities.map {
            (key: "private_\($0.stateDictLetter(.misa))", module: privates[$0]! as Module)
        }
        result.append(("shared", shared))
        result += modalities.map {
            (key: "recon_\($0.stateDictLetter(.misa))", module: reconstructions[$0]! as Module)
        }
        return result + [
            ("transformer", fusion), ("fusion.layer_1", fusion1), ("fusion.layer_3", fusion2),
        ]
    }

    public func callAsFunction(_ batch: FusionBatch) -> FusionOutput {
        var privateParts: [Tensor] = []
        var sharedParts: [Tensor] = []
        var reconLoss: Tensor?
        for m in modalities {
            let input = batch.inputs[m]!
            let raw =
                m == .text
                ? SequenceOps.mean(input.features, lengths: input.lengths) : encoders[m]!(input)
            let (linear, norm) = projections[m]!
            let u = norm(linear(raw).relu())
            let p = privates[m]!(u).sigmoid()
            let s = shared(u).sigmoid()
            privateParts.append(p)
            sharedParts.append(s)
            let diff = reconstructions[m]!(p + s) - u
            let term = (diff * diff).mean()
            reconLoss = reconLoss.map { $0 + term } ?? term
        }
        let k = modalities.count
        let recon = reconLoss! * (1 / Float(k))
        // Similarity: CMD between every pair of shared representations, averaged.
        var simTerms: [Tensor] = []
        for i in 0..<k {
            for j in (i + 1)..<k {
                simTerms.append(
                    Self.cmd(sharedParts[i], sharedParts[j], moments: config.cmdMoments))
            }
        }
        let sim =
            simTerms.isEmpty
            ? Tensor(scalar: 0)
            : simTerms.dropFirst().reduce(simTerms[0], +) * (1 / Float(simTerms.count))
        // Difference: each private against its shared, and every pair of privates (summed).
        var diffTerms: [Tensor] = (0..<k).map {
            Self.orthogonality(privateParts[$0], sharedParts[$0])
        }
        for i in 0..<k {
            for j in (i + 1)..<k {
                diffTerms.append(Self.orthogonality(privateParts[i], privateParts[j]))
            }
        }
        let diffLoss = diffTerms.dropFirst().reduce(diffTerms[0], +)
        let auxiliary =
            diffLoss * config.diffWeight + sim * config.simWeight + recon * config.reconWeight

        let tokens = Tensor.stack(privateParts + sharedParts, axis: 1)  // [B, 2k, H]
        let fused = fusion(tokens).reshape([batch.size, -1])
        let logits = fusion2(
            fusion1(fused).dropout(config.dropout, training: training, generator: generator).relu())
        return FusionOutput(
            logits: logits, auxiliaryLoss: auxiliary,
            auxiliaryParts: ["diff": diffLoss.item, "cmd": sim.item, "recon": recon.item])
    }

    /// Central moment discrepancy: `‖E x − E y‖ + Σ_{k=2..K} ‖E(x − E x)ᵏ − E(y − E y)ᵏ‖`,
    /// with norms `√(Σ d² + 1e-12)` so that the gradient is finite when the moments agree.
    ///
    /// ### References
    /// - Zellinger et al., "Central Moment Discrepancy (CMD) for Domain-Invariant Representation Learning", ICLR 2017.
    static func cmd(_ x: Tensor, _ y: Tensor, moments: Int) -> Tensor {
        func norm(_ d: Tensor) -> Tensor { ((d * d).sum() + 1e-12).sqrt() }
        let mx = x.mean(axes: [0], keepDims: true)
        let my = y.mean(axes: [0], keepDims: true)
        let cx = x - mx
        let cy = y - my
        var total = norm(mx - my)
        for k in 2...Swift.max(2, moments) {
            total =
                total + norm(cx.pow(Float(k)).mean(axes: [0]) - cy.pow(Float(k)).mean(axes: [0]))
        }
        return total
    }

    /// MISA's difference loss: `mean((X̂ᵀŶ)²)` with rows centred over the batch and divided by
    /// their (detached) L2 norm + 1e-6.
    static func orthogonality(_ x: Tensor, _ y: Tensor) -> Tensor {
        func normalized(_ a: Tensor) -> Tensor {
            let centred = a - a.mean(axes: [0], keepDims: true)
            let norms = noGrad { (centred * centred).sum(axes: [1], keepDims: true).sqrt() + 1e-6 }
            return centred / norms
        }
        let product = Tensor.matmul(normalized(x), normalized(y), transposeA: true)
        return (product * product).mean()
    }
}
