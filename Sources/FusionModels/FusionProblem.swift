import Vocabulary

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
