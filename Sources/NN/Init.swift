import Autograd

/// Weight initialisers, each matching its PyTorch namesake's distribution.
///
/// reference: https://pytorch.org/docs/stable/nn.init.html
public enum Init {
    /// U(−bound, bound).
    public static func uniform(_ shape: [Int], bound: Float, generator: Generator) -> Tensor {
        Tensor.uniform(shape, low: -bound, high: bound, generator: generator, requiresGrad: true)
    }

    /// PyTorch's default for `Linear` and `Conv1d` weights and biases: U(±1/√fanIn), which is
    /// what `kaiming_uniform_(a=√5)` reduces to.
    public static func pytorchDefault(_ shape: [Int], fanIn: Int, generator: Generator) -> Tensor {
        uniform(shape, bound: 1 / Float(fanIn).squareRoot(), generator: generator)
    }

    /// Xavier (Glorot) uniform: U(±gain·√(6 / (fanIn + fanOut))). For a weight
    /// `[out, in, k...]` the fans are `in·k` and `out·k`.
    public static func xavierUniform(
        _ shape: [Int], gain: Float = 1, generator: Generator
    ) -> Tensor {
        let receptive = shape.dropFirst(2).reduce(1, *)
        let fanIn = shape[1] * receptive
        let fanOut = shape[0] * receptive
        return uniform(
            shape, bound: gain * (6 / Float(fanIn + fanOut)).squareRoot(), generator: generator)
    }

    /// Orthogonal: a normal matrix's QR factor `Q`, with column signs fixed by `sign(diag R)` so
    /// that the distribution is uniform (Haar), scaled by `gain`. Rows or columns are
    /// orthonormal, whichever are fewer. Trailing dimensions are flattened, as in PyTorch.
    public static func orthogonal(_ shape: [Int], gain: Float = 1, generator: Generator) -> Tensor {
        let rows = shape[0]
        let cols = shape.dropFirst().reduce(1, *)
        let normal = Tensor.normal([rows, cols], generator: generator).scalars
        let tall = rows >= cols
        // Factor the tall orientation; transpose back afterwards if needed.
        let (m, n) = tall ? (rows, cols) : (cols, rows)
        let a = tall ? normal : (0..<(m * n)).map { normal[($0 % n) * cols + $0 / n] }
        let (q, d) = LAPACK.qr(a, rows: m, cols: n)
        var signed = q
        for i in 0..<m { for j in 0..<n where d[j] < 0 { signed[i * n + j] = -signed[i * n + j] } }
        let values = tall ? signed : (0..<(rows * cols)).map { signed[($0 % cols) * n + $0 / cols] }
        return Tensor(values.map { $0 * gain }, shape: shape, requiresGrad: true)
    }
}
