import Autograd
import Vocabulary

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
