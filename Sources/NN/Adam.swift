import Autograd

/// Adam, and AdamW with decoupled weight decay, as PyTorch's `Adam` and `AdamW`.
///
/// Concretely, at step t: Adam adds `λ·p` to the gradient (L2), AdamW instead multiplies
/// `p ← p·(1 − lr·λ)`; then `m ← β₁m + (1 − β₁)g`,
/// `v ← β₂v + (1 − β₂)g²`, and
/// `p ← p − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)` — always
/// bias-corrected, in PyTorch's arrangement of the same formula so that the rounding matches.
///
/// reference: https://pytorch.org/docs/stable/generated/torch.optim.Adam.html,
/// https://pytorch.org/docs/stable/generated/torch.optim.AdamW.html
public final class Adam: Optimizer {
    public enum WeightDecay: Sendable, Equatable {
        /// Added to the gradient (PyTorch `Adam(weight_decay=)`).
        case l2(Float)
        /// Applied to the weights directly (PyTorch `AdamW(weight_decay=)`).
        case decoupled(Float)
    }

    public var learningRate: Float
    public let beta1: Float
    public let beta2: Float
    public let eps: Float
    public let weightDecay: WeightDecay
    let parameters: [(key: String, tensor: Tensor)]
    var state: [String: ParameterState] = [:]

    public init(
        parameters: [(key: String, tensor: Tensor)], learningRate: Float = 1e-3, beta1: Float = 0.9,
        beta2: Float = 0.999, eps: Float = 1e-8, weightDecay: WeightDecay = .l2(0)
    ) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.weightDecay = weightDecay
    }

    public var snapshot: OptimizerSnapshot {
        get { OptimizerSnapshot(learningRate: learningRate, state: state) }
        set {
            learningRate = newValue.learningRate
            state = newValue.parameterStates
        }
    }

    /// AdamW: Adam with decoupled weight decay (PyTorch's default λ = 0.01).
    public static func adamW(
        parameters: [(key: String, tensor: Tensor)], learningRate: Float = 1e-3, beta1: Float = 0.9,
        beta2: Float = 0.999, eps: Float = 1e-8, weightDecay: Float = 1e-2
    ) -> Adam {
        Adam(
            parameters: parameters, learningRate: learningRate, beta1: beta1, beta2: beta2,
            eps: eps, weightDecay: .decoupled(weightDecay))
    }

    public func step() {
        for (key, p) in parameters {
            guard let grad = p.grad, p.count > 0 else { continue }
            let s = state[key] ?? ParameterState(count: p.count, buffers: 2)
            state[key] = s
            s.steps += 1
            let t = Float(s.steps)
            let stepSize = learningRate / (1 - powf(beta1, t))
            let correction2 = (1 - powf(beta2, t)).squareRoot()
            let (b1, b2, eps, lr) = (beta1, beta2, self.eps, learningRate)
            let (l2, decay): (Float, Float) =
                switch weightDecay {
                case .l2(let w): (w, 1)
                case .decoupled(let w): (0, 1 - lr * w)
                }
            p.withUnsafeMutableBufferPointer { v in
                grad.withUnsafeBufferPointer { g in
                    s.first.withUnsafeMutableBufferPointer { m in
                        s.second.withUnsafeMutableBufferPointer { sq in
                            // One pass over each parameter; large ones (TFN's 35M-weight
                            // fusion layer) split across the run's threads, since the pass is
                            // memory-bound.
                            let (pv, pg, pm, ps) = (
                                v.baseAddress!, g.baseAddress!, m.baseAddress!, sq.baseAddress!
                            )
                            func update(_ range: Range<Int>) {
                                // Eight at a time (the same arithmetic, lane by lane), then the
                                // tail.
                                var i = range.lowerBound
                                while i + 8 <= range.upperBound {
                                    var x = VectorMath.load(pv + i)
                                    let d = VectorMath.load(pg + i) + l2 * x
                                    x *= decay
                                    let first = b1 * VectorMath.load(pm + i) + (1 - b1) * d
                                    let second = b2 * VectorMath.load(ps + i) + (1 - b2) * d * d
                                    x -=
                                        stepSize * first / (second.squareRoot() / correction2 + eps)
                                    VectorMath.store(x, pv + i)
                                    VectorMath.store(first, pm + i)
                                    VectorMath.store(second, ps + i)
                                    i += 8
                                }
                                for j in i..<range.upperBound {
                                    let d = pg[j] + l2 * pv[j]
                                    pv[j] *= decay
                                    pm[j] = b1 * pm[j] + (1 - b1) * d
                                    ps[j] = b2 * ps[j] + (1 - b2) * d * d
                                    pv[j] -=
                                        stepSize * pm[j] / (ps[j].squareRoot() / correction2 + eps)
                                }
                            }
                            if v.count >= Parallel.minimumParallelElements {
                                Parallel.forEachChunk(of: v.count, update)
                            } else {
                                update(v.indices)
                            }
                        }
                    }
                }
            }
        }
    }
}

#if canImport(Glibc)
    import Glibc
#endif
