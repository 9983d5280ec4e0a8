/// 1-D convolution as im2col + one GEMM.
///
/// Shapes: input `[B, C, L]` (PyTorch's `Conv1d` layout), weight `[O, C, k]`, output
/// `[B, O, L']` with `L' = (L + 2·padding − k) / stride + 1`.
extension Tensor {
    /// The sliding windows of a `[B, C, L]` input as rows: `[B, L', C·k]`, column `c·k + j`
    /// holding input channel `c` at window offset `j` (zero outside the input), so that a
    /// `[O, C, k]` weight read as `[O, C·k]` multiplies it directly.
    public func unfold1d(kernelSize k: Int, padding: Int = 0, stride: Int = 1) -> Tensor {
        precondition(rank == 3, "unfold1d of shape \(shape): expected [B, C, L]")
        let (batch, channels, length) = (shape[0], shape[1], shape[2])
        let outLength = (length + 2 * padding - k) / stride + 1
        precondition(outLength > 0, "kernel \(k) longer than padded length \(length + 2 * padding)")
        let out = Tensor(uninitializedShape: [batch, outLength, channels * k])
        let src = storage.base
        let dst = out.storage.base
        for b in 0..<batch {
            for t in 0..<outLength {
                let row = dst + (b * outLength + t) * channels * k
                for c in 0..<channels {
                    let channel = src + (b * channels + c) * length
                    for j in 0..<k {
                        let position = t * stride + j - padding
                        row[c * k + j] = position >= 0 && position < length ? channel[position] : 0
                    }
                }
            }
        }
        let inputShape = shape
        return out.recorded(from: [self]) { [self] g in
            // col2im: every window entry adds its gradient back to the input position it read.
            let gx = Tensor.zeros(inputShape)
            let gsrc = g.storage.base
            let gdst = gx.storage.base
            for b in 0..<batch {
                for t in 0..<outLength {
                    let row = gsrc + (b * outLength + t) * channels * k
                    for c in 0..<channels {
                        let channel = gdst + (b * channels + c) * length
                        for j in 0..<k {
                            let position = t * stride + j - padding
                            if position >= 0 && position < length {
                                channel[position] += row[c * k + j]
                            }
                        }
                    }
                }
            }
            accumulateGrad(gx)
        }
    }

    /// `conv1d(x, weight, bias)` as PyTorch's `F.conv1d` with one group.
    public static func conv1d(
        _ x: Tensor, weight: Tensor, bias: Tensor? = nil, padding: Int = 0, stride: Int = 1
    ) -> Tensor {
        precondition(
            weight.rank == 3 && x.rank == 3 && weight.shape[1] == x.shape[1],
            "conv1d of input \(x.shape) with weight \(weight.shape)")
        let (outChannels, k) = (weight.shape[0], weight.shape[2])
        let batch = x.shape[0]
        let columns = x.unfold1d(kernelSize: k, padding: padding, stride: stride)  // [B, L', C·k]
        let outLength = columns.shape[1]
        var y = Tensor.matmul(
            columns.reshape([batch * outLength, -1]), weight.reshape([outChannels, -1]),
            transposeB: true)  // [B·L', O]
        if let bias { y = y + bias }
        return y.reshape([batch, outLength, outChannels]).permute([0, 2, 1])
    }
}
