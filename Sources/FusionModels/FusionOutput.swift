import Autograd

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
