import Autograd

/// Gradient clipping over a set of parameters.
public enum GradientClipping {
    /// Scales all gradients by `maxNorm / (‖g‖ + 1e-6)` when the global L2 norm exceeds
    /// `maxNorm`, as PyTorch's `clip_grad_norm_`. Returns the norm before clipping.
    @discardableResult
    public static func clipNorm(
        _ parameters: [(key: String, tensor: Tensor)], maxNorm: Float
    ) -> Float {
        let grads = parameters.compactMap(\.tensor.grad)
        var total = 0.0
        for g in grads {
            g.withUnsafeBufferPointer { for x in $0 { total += Double(x) * Double(x) } }
        }
        let norm = Float(total.squareRoot())
        let coefficient = maxNorm / (norm + 1e-6)
        if coefficient < 1 {
            for g in grads {
                g.withUnsafeMutableBufferPointer { for i in $0.indices { $0[i] *= coefficient } }
            }
        }
        return norm
    }

    /// Clamps every gradient element to `[−limit, limit]`, as PyTorch's `clip_grad_value_`.
    public static func clipValue(_ parameters: [(key: String, tensor: Tensor)], limit: Float) {
        for g in parameters.compactMap(\.tensor.grad) {
            g.withUnsafeMutableBufferPointer {
                for i in $0.indices { $0[i] = Swift.min(Swift.max($0[i], -limit), limit) }
            }
        }
    }
}
