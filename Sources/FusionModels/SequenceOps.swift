import Autograd
import NN
import Vocabulary

/// Operations on padded sequences that respect true lengths.
/// Shapes: `x [B, T, D]`, `lengths [B]`.
public enum SequenceOps {
    /// The mean over each sequence's true steps: `[B, D]`, as one product per sequence with its
    /// averaging row (`1/l` on the first `l` steps), `[1, T]·[T, D]` (a broadcast mask,
    /// multiply and sum materialised the `[B, T, D]` mask and product: a quarter of LF-DNN).
    public static func mean(_ x: Tensor, lengths: [Int]) -> Tensor {
        let (batch, steps, dim) = (x.shape[0], x.shape[1], x.shape[2])
        let weights = Tensor(
            lengths.flatMap { l in (0..<steps).map { $0 < l ? 1 / Float(l) : 0 } },
            shape: [batch, 1, steps])
        return Tensor.matmul(weights, x).reshape([batch, dim])
    }

    /// Each sequence's step at index `lengths[b] - 1` (its last true step): `[B, D]`; a zero
    /// row for a sequence of length 0 (a removed modality).
    public static func lastStep(_ x: Tensor, lengths: [Int]) -> Tensor {
        let (batch, steps, dim) = (x.shape[0], x.shape[1], x.shape[2])
        return x.reshape([batch * steps, dim]).indexSelect(
            rows: (0..<batch).map {
                lengths[$0] == 0 ? -1 : $0 * steps + lengths[$0] - 1
            })
    }

    /// `[B, 1]`: 1 for a clip with frames of this modality, 0 for one without (a removed
    /// modality), to mask a per-clip representation.
    public static func presence(_ lengths: [Int]) -> Tensor {
        Tensor(lengths.map { $0 > 0 ? 1 : 0 }, shape: [lengths.count, 1])
    }
}
