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
}
