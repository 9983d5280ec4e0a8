import Autograd
import Vocabulary

/// A batch for a fusion model: the present modalities, labels and clip identities.
public struct FusionBatch {
    public var inputs: [Modality: ModalityBatch]
    public var labels: [Int]
    public var clipIDs: [String]
    /// Each clip's text token count, the time axis that aligned models (EF-LSTM, MFN) use.
    public var textLengths: [Int]

    public init(
        inputs: [Modality: ModalityBatch], labels: [Int], clipIDs: [String], textLengths: [Int]
    ) {
        self.inputs = inputs
        self.labels = labels
        self.clipIDs = clipIDs
        self.textLengths = textLengths
    }

    public var size: Int { labels.count }

    /// The batch with audio and video averaged over equal slices of each clip's true frames, one
    /// slice per text token (`TimeWindows.slices`): `[B, max n, D]` with the text lengths,
    /// zero past each clip's `n`; a clip without frames (a removed modality) is zero throughout
    /// and keeps its length 0. Differentiable in the features (a product with a fixed averaging matrix per
    /// clip, `W[b] [n, T]`).
    public func aligningToText() -> FusionBatch {
        var aligned = self
        for (m, input) in inputs where m != .text {
            let x = input.features
            let (batch, steps) = (x.shape[0], x.shape[1])
            let target = textLengths.max() ?? 1
            var weights = [Float](repeating: 0, count: batch * target * steps)
            for b in 0..<batch {
                let windows = TimeWindows.slices(length: input.lengths[b], count: textLengths[b])
                for (j, window) in windows.enumerated() {
                    for t in window {
                        weights[(b * target + j) * steps + t] = 1 / Float(window.count)
                    }
                }
            }
            let w = Tensor(weights, shape: [batch, target, steps])
            // A removed modality (length 0) stays removed; the others take the token axis.
            let lengths = zip(input.lengths, textLengths).map { $0 == 0 ? 0 : $1 }
            aligned.inputs[m] = ModalityBatch(features: Tensor.matmul(w, x), lengths: lengths)
        }
        return aligned
    }
}
