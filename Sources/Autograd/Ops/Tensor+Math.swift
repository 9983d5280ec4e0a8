#if canImport(Glibc)
    import Glibc
#endif

/// Elementwise functions and their derivatives.
extension Tensor {
    public func exp() -> Tensor {
        let y = Kernels.vectorMap(self, VectorMath.exp)
        let value = y.detached()
        return y.recorded(from: [self]) { [self] g in accumulateGrad(Kernels.zip(g, value, *)) }
    }

    public func log() -> Tensor {
        Kernels.map(self) { Glibc.logf($0) }.recorded(from: [self]) { [self] g in
            accumulateGrad(Kernels.zip(g, self, /))
        }
    }

    public func sqrt() -> Tensor {
        let y = Kernels.map(self) { $0.squareRoot() }
        let value = y.detached()
        return y.recorded(from: [self]) { [self] g in
            accumulateGrad(Kernels.zip(g, value) { 0.5 * $0 / $1 })
        }
    }

    /// `x^p` for a constant exponent.
    public func pow(_ p: Float) -> Tensor {
        Kernels.map(self) { Glibc.powf($0, p) }.recorded(from: [self]) { [self] g in
            accumulateGrad(Kernels.zip(g, self) { $0 * p * Glibc.powf($1, p - 1) })
        }
    }

    /// `|x|`; its derivative is taken as 0 at 0, as PyTorch does.
    public func abs() -> Tensor {
        Kernels.map(self) { Swift.abs($0) }.recorded(from: [self]) { [self] g in
            accumulateGrad(Kernels.zip(g, self) { $1 > 0 ? $0 : ($1 < 0 ? -$0 : 0) })
        }
    }

    public func tanh() -> Tensor {
        let y = Kernels.vectorMap(self, VectorMath.tanh)
        let value = y.detached()
        return y.recorded(from: [self]) { [self] g in
            accumulateGrad(Kernels.zip(g, value) { $0 * (1 - $1 * $1) })
        }
    }

    /// The logistic function `1 / (1 + e^-x)`.
    public func sigmoid() -> Tensor {
        let y = Kernels.vectorMap(self, VectorMath.sigmoid)
        let value = y.detached()
        return y.recorded(from: [self]) { [self] g in
            accumulateGrad(Kernels.zip(g, value) { $0 * $1 * (1 - $1) })
        }
    }

    public func relu() -> Tensor {
        Kernels.map(self) { Swift.max($0, 0) }.recorded(from: [self]) { [self] g in
            accumulateGrad(Kernels.zip(g, self) { $1 > 0 ? $0 : 0 })
        }
    }

    /// Each element limited to `[min, max]`. The gradient passes where `min <= x <= max`, as in
    /// PyTorch's `clamp`.
    public func clamp(min lower: Float = -.infinity, max upper: Float = .infinity) -> Tensor {
        Kernels.map(self) { Swift.min(Swift.max($0, lower), upper) }.recorded(from: [self]) {
            [self] g in
            accumulateGrad(Kernels.zip(g, self) { $1 >= lower && $1 <= upper ? $0 : 0 })
        }
    }

    /// `condition ? a : b` elementwise, with broadcasting of all three. `condition` is any
    /// tensor whose nonzero elements mean true; it gets no gradient.
    ///
    /// Unlike `c * a + (1 - c) * b`, an infinite value in the branch not taken does not
    /// produce NaN, so this is the way to fill masked positions with `-inf`.
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
        let shape = Broadcast.shape(condition.shape, Broadcast.shape(a.shape, b.shape))
        let c = condition.expandedConstant(to: shape)
        let out = Kernels.zip3(c, a.expandedConstant(to: shape), b.expandedConstant(to: shape)) {
            $0 != 0 ? $1 : $2
        }
        return out.recorded(from: [a, b]) { g in
            if a.requiresGrad {
                a.accumulateGrad(Kernels.zip(g, c) { $1 != 0 ? $0 : 0 }.sum(toShape: a.shape))
            }
            if b.requiresGrad {
                b.accumulateGrad(Kernels.zip(g, c) { $1 != 0 ? 0 : $0 }.sum(toShape: b.shape))
            }
        }
    }

    /// This tensor with `value` wherever `mask` (broadcast to this shape) is nonzero.
    public func maskedFill(_ mask: Tensor, _ value: Float) -> Tensor {
        let m = mask.expandedConstant(to: shape)
        return Kernels.zip(self, m) { $1 != 0 ? value : $0 }.recorded(from: [self]) { [self] g in
            accumulateGrad(Kernels.zip(g, m) { $1 != 0 ? 0 : $0 })
        }
    }
}
