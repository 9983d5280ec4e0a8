#if canImport(Glibc)
    import Glibc
#endif

/// Scaled dot-product attention, fused: the `[Tq, Tk]` weights of one head at a time live in a
/// scratch buffer, and the backward pass recomputes them (from the saved log-sum-exp per
/// query) instead of keeping `B·h·Tq·Tk` floats per layer alive until backward. For MulT's
/// 225-step clips at batch 32 that is 64 MB per attention map saved several times over.
///
/// Concretely, per head: `S = Q·Kᵀ` (scale `Q` beforehand), `P = softmax(S)` over keys with
/// masked keys at 0 (a query with no valid key gets all zeros), `P' = P ⊙ D / (1 − p)` with a
/// dropout mask `D` regenerated from a per-call seed, `O = P'·V`.
///
/// Shapes: `q [BH, Tq, d]`, `k [BH, Tk, d]`, `v [BH, Tk, dv]`, key mask `[B, Tk]` (1 = valid)
/// shared by the `heads` consecutive entries of each batch element, output `[BH, Tq, dv]`.
/// Every product is `cblas_sgemm`.
///
/// ### References
/// - Dao et al., "FlashAttention", NeurIPS 2022 (recomputation in the backward pass).
extension Tensor {
    public static func attention(
        query q: Tensor, key k: Tensor, value v: Tensor, keyMask: Tensor? = nil, heads: Int,
        dropout p: Float = 0, training: Bool = false, generator: Generator? = nil
    ) -> Tensor {
        precondition(q.rank == 3 && k.rank == 3 && v.rank == 3 && q.shape[0] == k.shape[0] && k.shape[0] == v.shape[0] && q.shape[2] == k.shape[2] && k.shape[1] == v.shape[1], "attention of q \(q.shape), k \(k.shape), v \(v.shape)")
        let (bh, tq, d) = (q.shape[0], q.shape[1], q.shape[2])
        let (tk, dv) = (k.shape[1], v.shape[2])
        precondition(bh % heads == 0)
        if let keyMask { precondition(keyMask.shape == [bh / heads, tk], "key mask \(keyMask.shape), expected [\(bh / heads), \(tk)]") }
        let dropping = training && p > 0
        precondition(!dropping || generator != nil, "attention dropout needs a generator")
        let callSeed = dropping ? generator!.next() : 0
        let keep = 1 / (1 - p)
        let out = Tensor(uninitializedShape: [bh, tq, dv])
        // Saved for the backward pass, which recomputes the weights from it.
        let lseTensor = Tensor(uninitializedShape: [bh, tq])
        let logSumExp = lseTensor.storage.base

        /// `P` of head `h` into `w`.
        func weights(_ h: Int, _ w: UnsafeMutablePointer<Float>, saveLSE: Bool) {
            BLAS.sgemm(transA: false, transB: true, m: tq, n: tk, k: d, a: q.storage.base + h * tq * d, lda: d, b: k.storage.base + h * tk * d, ldb: d, c: w, ldc: tk)
            let mask = keyMask.map { $0.storage.base + (h / heads) * tk }
            for i in 0..<tq {
                let row = w + i * tk
                if saveLSE {
                    let m = maskedMax(row, count: tk, mask: mask)
                    if m == -.infinity {
                        row.update(repeating: 0, count: tk)
                        logSumExp[h * tq + i] = .infinity
                    } else {
                        let total = maskedExp(row, count: tk, shift: m, mask: mask)
                        VectorMath.map(row, row, count: tk) { $0 * (1 / total) }
                        logSumExp[h * tq + i] = m + Glibc.logf(total)
                    }
                } else {
                    let lse = logSumExp[h * tq + i]
                    if lse == .infinity {
                        row.update(repeating: 0, count: tk)
                    } else {
                        _ = maskedExp(row, count: tk, shift: lse, mask: mask)
                    }
                }
            }
        }

        /// Head `h`'s dropout factors (0 or 1/(1−p)), drawn from its own seed so that the backward
        /// pass regenerates exactly the forward mask.
        func dropoutFactors(_ h: Int, into factors: UnsafeMutablePointer<Float>) {
            Generator(seed: callSeed &+ UInt64(h)).fillDropoutFactors(factors, count: tq * tk, p: p, keep: keep)
        }

        Parallel.forEachChunk(of: bh) { heads in
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: tq * tk)
            let factors = UnsafeMutablePointer<Float>.allocate(capacity: dropping ? tq * tk : 0)
            defer {
                scratch.deallocate()
                factors.deallocate()
            }
            for h in heads {
                weights(h, scratch, saveLSE: true)
                if dropping {
                    dropoutFactors(h, into: factors)
                    for i in 0..<(tq * tk) { scratch[i] *= factors[i] }
                }
                BLAS.sgemm(transA: false, transB: false, m: tq, n: dv, k: tk, a: scratch, lda: tk, b: v.storage.base + h * tk * dv, ldb: dv, c: out.storage.base + h * tq * dv, ldc: dv)
            }
        }
        return out.recorded(from: [q, k, v]) { g in
            _ = lseTensor  // keeps the saved log-sum-exp alive with the graph
            let gq = Tensor.zeros(q.shape)
            let gk = Tensor.zeros(k.shape)
            let gv = Tensor.zeros(v.shape)
            Parallel.forEachChunk(of: bh) { heads in
            let probabilities = UnsafeMutablePointer<Float>.allocate(capacity: tq * tk)
            let dropped = UnsafeMutablePointer<Float>.allocate(capacity: tq * tk)
            let gradient = UnsafeMutablePointer<Float>.allocate(capacity: tq * tk)
            let factors = UnsafeMutablePointer<Float>.allocate(capacity: dropping ? tq * tk : 0)
            defer {
                probabilities.deallocate()
                dropped.deallocate()
                gradient.deallocate()
                factors.deallocate()
            }
            for h in heads {
                weights(h, probabilities, saveLSE: false)
                dropped.update(from: probabilities, count: tq * tk)
                if dropping {
                    dropoutFactors(h, into: factors)
                    for i in 0..<(tq * tk) { dropped[i] *= factors[i] }
                }
                let dO = g.storage.base + h * tq * dv
                // dV = P'ᵀ·dO
                BLAS.sgemm(transA: true, transB: false, m: tk, n: dv, k: tq, a: dropped, lda: tk, b: dO, ldb: dv, beta: 1, c: gv.storage.base + h * tk * dv, ldc: dv)
                // dP' = dO·Vᵀ, then dP = dP' ⊙ D/(1-p)
                BLAS.sgemm(transA: false, transB: true, m: tq, n: tk, k: dv, a: dO, lda: dv, b: v.storage.base + h * tk * dv, ldb: dv, c: gradient, ldc: tk)
                if dropping { for i in 0..<(tq * tk) { gradient[i] *= factors[i] } }
                // dS = P ⊙ (dP − Σⱼ dP·P)
                for i in 0..<tq {
                    let pRow = probabilities + i * tk
                    let gRow = gradient + i * tk
                    let dot = dotProduct(gRow, pRow, count: tk)
                    for j in 0..<tk { gRow[j] = pRow[j] * (gRow[j] - dot) }
                }
                // dQ = dS·K, dK = dSᵀ·Q
                BLAS.sgemm(transA: false, transB: false, m: tq, n: d, k: tk, a: gradient, lda: tk, b: k.storage.base + h * tk * d, ldb: d, beta: 1, c: gq.storage.base + h * tq * d, ldc: d)
                BLAS.sgemm(transA: true, transB: false, m: tk, n: d, k: tq, a: gradient, lda: tk, b: q.storage.base + h * tq * d, ldb: d, beta: 1, c: gk.storage.base + h * tk * d, ldc: d)
            }
            }
            q.accumulateGrad(gq)
            k.accumulateGrad(gk)
            v.accumulateGrad(gv)
        }
    }

    /// The largest `row[j]` over valid keys (`mask[j] != 0`), or −∞ when none is valid.
    @inline(__always)
    fileprivate static func maskedMax(_ row: UnsafeMutablePointer<Float>, count: Int, mask: UnsafeMutablePointer<Float>?) -> Float {
        var best = VectorMath.Vector(repeating: -.infinity)
        var j = 0
        while j + 8 <= count {
            var x = VectorMath.load(row + j)
            if let mask { x.replace(with: -.infinity, where: VectorMath.load(mask + j) .== 0) }
            best.replace(with: x, where: x .> best)
            j += 8
        }
        var m = best.max()
        for t in j..<count where mask.map({ $0[t] != 0 }) ?? true { m = Swift.max(m, row[t]) }
        return m
    }

    /// `row[j] ← exp(row[j] − shift)` for valid keys and 0 for masked ones; returns the sum.
    @inline(__always)
    fileprivate static func maskedExp(_ row: UnsafeMutablePointer<Float>, count: Int, shift: Float, mask: UnsafeMutablePointer<Float>?) -> Float {
        var sum = VectorMath.Vector()
        var j = 0
        while j + 8 <= count {
            var x = VectorMath.load(row + j) - shift
            if let mask { x.replace(with: -.infinity, where: VectorMath.load(mask + j) .== 0) }
            let e = VectorMath.exp(x)
            VectorMath.store(e, row + j)
            sum += e
            j += 8
        }
        var total = sum.sum()
        for t in j..<count {
            let e = (mask.map { $0[t] != 0 } ?? true) ? VectorMath.exp(row[t] - shift) : 0
            row[t] = e
            total += e
        }
        return total
    }

    /// `Σ a[j]·b[j]` with eight partial sums (a plain loop stays scalar: the optimiser keeps
    /// the order of floating-point additions).
    @inline(__always)
    fileprivate static func dotProduct(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var sum = VectorMath.Vector()
        var j = 0
        while j + 8 <= count {
            sum += VectorMath.load(a + j) * VectorMath.load(b + j)
            j += 8
        }
        var total = sum.sum()
        for t in j..<count { total += a[t] * b[t] }
        return total
    }
}
