/// What a grid can run: the six fusion models and two trivial references.
///
/// Spellings, each in one place: the raw value (`ef-lstm`) in the command line, specs, run
/// records, `models.json` and CSV; `displayName` (`EF-LSTM`) in tables and logs.
public enum ModelName: String, Codable, CaseIterable, Sendable, CustomStringConvertible {
    case majority, prior
    case efLSTM = "ef-lstm"
    case lfDNN = "lf-dnn"
    case tfn, mfn, mult, misa

    /// The six trained models, in the order the tables list them.
    public static let fusionModels: [ModelName] = [.efLSTM, .lfDNN, .tfn, .mfn, .mult, .misa]

    /// The majority class and the class-prior random guess: not trained.
    public var isReference: Bool { self == .majority || self == .prior }

    /// Itself for one of the six fusion models, nil for a reference (`guard let model = ...`).
    public var fusionModel: ModelName? { isReference ? nil : self }

    /// The command-line spelling, so that an interpolated name reads as in a spec.
    public var description: String { rawValue }

    public var displayName: String {
        switch self {
        case .majority: "Majority class"
        case .prior: "Class-prior random"
        case .efLSTM: "EF-LSTM"
        case .lfDNN: "LF-DNN"
        case .tfn: "TFN"
        case .mfn: "MFN"
        case .mult: "MulT"
        case .misa: "MISA"
        }
    }
}
