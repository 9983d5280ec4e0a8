/// Layer normalisation over the last axis, fused: one node instead of the nine elementwise and
/// reduction ops (with their broadcast copies) that compose it.
///
/// Concretely, per row `x` of `n` features: `μ = mean(x)`, `σ² = mean((x − μ)²)` (biased),
/// `x̂ = (x − μ)/√(σ² + eps)`, `y = x̂ ⊙ weight + bias`. The backward pass recomputes
/// `x̂` from the saved `μ` and `1/√(σ² + eps)` of each row:
/// `dx = (ĝ − mean(ĝ) − x̂ ⊙ mean(ĝ ⊙ x̂)) / √(σ² + eps)`
/// with `ĝ = dy ⊙ weight`, `dweight = Σ_rows dy ⊙ x̂`, `dbias = Σ_rows dy`. The parameter
/// gradients are summed over fixed blocks of rows and then block by block in order, so they
/// do not depend on the thread count.
///
/// reference: https://pytorch.org/docs/stable/generated/torch.nn.LayerNorm.html
extension Tensor {
    public static func layerNorm(_ x: Tensor, weight: Tensor, bias: Tensor, eps: Float) -> Tensor {
        let n = x.shape.last ?? 0
        precondition(
            x.rank >= 1 && weight.shape == [n] && bias.shape == [n],
            "layer norm of \(x.shape) with weight \(weight.shape), bias \(bias.shape)")
        let rows = n == 0 ? 0 : x.count / n
        let out = Tensor(uninitializedShape: x.shape)
        let statistics = Tensor(uninitializedShape: [rows, 2])  // μ and 1/√(σ² + eps) per row
        let (src, dst, stats) = (x.storage.base, out.storage.base, statistics.storage.base)
        let (gamma, beta) = (weight.storage.base, bias.storage.base)
        forEachBlock(rows: rows, width: n) { block in
            for r in block {
                let row = src + r * n
                let mean = rowSum(row, count: n) { $0 } / Float(n)
                let variance = rowSum(row, count: n) { ($0 - mean) * ($0 - mean) } / Float(n)
                let inverse = 1 / (variance + eps).squareRoot()
                stats[2 * r] = mean
                stats[2 * r + 1] = inverse
                let y = dst + r * n
                for j in 0..<n { y[j] = (row[j] - mean) * inverse * gamma[j] + beta[j] }
            }
        }
        return out.recorded(from: [x, weight, bias]) { g in
            // (captures the tensor: it must live until backward)
            let stats = statistics.storage.base
            let gx = Tensor(uninitializedShape: x.shape)
            let blocks = (rows + blockRows - 1) / blockRows
            // Per block of rows: Σ dy ⊙ x̂ in the first n floats, Σ dy in the next n.
            let partials = Tensor.zeros([blocks, 2 * n])
            let (gy, gxBase, partialBase) = (g.storage.base, gx.storage.base, partials.storage.base)
            forEachBlock(rows: rows, width: n) { block in
                let normalized = UnsafeMutablePointer<Float>.allocate(capacity: n)
                let scaled = UnsafeMutablePointer<Float>.allocate(capacity: n)
                defer {
                    normalized.deallocate()
                    scaled.deallocate()
                }
                let partial = partialBase + (block.lowerBound / blockRows) * 2 * n
                for r in block {
                    let (row, dy, dx) = (src + r * n, gy + r * n, gxBase + r * n)
                    let (mean, inverse) = (stats[2 * r], stats[2 * r + 1])
                    for j in 0..<n {
                        normalized[j] = (row[j] - mean) * inverse
                        scaled[j] = dy[j] * gamma[j]
                        partial[j] += dy[j] * normalized[j]
                        partial[n + j] += dy[j]
                    }
                    let meanScaled = rowSum(scaled, count: n) { $0 } / Float(n)
                    var meanProduct: Float = 0
                    for j in 0..<n { meanProduct += scaled[j] * normalized[j] }
                    meanProduct /= Float(n)
                    for j in 0..<n {
                        dx[j] = (scaled[j] - meanScaled - normalized[j] * meanProduct) * inverse
                    }
                }
            }
            x.accumulateGrad(gx)
            if weight.requiresGrad || bias.requiresGrad {
                let gw = Tensor.zeros([n])
                let gb = Tensor.zeros([n])
                for b in 0..<blocks {
                    let partial = partialBase + b * 2 * n
                    for j in 0..<n {
                        gw.storage.base[j] += partial[j]
                        gb.storage.base[j] += partial[n + j]
                    }
                }
                weight.accumulateGrad(gw)
                bias.accumulateGrad(gb)
            }
        }
    }

    /// Rows per block of the parameter-gradient sums (and per unit of work across threads).
    private static let blockRows = 64

    /// `body` over blocks of `blockRows` rows, on the run's threads when there is enough work.
    private static func forEachBlock(rows: Int, width: Int, _ body: (Range<Int>) -> Void) {
        let blocks = (rows + blockRows - 1) / blockRows
        func run(_ chunk: Range<Int>) {
            for b in chunk { body((b * blockRows)..<Swift.min((b + 1) * blockRows, rows)) }
        }
        if rows * width >= Parallel.minimumParallelElements {
            Parallel.forEachChunk(of: blocks, run)
        } else {
            run(0..<blocks)
        }
    }

    /// `Σ f(x[j])` with eight partial sums.
    @inline(__always)
    private static func rowSum(
        _ x: UnsafePointer<Float>, count: Int, _ f: (VectorMath.Vector) -> VectorMath.Vector
    ) -> Float {
        var sum = VectorMath.Vector()
        var j = 0
        while j + 8 <= count {
            sum += f(VectorMath.load(x + j))
            j += 8
        }
        var total = sum.sum()
        for t in j..<count { total += f(VectorMath.Vector(repeating: x[t]))[0] }
        return total
    }
}
