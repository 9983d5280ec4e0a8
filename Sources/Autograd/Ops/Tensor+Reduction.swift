/// Reductions along axes. Sums accumulate in `Double` (losses and metrics are built on them).
extension Tensor {
    /// The sum of all elements, as a 0-dimensional tensor.
    public func sum() -> Tensor {
        var s = 0.0
        let p = storage.base
        for i in 0..<count { s += Double(p[i]) }
        let inputShape = shape
        return Tensor(scalar: Float(s)).recorded(from: [self]) { [self] g in
            accumulateGrad(Tensor.full(inputShape, g.item))
        }
    }

    /// Sums along `axes`, keeping them as size 1 or dropping them.
    public func sum(axes: [Int], keepDims: Bool = false) -> Tensor {
        let axes = Set(axes.map(normalizedAxis)).sorted()
        var keptShape = shape
        for a in axes { keptShape[a] = 1 }
        let finalShape =
            keepDims
            ? keptShape : shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
        guard !axes.isEmpty else { return reshape(finalShape) }
        var current = self.detached()
        for a in axes.reversed() { current = current.sumConstant(axis: a) }
        let result = Tensor(shape: finalShape, storage: current.storage)
        let inputShape = shape
        return result.recorded(from: [self]) { [self] g in
            accumulateGrad(g.reshape(keptShape).expandedConstant(to: inputShape))
        }
    }

    /// One axis summed (kept as size 1), without recording.
    private func sumConstant(axis: Int) -> Tensor {
        let (outer, n, inner) = split3(axis)
        var outShape = shape
        outShape[axis] = 1
        let out = Tensor(uninitializedShape: outShape)
        let src = storage.base
        let dst = out.storage.base
        if inner == 1 {
            for o in 0..<outer {
                var s = 0.0
                let row = src + o * n
                for i in 0..<n { s += Double(row[i]) }
                dst[o] = Float(s)
            }
        } else {
            let acc = UnsafeMutablePointer<Double>.allocate(capacity: inner)
            defer { acc.deallocate() }
            for o in 0..<outer {
                acc.initialize(repeating: 0, count: inner)
                for i in 0..<n {
                    let row = src + (o * n + i) * inner
                    for j in 0..<inner { acc[j] += Double(row[j]) }
                }
                for j in 0..<inner { dst[o * inner + j] = Float(acc[j]) }
            }
        }
        return out
    }

    /// The mean of all elements.
    public func mean() -> Tensor { sum() * (1 / Float(Swift.max(count, 1))) }

    /// Means along `axes`.
    public func mean(axes: [Int], keepDims: Bool = false) -> Tensor {
        let n = Set(axes.map(normalizedAxis)).map { shape[$0] }.reduce(1, *)
        return sum(axes: axes, keepDims: keepDims) * (1 / Float(n))
    }

    /// Variance along `axes`: the mean squared deviation, divided by `n - 1` instead of `n`
    /// when `unbiased` (PyTorch's `torch.var` default is unbiased; `LayerNorm` uses biased).
    public func variance(axes: [Int], unbiased: Bool = true, keepDims: Bool = false) -> Tensor {
        let n = Set(axes.map(normalizedAxis)).map { shape[$0] }.reduce(1, *)
        let centered = self - mean(axes: axes, keepDims: true)
        let squares = (centered * centered).sum(axes: axes, keepDims: keepDims)
        return squares * (1 / Float(unbiased ? Swift.max(n - 1, 1) : n))
    }

    /// The largest element along `axis`. The gradient goes to the first largest element,
    /// as PyTorch's `max(dim)` does.
    public func max(axis: Int, keepDims: Bool = false) -> Tensor {
        let ax = normalizedAxis(axis)
        let (outer, n, inner) = split3(ax)
        precondition(n > 0, "max along an empty axis")
        var keptShape = shape
        keptShape[ax] = 1
        let out = Tensor(uninitializedShape: keptShape)
        var argmax = [Int](repeating: 0, count: outer * inner)
        let src = storage.base
        for o in 0..<outer {
            for j in 0..<inner {
                var best = src[o * n * inner + j]
                var bestIndex = 0
                for i in 1..<n {
                    let v = src[(o * n + i) * inner + j]
                    if v > best || (v.isNaN && !best.isNaN) {
                        best = v
                        bestIndex = i
                    }
                }
                out.storage.base[o * inner + j] = best
                argmax[o * inner + j] = bestIndex
            }
        }
        let finalShape =
            keepDims ? keptShape : shape.enumerated().filter { $0.offset != ax }.map(\.element)
        let inputShape = shape
        return Tensor(shape: finalShape, storage: out.storage).recorded(from: [self]) { [self] g in
            let full = Tensor.zeros(inputShape)
            for o in 0..<outer {
                for j in 0..<inner {
                    full.storage.base[(o * n + argmax[o * inner + j]) * inner + j] =
                        g.storage.base[o * inner + j]
                }
            }
            accumulateGrad(full)
        }
    }

    /// The largest element along each of `axes`, one after the other.
    public func max(axes: [Int], keepDims: Bool = false) -> Tensor {
        var result = self
        for a in Set(axes.map(normalizedAxis)).sorted(by: >) {
            result = result.max(axis: a, keepDims: true)
        }
        guard !keepDims else { return result }
        let dropped = Set(axes.map(normalizedAxis))
        return result.reshape(
            shape.enumerated().filter { !dropped.contains($0.offset) }.map(\.element))
    }
}
