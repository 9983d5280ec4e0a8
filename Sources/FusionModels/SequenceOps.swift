import Autograd
import Datasets
import NN

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

    /// Audio and video averaged over equal slices of each clip's true duration, one slice per
    /// text token: step `j` of a clip with `n` tokens and `L` frames is the mean of frames
    /// `⌊j·L/n⌋ ..< max(⌊(j+1)·L/n⌋, ⌊j·L/n⌋ + 1)`. Returns `[B, max n, D]`, zero past `n`,
    /// and zero throughout for a clip with no frames (a removed modality).
    public static func align(_ input: ModalityBatch, to targetLengths: [Int]) -> ModalityBatch {
        let x = input.features
        let (batch, steps) = (x.shape[0], x.shape[1])
        let target = targetLengths.max() ?? 1
        // A fixed averaging matrix per clip: aligned[b] = W[b] · x[b], W [n, T].
        var weights = [Float](repeating: 0, count: batch * target * steps)
        for b in 0..<batch {
            let (n, length) = (targetLengths[b], input.lengths[b])
            guard length > 0 else { continue }
            for j in 0..<n {
                let lo = j * length / n
                let hi = Swift.max((j + 1) * length / n, lo + 1)
                for t in lo..<Swift.min(hi, length) {
                    weights[(b * target + j) * steps + t] = 1 / Float(Swift.min(hi, length) - lo)
                }
            }
        }
        let w = Tensor(weights, shape: [batch, target, steps])
        return ModalityBatch(features: Tensor.matmul(w, x), lengths: targetLengths)
    }
}
