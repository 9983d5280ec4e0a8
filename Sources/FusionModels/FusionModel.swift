import Autograd
import NN
import Vocabulary

/// What every fusion model returns: class logits and any auxiliary loss (MISA's).
public struct FusionOutput {
    /// `[B, C]`.
    public var logits: Tensor
    /// Added to the task loss in training (already weighted); nil for most models.
    public var auxiliaryLoss: Tensor?
    /// The unweighted parts of the auxiliary loss, for logs.
    public var auxiliaryParts: [String: Float] = [:]

    public init(logits: Tensor, auxiliaryLoss: Tensor? = nil, auxiliaryParts: [String: Float] = [:])
    {
        self.logits = logits
        self.auxiliaryLoss = auxiliaryLoss
        self.auxiliaryParts = auxiliaryParts
    }
}

/// The shape of the problem a model is built for.
public struct FusionProblem: Sendable {
    /// The modalities present (any non-empty subset), in T, A, V order.
    public var modalities: [Modality]
    /// Feature width per present modality.
    public var dims: [Modality: Int]
    public var classes: Int

    public init(modalities: [Modality], dims: [Modality: Int], classes: Int) {
        precondition(!modalities.isEmpty, "a fusion model needs at least one modality")
        self.modalities = modalities.sorted()
        self.dims = dims
        self.classes = classes
    }

}

/// One interface for all six models, so that the runner never special-cases one.
public protocol FusionModel: Module {
    /// The forward pass over a batch (modalities as given to the model at creation).
    func callAsFunction(_ batch: FusionBatch) -> FusionOutput
    /// What the batches must hold (audio pooling, alignment onto text tokens); the batcher
    /// applies it.
    var inputNeeds: InputNeeds { get }
}

/// Every model's hyperparameters. The defaults are MMSA's `sims` values (see each config);
/// `experiments/models.json` holds the same values as data, and a grid spec overrides them
/// per model. A test keeps the file and these defaults equal.
public struct ModelConfigurations: Codable, Equatable, Sendable {
    public var efLSTM = EFLSTMConfig()
    public var lfDNN = LateFusionConfig.lfDNN
    public var tfn = LateFusionConfig.tfn
    public var mfn = MFNConfig()
    public var mult = MulTConfig()
    public var misa = MISAConfig()

    public init() {}

    /// Decodes with every missing key taking its default, so a spec names only what it changes.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        let d = ModelConfigurations()
        efLSTM = try c.decodeIfPresent(EFLSTMConfig.self, forKey: .efLSTM) ?? d.efLSTM
        lfDNN = try c.decodeIfPresent(LateFusionConfig.self, forKey: .lfDNN) ?? d.lfDNN
        tfn = try c.decodeIfPresent(LateFusionConfig.self, forKey: .tfn) ?? d.tfn
        mfn = try c.decodeIfPresent(MFNConfig.self, forKey: .mfn) ?? d.mfn
        mult = try c.decodeIfPresent(MulTConfig.self, forKey: .mult) ?? d.mult
        misa = try c.decodeIfPresent(MISAConfig.self, forKey: .misa) ?? d.misa
    }

    /// The keys are the models' names (`ef-lstm`), as in `experiments/models.json`.
    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
        init(_ model: ModelName) { stringValue = model.rawValue }
        static let efLSTM = Key(.efLSTM), lfDNN = Key(.lfDNN), tfn = Key(.tfn), mfn = Key(.mfn)
        static let mult = Key(.mult), misa = Key(.misa)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(efLSTM, forKey: .efLSTM)
        try c.encode(lfDNN, forKey: .lfDNN)
        try c.encode(tfn, forKey: .tfn)
        try c.encode(mfn, forKey: .mfn)
        try c.encode(mult, forKey: .mult)
        try c.encode(misa, forKey: .misa)
    }

    /// Builds a model of `kind` for `problem`, initialised from `generator`.
    public func make(
        _ kind: ModelName, problem: FusionProblem, generator: Generator
    ) -> any FusionModel {
        switch kind {
        case .efLSTM: EFLSTM(efLSTM, problem: problem, generator: generator)
        case .lfDNN: LFDNN(lfDNN, problem: problem, generator: generator)
        case .tfn: TFN(tfn, problem: problem, generator: generator)
        case .mfn: MFN(mfn, problem: problem, generator: generator)
        case .mult: MulT(mult, problem: problem, generator: generator)
        case .misa: MISA(misa, problem: problem, generator: generator)
        case .majority, .prior:
            preconditionFailure("\(kind.displayName) is a reference, not a model")
        }
    }
}
