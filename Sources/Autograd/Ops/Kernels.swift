/// Elementwise loops over raw buffers. They record nothing: differentiable operations are
/// built on them in `Tensor+Arithmetic.swift` and `Tensor+Math.swift`.
///
/// Marked `@inline(__always)` so that each call site is specialised with its closure and the
/// optimiser can vectorise the loop; the loops run over pointers, so debug builds stay usable.
enum Kernels {
    @inline(__always)
    static func map(_ x: Tensor, _ f: (Float) -> Float) -> Tensor {
        let out = Tensor(uninitializedShape: x.shape)
        let src = x.storage.base
        let dst = out.storage.base
        for i in 0..<x.count { dst[i] = f(src[i]) }
        return out
    }

    /// `f` eight elements at a time (see `VectorMath`).
    @inline(__always)
    static func vectorMap(_ x: Tensor, _ f: (VectorMath.Vector) -> VectorMath.Vector) -> Tensor {
        let out = Tensor(uninitializedShape: x.shape)
        VectorMath.map(x.storage.base, out.storage.base, count: x.count, f)
        return out
    }

    /// `f(a, b)` with NumPy broadcasting.
    @inline(__always)
    static func zip(_ a: Tensor, _ b: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
        if a.shape == b.shape {
            let out = Tensor(uninitializedShape: a.shape)
            let pa = a.storage.base
            let pb = b.storage.base
            let po = out.storage.base
            for i in 0..<out.count { po[i] = f(pa[i], pb[i]) }
            return out
        }
        let shape = Broadcast.shape(a.shape, b.shape)
        let n = shape.reduce(1, *)
        let out = Tensor(uninitializedShape: shape)
        let po = out.storage.base
        if b.count == 1, a.count == n {
            let pa = a.storage.base
            let s = b.storage.base[0]
            for i in 0..<n { po[i] = f(pa[i], s) }
        } else if a.count == 1, b.count == n {
            let s = a.storage.base[0]
            let pb = b.storage.base
            for i in 0..<n { po[i] = f(s, pb[i]) }
        } else if a.count == n, isRowBroadcast(b.shape, to: shape) {
            // The common bias case: [N, D] with [D]; b repeats every b.count elements.
            let pa = a.storage.base
            let pb = b.storage.base
            let width = b.count
            for row in 0..<(n / max(width, 1)) {
                let base = row * width
                for j in 0..<width { po[base + j] = f(pa[base + j], pb[j]) }
            }
        } else if b.count == n, isRowBroadcast(a.shape, to: shape) {
            let pa = a.storage.base
            let pb = b.storage.base
            let width = a.count
            for row in 0..<(n / max(width, 1)) {
                let base = row * width
                for j in 0..<width { po[base + j] = f(pa[j], pb[base + j]) }
            }
        } else {
            let ea = a.expandedConstant(to: shape)
            let eb = b.expandedConstant(to: shape)
            let pa = ea.storage.base
            let pb = eb.storage.base
            for i in 0..<n { po[i] = f(pa[i], pb[i]) }
        }
        return out
    }

    /// Whether `small`, with leading 1s dropped, is a suffix of `shape`.
    static func isRowBroadcast(_ small: [Int], to shape: [Int]) -> Bool {
        let trimmed = small.drop(while: { $0 == 1 })
        return trimmed.count <= shape.count && Array(shape.suffix(trimmed.count)) == Array(trimmed)
    }

    /// `f(a, b, c)` on three tensors of one shape.
    @inline(__always)
    static func zip3(
        _ a: Tensor, _ b: Tensor, _ c: Tensor, _ f: (Float, Float, Float) -> Float
    ) -> Tensor {
        precondition(a.shape == b.shape && b.shape == c.shape)
        let out = Tensor(uninitializedShape: a.shape)
        let pa = a.storage.base
        let pb = b.storage.base
        let pc = c.storage.base
        let po = out.storage.base
        for i in 0..<out.count { po[i] = f(pa[i], pb[i], pc[i]) }
        return out
    }
}

extension Tensor {
    /// `expand(to:)` without recording: this tensor itself when it already has the shape
    /// (callers only read the result), else a repeated copy.
    func expandedConstant(to target: [Int]) -> Tensor {
        if shape == target { return self }
        let out = Tensor(uninitializedShape: target)
        stridedCopy(
            storage.base, srcStrides: Broadcast.strides(of: shape, broadcastTo: target),
            shape: target, into: out.storage.base)
        return out
    }
}
