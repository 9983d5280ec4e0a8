import FusionModels

/// Per-model overrides in a spec.
public struct ModelOverrides: Codable, Equatable, Sendable {
    public var training: TrainingConfig
    public var hyperparameters: ModelConfigurations
}
