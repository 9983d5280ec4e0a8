import Autograd

/// Stochastic gradient descent with momentum, as PyTorch's `SGD`.
///
/// Concretely: `g ← g + λ·p`; with momentum, `b ← μ·b + (1 − τ)·g` (`b = g` at the
/// first step), `g ← g + μ·b` (Nesterov) or `g ← b`; then `p ← p − lr·g`.
///
/// reference: https://pytorch.org/docs/stable/generated/torch.optim.SGD.html
public final class SGD: Optimizer {
    public var learningRate: Float
    public let momentum: Float
    public let dampening: Float
    public let weightDecay: Float
    public let nesterov: Bool
    let parameters: [(key: String, tensor: Tensor)]
    var state: [String: ParameterState] = [:]

    public init(
        parameters: [(key: String, tensor: Tensor)], learningRate: Float, momentum: Float = 0,
        dampening: Float = 0, weightDecay: Float = 0, nesterov: Bool = false
    ) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
    }

    public var snapshot: OptimizerSnapshot {
        get { OptimizerSnapshot(learningRate: learningRate, state: state) }
        set {
            learningRate = newValue.learningRate
            state = newValue.parameterStates
        }
    }

    public func step() {
        for (key, p) in parameters {
            guard let grad = p.grad else { continue }
            let s = state[key] ?? ParameterState(count: p.count, buffers: momentum == 0 ? 0 : 1)
            state[key] = s
            s.steps += 1
            let (lr, mu, tau, wd, first) = (
                learningRate, momentum, dampening, weightDecay, s.steps == 1
            )
            p.withUnsafeMutableBufferPointer { v in
                grad.withUnsafeBufferPointer { g in
                    if mu == 0 {
                        for i in v.indices { v[i] -= lr * (g[i] + wd * v[i]) }
                        return
                    }
                    s.first.withUnsafeMutableBufferPointer { b in
                        for i in v.indices {
                            let d = g[i] + wd * v[i]
                            b[i] = first ? d : mu * b[i] + (1 - tau) * d
                            v[i] -= lr * (nesterov ? d + mu * b[i] : b[i])
                        }
                    }
                }
            }
        }
    }
}
