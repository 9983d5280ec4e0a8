/// Elementwise arithmetic with NumPy broadcasting and with scalar operands.
///
/// Gradients of broadcast operands are summed back to the operand's shape.
extension Tensor {
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        Kernels.zip(a, b, +).recorded(from: [a, b]) { g in
            a.accumulateGrad(g.sum(toShape: a.shape))
            b.accumulateGrad(g.sum(toShape: b.shape))
        }
    }

    public static func - (a: Tensor, b: Tensor) -> Tensor {
        Kernels.zip(a, b, -).recorded(from: [a, b]) { g in
            a.accumulateGrad(g.sum(toShape: a.shape))
            b.accumulateGrad((-g).sum(toShape: b.shape))
        }
    }

    public static func * (a: Tensor, b: Tensor) -> Tensor {
        Kernels.zip(a, b, *).recorded(from: [a, b]) { g in
            if a.requiresGrad { a.accumulateGrad(Kernels.zip(g, b, *).sum(toShape: a.shape)) }
            if b.requiresGrad { b.accumulateGrad(Kernels.zip(g, a, *).sum(toShape: b.shape)) }
        }
    }

    public static func / (a: Tensor, b: Tensor) -> Tensor {
        Kernels.zip(a, b, /).recorded(from: [a, b]) { g in
            if a.requiresGrad { a.accumulateGrad(Kernels.zip(g, b, /).sum(toShape: a.shape)) }
            if b.requiresGrad {
                // d(a/b)/db = -a / b²
                let gOverB = Kernels.zip(g, b, /)
                let quotient = Kernels.zip(a, b, /)
                b.accumulateGrad(Kernels.zip(gOverB, quotient) { -$0 * $1 }.sum(toShape: b.shape))
            }
        }
    }

    public static prefix func - (x: Tensor) -> Tensor {
        Kernels.map(x, -).recorded(from: [x]) { g in x.accumulateGrad(Kernels.map(g, -)) }
    }

    public static func + (x: Tensor, s: Float) -> Tensor {
        Kernels.map(x) { $0 + s }.recorded(from: [x]) { g in x.accumulateGrad(g) }
    }

    public static func + (s: Float, x: Tensor) -> Tensor { x + s }

    public static func - (x: Tensor, s: Float) -> Tensor { x + (-s) }

    public static func - (s: Float, x: Tensor) -> Tensor {
        Kernels.map(x) { s - $0 }.recorded(from: [x]) { g in x.accumulateGrad(Kernels.map(g, -)) }
    }

    public static func * (x: Tensor, s: Float) -> Tensor {
        Kernels.map(x) { $0 * s }.recorded(from: [x]) { g in
            x.accumulateGrad(Kernels.map(g) { $0 * s })
        }
    }

    public static func * (s: Float, x: Tensor) -> Tensor { x * s }

    public static func / (x: Tensor, s: Float) -> Tensor { x * (1 / s) }

    public static func / (s: Float, x: Tensor) -> Tensor {
        Kernels.map(x) { s / $0 }.recorded(from: [x]) { g in
            // d(s/x)/dx = -s / x²
            x.accumulateGrad(Kernels.zip(g, x) { -s * $0 / ($1 * $1) })
        }
    }
}
