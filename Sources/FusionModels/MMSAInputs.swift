import Autograd
import Vocabulary

/// MMSA 2.2.1's handling of a batch before its six models (the released wheel, GitHub
/// 48bb237; `docs/mmsa-2.2.1.md`, `mmsa-notes.md` §1.2-1.3), one case per model family. The
/// batcher applies it under `InputProtocol.mmsa` to a batch of true lengths (features zero
/// past each clip's length, in the file's units): every modality is first zero-padded to the
/// file's padded length `P` (audio: `⌈P/pool⌉` after pooling), as MMSA's arrays are, then:
/// (A modality removed for robustness or modality dropout is zero frames at those lengths,
/// what MMSA's model would see of a zeroed input; audio pooling, which MMSA does not have, is
/// applied before, on each clip's true frames.)
public enum MMSAInputs: String, Equatable, Sendable {
    /// MulT: every step of the padded arrays is a step (lengths `P` for every clip), so its
    /// future mask has MMSA's padded lengths and its read-out is the last padded position.
    case padded
    /// LF-DNN and TFN (`need_normalized`): audio and video replaced by their mean over the
    /// padded length, `Σ frames / P` (`[B, 1, D]`, length 1); text padded, its LSTM read after
    /// `P` steps.
    case timeMeans
    /// MFN (`need_normalized` and `need_model_aligned`): the time means of audio and video
    /// repeated at every text step (AlignSubNet on a length-1 sequence), text padded.
    case timeMeansOnText
    /// EF-LSTM (`need_model_aligned`): audio and video pooled onto the padded text length by
    /// the wheel's AlignSubNet (`alignSubNet(steps:to:)`), text padded.
    case alignSubNet
    /// MISA: audio and video LSTMs packed with each clip's *text* token count (the sum of the
    /// `text_bert` mask), so they read only the clip's first frames; text averaged over its true
    /// tokens as before.
    case textLengths

    /// The handling of `model`'s batches (LF-DNN and TFN share theirs); nil for a reference.
    public static func of(_ model: ModelName) -> MMSAInputs? {
        switch model {
        case .efLSTM: .alignSubNet
        case .lfDNN, .tfn: .timeMeans
        case .mfn: .timeMeansOnText
        case .mult: .padded
        case .misa: .textLengths
        case .majority, .prior: nil
        }
    }

    /// What the model sees, for the report's captions.
    public var summary: String {
        switch self {
        case .padded:
            "every padded step unmasked, projections without padding, the future mask on padded lengths and the last padded position read out"
        case .timeMeans:
            "audio and video averaged over the padded length, the text LSTM read after every padded step"
        case .timeMeansOnText:
            "audio and video averaged over the padded length and repeated at every padded text step"
        case .alignSubNet:
            "audio and video average-pooled onto the padded text steps by MMSA's AlignSubNet (strided windows), a BatchNorm over the time axis, the LSTM read after every padded step"
        case .textLengths: "audio and video LSTMs packed with each clip's text token count"
        }
    }

    /// `batch` (true lengths) as MMSA's model sees it; `padded` holds each present modality's
    /// padded length (after pooling) and the text's. Differentiable in the features (every
    /// average is a product with a fixed matrix).
    public func apply(to batch: FusionBatch, padded: [Modality: Int]) -> FusionBatch {
        var out = batch
        let size = batch.size
        let textSteps = padded[.text]!
        for (m, input) in batch.inputs {
            let steps = padded[m]!
            let full = [Int](repeating: steps, count: size)
            switch (self, m) {
            case (.textLengths, .text):
                continue
            case (.textLengths, _):
                // The first `n` frames of each clip, padding where it has fewer (zero).
                let lengths = batch.textLengths.map { Swift.min($0, steps) }
                let n = Swift.max(lengths.max() ?? 1, 1)
                let x = input.features
                out.inputs[m] = ModalityBatch(
                    features: x.shape[1] >= n
                        ? x.slice(axis: 1, 0..<n) : Self.padding(x, to: n),
                    lengths: lengths)
            case (.padded, _), (.timeMeans, .text), (.timeMeansOnText, .text),
                (.alignSubNet, .text):
                out.inputs[m] = ModalityBatch(
                    features: Self.padding(input.features, to: steps), lengths: full)
            case (.timeMeans, _):
                out.inputs[m] = ModalityBatch(
                    features: Self.averaging(input.features, rows: 1, over: steps),
                    lengths: [Int](repeating: 1, count: size))
            case (.timeMeansOnText, _):
                out.inputs[m] = ModalityBatch(
                    features: Self.averaging(input.features, rows: textSteps, over: steps),
                    lengths: [Int](repeating: textSteps, count: size))
            case (.alignSubNet, _):
                let x = Self.padding(input.features, to: steps)
                let w = Self.alignSubNet(steps: steps, to: textSteps)
                out.inputs[m] = ModalityBatch(
                    features: Self.product(w, rows: textSteps, x),
                    lengths: [Int](repeating: textSteps, count: size))
            }
        }
        if self != .textLengths {
            out.textLengths = [Int](repeating: textSteps, count: size)
        }
        return out
    }

    /// The wheel's `AlignSubNet.__avg_pool` as a `[dst, raw]` averaging matrix: the sequence
    /// extended to a multiple of `dst` by copies of its *last* step (`pad = dst − raw mod dst`,
    /// none when `dst` divides `raw`), viewed as `[pool, dst]` and averaged over `pool`, so
    /// output `j` is the mean of steps `j, j + dst, j + 2·dst, …` (strided; GitHub HEAD takes
    /// consecutive windows instead). The identity when `raw == dst`.
    public static func alignSubNet(steps raw: Int, to dst: Int) -> [Float] {
        precondition(raw >= 1 && dst >= 1, "AlignSubNet from \(raw) to \(dst) steps")
        let pool = (raw + dst - 1) / dst
        var w = [Float](repeating: 0, count: dst * raw)
        for j in 0..<dst {
            for k in 0..<pool {
                w[j * raw + Swift.min(k * dst + j, raw - 1)] += 1 / Float(pool)
            }
        }
        return w
    }

    /// `x [B, T, D]` with zero steps appended up to `steps` (unchanged when `T == steps`).
    static func padding(_ x: Tensor, to steps: Int) -> Tensor {
        let (batch, have, dim) = (x.shape[0], x.shape[1], x.shape[2])
        precondition(have <= steps, "a batch of \(have) steps is longer than its padded \(steps)")
        guard have < steps else { return x }
        return Tensor.concat([x, Tensor.zeros([batch, steps - have, dim])], axis: 1)
    }

    /// `rows` copies of each clip's sum over its steps divided by `padded` (MMSA's mean over
    /// the padded array, whose padding is zero): `[B, rows, D]`.
    static func averaging(_ x: Tensor, rows: Int, over padded: Int) -> Tensor {
        product([Float](repeating: 1 / Float(padded), count: rows * x.shape[1]), rows: rows, x)
    }

    /// `w [rows, T]` (row-major) applied to every clip of `x [B, T, D]`: `[B, rows, D]`.
    static func product(_ w: [Float], rows: Int, _ x: Tensor) -> Tensor {
        let batch = x.shape[0]
        let weights = Tensor(
            [Float]([[Float]](repeating: w, count: batch).joined()),
            shape: [batch, rows, x.shape[1]])
        return Tensor.matmul(weights, x)
    }
}
