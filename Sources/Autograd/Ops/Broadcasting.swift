/// NumPy broadcasting: shapes are aligned at their last dimension and each pair of sizes must
/// be equal or contain a 1.
///
/// reference: https://numpy.org/doc/stable/user/basics.broadcasting.html
enum Broadcast {
    static func shape(_ a: [Int], _ b: [Int]) -> [Int] {
        let rank = max(a.count, b.count)
        var out = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            precondition(da == db || da == 1 || db == 1, "shapes \(a) and \(b) do not broadcast")
            out[i] = da == 1 ? db : da
        }
        return out
    }

    /// Row-major strides of `shape` read as `target`: 0 along every broadcast dimension.
    static func strides(of shape: [Int], broadcastTo target: [Int]) -> [Int] {
        precondition(shape.count <= target.count)
        var strides = [Int](repeating: 0, count: target.count)
        var step = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            let t = i + target.count - shape.count
            precondition(
                shape[i] == target[t] || shape[i] == 1, "cannot broadcast \(shape) to \(target)")
            strides[t] = shape[i] == 1 ? 0 : step
            step *= shape[i]
        }
        return strides
    }
}

/// Row-major strides of a contiguous tensor.
func contiguousStrides(_ shape: [Int]) -> [Int] {
    var strides = [Int](repeating: 1, count: shape.count)
    var s = 1
    for i in stride(from: shape.count - 1, through: 0, by: -1) {
        strides[i] = s
        s *= shape[i]
    }
    return strides
}

/// Copies the elements of `src`, read with arbitrary `srcStrides` over `shape`, into
/// contiguous `dst`. The one gather loop behind broadcasting, permutation and expansion.
func stridedCopy(
    _ src: UnsafePointer<Float>, srcStrides: [Int], shape: [Int],
    into dst: UnsafeMutablePointer<Float>
) {
    let total = shape.reduce(1, *)
    guard total > 0 else { return }
    guard let inner = shape.last else {
        dst[0] = src[0]
        return
    }
    let innerStride = srcStrides.last!
    let outerRank = shape.count - 1
    var index = [Int](repeating: 0, count: outerRank)
    var srcOffset = 0
    var d = dst
    for _ in 0..<(total / max(inner, 1)) {
        if innerStride == 1 {
            d.update(from: src + srcOffset, count: inner)
        } else {
            var s = srcOffset
            for j in 0..<inner {
                d[j] = src[s]
                s += innerStride
            }
        }
        d += inner
        // Odometer increment over the outer dimensions.
        var k = outerRank - 1
        while k >= 0 {
            index[k] += 1
            srcOffset += srcStrides[k]
            if index[k] < shape[k] { break }
            srcOffset -= srcStrides[k] * shape[k]
            index[k] = 0
            k -= 1
        }
    }
}

extension Tensor {
    /// This tensor repeated along its broadcast dimensions to `target` (a copy).
    ///
    /// Differentiable: the gradient is summed back over the repeated dimensions.
    public func expand(to target: [Int]) -> Tensor {
        if shape == target { return self }
        let out = Tensor(uninitializedShape: target)
        stridedCopy(
            storage.base, srcStrides: Broadcast.strides(of: shape, broadcastTo: target),
            shape: target, into: out.storage.base)
        let inputShape = shape
        return out.recorded(from: [self]) { [self] g in accumulateGrad(g.sum(toShape: inputShape)) }
    }

    /// Sums this tensor over the dimensions along which `shape` was broadcast to give this
    /// tensor's shape: the adjoint of `expand(to:)`.
    func sum(toShape target: [Int]) -> Tensor {
        if shape == target { return self }
        let lead = rank - target.count
        var axes = Array(0..<lead)
        for (i, size) in target.enumerated() where size == 1 && shape[lead + i] != 1 {
            axes.append(lead + i)
        }
        return sum(axes: axes, keepDims: true).reshape(target)
    }
}
