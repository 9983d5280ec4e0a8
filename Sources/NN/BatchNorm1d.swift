import Autograd

/// Batch normalisation over `[B, C]` or `[B, C, L]` inputs, per channel `C`.
///
/// Concretely: in training, normalise with the batch mean and *biased* variance over B (and
/// L), and update `running = (1 − momentum)·running + momentum·batch` with the *unbiased*
/// variance; in evaluation, normalise with the running statistics. `eps = 1e-5`,
/// `momentum = 0.1`, as PyTorch.
///
/// reference: https://pytorch.org/docs/stable/generated/torch.nn.BatchNorm1d.html
public final class BatchNorm1d: Module {
    public let weight: Tensor
    public let bias: Tensor
    public let runningMean: Tensor
    public let runningVar: Tensor
    public let numBatchesTracked: Tensor
    public let eps: Float
    public let momentum: Float

    public init(_ features: Int, eps: Float = 1e-5, momentum: Float = 0.1) {
        weight = Tensor.ones([features], requiresGrad: true)
        bias = Tensor.zeros([features], requiresGrad: true)
        runningMean = Tensor.zeros([features])
        runningVar = Tensor.ones([features])
        numBatchesTracked = Tensor.zeros([])
        self.eps = eps
        self.momentum = momentum
    }

    override public var parameters: [(key: String, tensor: Tensor)] {
        [("weight", weight), ("bias", bias)]
    }
    override public var buffers: [(key: String, tensor: Tensor)] {
        [
            ("running_mean", runningMean), ("running_var", runningVar),
            ("num_batches_tracked", numBatchesTracked),
        ]
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        precondition(
            (x.rank == 2 || x.rank == 3) && x.shape[1] == weight.count,
            "BatchNorm1d(\(weight.count)) applied to shape \(x.shape)")
        // Per-channel vectors broadcast as [C] for [B, C] and [C, 1] for [B, C, L].
        let channelShape = x.rank == 2 ? [weight.count] : [weight.count, 1]
        let axes = x.rank == 2 ? [0] : [0, 2]
        let (mean, variance): (Tensor, Tensor)
        if training {
            let n = x.count / weight.count
            mean = x.mean(axes: axes, keepDims: true)
            variance = x.variance(axes: axes, unbiased: false, keepDims: true)
            noGrad {
                let unbiased = Float(n) / Float(Swift.max(n - 1, 1))
                update(runningMean, with: mean.scalars, scale: 1)
                update(runningVar, with: variance.scalars, scale: unbiased)
                numBatchesTracked.withUnsafeMutableBufferPointer { $0[0] += 1 }
            }
        } else {
            mean = runningMean.reshape(channelShape)
            variance = runningVar.reshape(channelShape)
        }
        return (x - mean) / (variance + eps).sqrt() * weight.reshape(channelShape)
            + bias.reshape(channelShape)
    }

    private func update(_ running: Tensor, with batch: [Float], scale: Float) {
        running.withUnsafeMutableBufferPointer { r in
            for i in r.indices { r[i] = (1 - momentum) * r[i] + momentum * batch[i] * scale }
        }
    }
}
