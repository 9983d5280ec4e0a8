import Autograd
import NN
import Vocabulary

/// MFN hyperparameters (MMSA `sims`). Each block is (dropout, hidden width).
public struct MFNConfig: Codable, Equatable, Sendable {
    public struct Block: Codable, Equatable, Sendable {
        public var dropout: Float
        public var width: Int
    }
    public var hidden = PerModality(text: 64, audio: 16, video: 64)
    public var memory = 64
    /// The delta-memory attention (NN1) and the memory update candidate (NN2).
    public var attention = Block(dropout: 0.2, width: 128)
    public var candidate = Block(dropout: 0.0, width: 128)
    /// The retain (γ₁) and update (γ₂) gates of the multi-view gated memory.
    public var retainGate = Block(dropout: 0.2, width: 64)
    public var updateGate = Block(dropout: 0.7, width: 64)
    public var output = Block(dropout: 0.7, width: 64)
    /// Audio frames averaged in windows of this many over each clip before the model (1 = none).
    public var audioPool = 1
    public init() {}
}

/// Memory Fusion Network: one LSTM cell per modality over the shared (text) time axis; a
/// delta-memory attention over the cell states at t−1 and t; a gated multi-view memory.
///
/// Concretely, per step: `(hₘ, cₘ) = LSTHMₘ(xₘ,t)`; `c* = [c_{t−1}; c_t]`;
/// `a = softmax(NN1(c*))`, `ĉ = tanh(NN2(a ⊙ c*))`; `γ₁ = σ(G₁([a ⊙ c*; u]))`,
/// `γ₂ = σ(G₂([a ⊙ c*; u]))`; `u ← γ₁ ⊙ u + γ₂ ⊙ ĉ`. Output `W₂·drop(relu(W₁[h_T; h_A; h_V; u]))`
/// at each clip's last token.
///
/// Unlike MMSA: audio and video are averaged over equal slices of each clip onto its text
/// tokens (MMSA replicates one clip mean at every step, so MFN never sees audio or video
/// change), and states stop at each clip's true length. `InputProtocol.mmsa` reproduces MMSA's
/// (the padded-length means at every padded text step; checked against MMSA's own code). Trained with MMSA's schedule (batch
/// 32, lr 1e-3).
/// A removed modality: its aligned input is zero at every step (its LSTM still runs, on
/// zeros, over the text-token axis), so the memory sees that modality's state driven by biases
/// alone.
/// All six train with cross-entropy on the class labels (MMSA trains these models as
/// regressors on sentiment scores, `mmsa-notes.md` §0.1, §1.4) and select the epoch on an
/// inner fold of the training split grouped by source video (MMSA uses its validation split).
///
/// ### References
/// - Zadeh et al., "Memory Fusion Network for Multi-view Sequential Learning", AAAI 2018.
public final class MFN: Module, FusionModel {
    let config: MFNConfig
    let modalities: [Modality]
    let cells: [LSTMCell]
    let attention1, attention2, candidate1, candidate2, retain1, retain2, update1, update2, out1,
        out2: Linear
    let generator: Generator

    public let inputNeeds: InputNeeds

    public init(_ config: MFNConfig, problem: FusionProblem, generator: Generator) {
        self.config = config
        self.generator = generator
        modalities = problem.modalities
        inputNeeds = problem.inputNeeds(
            for: .mfn, audioPool: config.audioPool, alignedToText: true)
        cells = problem.modalities.map {
            LSTMCell(
                inputSize: problem.dims[$0]!, hiddenSize: config.hidden[$0], generator: generator)
        }
        let total = problem.modalities.map { config.hidden[$0] }.reduce(0, +)
        let attentionIn = 2 * total
        let gammaIn = attentionIn + config.memory
        attention1 = Linear(attentionIn, config.attention.width, generator: generator)
        attention2 = Linear(config.attention.width, attentionIn, generator: generator)
        candidate1 = Linear(attentionIn, config.candidate.width, generator: generator)
        candidate2 = Linear(config.candidate.width, config.memory, generator: generator)
        retain1 = Linear(gammaIn, config.retainGate.width, generator: generator)
        retain2 = Linear(config.retainGate.width, config.memory, generator: generator)
        update1 = Linear(gammaIn, config.updateGate.width, generator: generator)
        update2 = Linear(config.updateGate.width, config.memory, generator: generator)
        out1 = Linear(total + config.memory, config.output.width, generator: generator)
        out2 = Linear(config.output.width, problem.classes, generator: generator)
    }

    override public var children: [(key: String, module: Module)] {
        zip(modalities, cells).map { (key: "lstm_\($0.0.letter)", module: $0.1 as Module) } + [
            ("att1_fc1", attention1), ("att1_fc2", attention2), ("att2_fc1", candidate1),
            ("att2_fc2", candidate2),
            ("gamma1_fc1", retain1), ("gamma1_fc2", retain2), ("gamma2_fc1", update1),
            ("gamma2_fc2", update2),
            ("out_fc1", out1), ("out_fc2", out2),
        ]
    }

    private func drop(_ x: Tensor, _ p: Float) -> Tensor {
        x.dropout(p, training: training, generator: generator)
    }

    public func callAsFunction(_ batch: FusionBatch) -> FusionOutput {
        let lengths = batch.textLengths
        let b = batch.size
        // Audio and video arrive averaged onto the text tokens (`inputNeeds`).
        let inputs = modalities.map { batch.inputs[$0]!.features }
        var h = cells.map { Tensor.zeros([b, $0.hiddenSize]) }
        var c = h
        var memory = Tensor.zeros([b, config.memory])
        let steps = lengths.max() ?? 0
        for t in 0..<steps {
            let mask =
                lengths.contains { $0 <= t }
                ? Tensor(lengths.map { t < $0 ? 1 : 0 }, shape: [b, 1]) : nil
            var newH: [Tensor] = []
            var newC: [Tensor] = []
            for (i, cell) in cells.enumerated() {
                let x = inputs[i].slice(axis: 1, t..<(t + 1)).squeeze(1)
                let state = cell(x, state: (h[i], c[i]))
                newH.append(state.h)
                newC.append(state.c)
            }
            let cStar = Tensor.concat(c + newC, axis: 1)
            let weights = attention2(drop(attention1(cStar).relu(), config.attention.dropout))
                .softmax()
            let attended = weights * cStar
            let candidate = candidate2(drop(candidate1(attended).relu(), config.candidate.dropout))
                .tanh()
            let both = Tensor.concat([attended, memory], axis: 1)
            let retain = retain2(drop(retain1(both).relu(), config.retainGate.dropout)).sigmoid()
            let update = update2(drop(update1(both).relu(), config.updateGate.dropout)).sigmoid()
            let newMemory = retain * memory + update * candidate
            if let mask {
                h = zip(newH, h).map { Tensor.where(mask, $0, $1) }
                c = zip(newC, c).map { Tensor.where(mask, $0, $1) }
                memory = Tensor.where(mask, newMemory, memory)
            } else {
                (h, c, memory) = (newH, newC, newMemory)
            }
        }
        let final = Tensor.concat(h + [memory], axis: 1)
        return FusionOutput(logits: out2(drop(out1(final).relu(), config.output.dropout)))
    }
}
