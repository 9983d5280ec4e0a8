import Autograd

/// One modality of a batch: features padded to the batch's longest clip, and true lengths.
/// Shapes: `features [B, T, D]`, `lengths [B]` with `0 <= lengths[b] <= T`; a length of 0 is
/// a removed modality (every frame treated as padding; each model documents what it then does).
public struct ModalityBatch {
    public var features: Tensor
    public var lengths: [Int]

    public init(features: Tensor, lengths: [Int]) {
        self.features = features
        self.lengths = lengths
    }
}
