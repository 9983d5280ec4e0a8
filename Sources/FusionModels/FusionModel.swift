import Autograd
import Datasets
import NN

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

    /// IndoMER's feature widths.
    public static func indoMER(_ modalities: [Modality], task: IndoMERTask) -> FusionProblem {
        FusionProblem(
            modalities: modalities,
            dims: Dictionary(
                uniqueKeysWithValues: Modality.allCases.map { ($0, $0.releaseShape.features) }),
            classes: task.classCount)
    }
}

/// One interface for all six models, so that the runner never special-cases one.
public protocol FusionModel: Module {
    /// The forward pass over a batch (modalities as given to the model at creation).
    func callAsFunction(_ batch: FusionBatch) -> FusionOutput
    /// Audio frames averaged in windows of this many before the model (1 = none): a
    /// per-model setting (MulT's default is 4, turning 100 frames/s into video's 25).
    var audioPool: Int { get }
}

/// The six models, by their command-line names.
public enum ModelKind: String, Codable, CaseIterable, Sendable {
    case efLSTM = "ef-lstm"
    case lfDNN = "lf-dnn"
    case tfn
    case mfn
    case mult
    case misa

    public var displayName: String {
        switch self {
        case .efLSTM: "EF-LSTM"
        case .lfDNN: "LF-DNN"
        case .tfn: "TFN"
        case .mfn: "MFN"
        case .mult: "MulT"
        case .misa: "MISA"
        }
    }
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
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ModelConfigurations()
        efLSTM = try c.decodeIfPresent(EFLSTMConfig.self, forKey: .efLSTM) ?? d.efLSTM
        lfDNN = try c.decodeIfPresent(LateFusionConfig.self, forKey: .lfDNN) ?? d.lfDNN
        tfn = try c.decodeIfPresent(LateFusionConfig.self, forKey: .tfn) ?? d.tfn
        mfn = try c.decodeIfPresent(MFNConfig.self, forKey: .mfn) ?? d.mfn
        mult = try c.decodeIfPresent(MulTConfig.self, forKey: .mult) ?? d.mult
        misa = try c.decodeIfPresent(MISAConfig.self, forKey: .misa) ?? d.misa
    }

    enum CodingKeys: String, CodingKey {
        case efLSTM = "ef-lstm"
        case lfDNN = "lf-dnn"
        case tfn, mfn, mult, misa
    }

    /// Builds a model of `kind` for `problem`, initialised from `generator`.
    public func make(
        _ kind: ModelKind, problem: FusionProblem, generator: Generator
    ) -> any FusionModel {
        switch kind {
        case .efLSTM: EFLSTM(efLSTM, problem: problem, generator: generator)
        case .lfDNN: LFDNN(lfDNN, problem: problem, generator: generator)
        case .tfn: TFN(tfn, problem: problem, generator: generator)
        case .mfn: MFN(mfn, problem: problem, generator: generator)
        case .mult: MulT(mult, problem: problem, generator: generator)
        case .misa: MISA(misa, problem: problem, generator: generator)
        }
    }
}
