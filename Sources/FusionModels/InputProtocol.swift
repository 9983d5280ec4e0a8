/// How a model's inputs treat padding: a run setting (`TrainingConfig.dataProtocol`,
/// `baselines run --protocol`), recorded with every run and named beside every report row
/// that used `mmsa`.
public enum InputProtocol: String, Codable, CaseIterable, Sendable {
    /// Each clip's true lengths: padding masked or skipped by every model (the default; each
    /// model's documentation lists where this departs from MMSA).
    case trueLengths = "true-lengths"
    /// MMSA 2.2.1's data handling and read-outs (`MMSAInputs`, `docs/mmsa-2.2.1.md`), so that
    /// a number can stand beside MMSA's and the effect of its padding measured: features in
    /// the file's units zero-padded to the file's length, and per model MMSA's time averages,
    /// alignment, read-out positions and packing lengths.
    case mmsa
    /// MMSA's padding, alignment, read-outs and packing (as `mmsa`) on the standardised
    /// features instead of the file's units (what MMSA's maintainers advise for one's own
    /// features, thuiar/MMSA#85): `mmsa` against this separates the effect of the units from
    /// that of the padding.
    case mmsaStandardized = "mmsa-standardized"

    /// Either MMSA protocol (the models and their batches' shapes are the same in both).
    public var isMMSA: Bool { self != .trueLengths }

    /// The report's row mark: nil for true lengths.
    public var rowMark: String? {
        switch self {
        case .trueLengths: nil
        case .mmsa: "MMSA protocol"
        case .mmsaStandardized: "MMSA protocol, standardised"
        }
    }
}
