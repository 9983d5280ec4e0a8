/// Matrix products. Every product is one `cblas_sgemm` per matrix (one per batch entry for 3-D
/// operands, shared out across threads by `BLAS.sgemmBatched`); no product is computed in
/// Swift loops.
extension Tensor {
    /// `op(a) · op(b)`, where `op` transposes the last two dimensions when asked.
    ///
    /// Shapes:
    /// - `[M, K] · [K, N] -> [M, N]`;
    /// - `[B, M, K] · [B, K, N] -> [B, M, N]` (batched);
    /// - `[B, M, K] · [K, N] -> [B, M, N]` (one weight for every batch element: a single
    ///   GEMM over `B*M` rows; `transposeA` must be false).
    public static func matmul(
        _ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false
    ) -> Tensor {
        if a.rank == 3, b.rank == 2 {
            precondition(
                !transposeA, "a 3-D left operand with a 2-D right one cannot be transposed")
            let (batch, m) = (a.shape[0], a.shape[1])
            let flat = matmul(a.reshape([batch * m, a.shape[2]]), b, transposeB: transposeB)
            return flat.reshape([batch, m, flat.shape[1]])
        }
        precondition(
            (a.rank == 2 && b.rank == 2)
                || (a.rank == 3 && b.rank == 3 && a.shape[0] == b.shape[0]),
            "matmul of shapes \(a.shape) and \(b.shape)")
        let batched = a.rank == 3
        let batch = batched ? a.shape[0] : 1
        let (ar, ac) = (a.shape[a.rank - 2], a.shape[a.rank - 1])
        let (br, bc) = (b.shape[b.rank - 2], b.shape[b.rank - 1])
        let (m, k) = transposeA ? (ac, ar) : (ar, ac)
        let (k2, n) = transposeB ? (bc, br) : (br, bc)
        precondition(
            k == k2,
            "matmul inner sizes differ: \(a.shape)\(transposeA ? "ᵀ" : "") · "
                + "\(b.shape)\(transposeB ? "ᵀ" : "")"
        )
        let out = Tensor(uninitializedShape: batched ? [batch, m, n] : [m, n])
        BLAS.sgemmBatched(
            count: batch, transA: transposeA, transB: transposeB, m: m, n: n, k: k,
            a: a.storage.base, lda: ac, strideA: ar * ac,
            b: b.storage.base, ldb: bc, strideB: br * bc,
            c: out.storage.base, ldc: n, strideC: m * n)
        return out.recorded(from: [a, b]) { g in
            // C = op(A) op(B):  dop(A) = G op(B)ᵀ,  dop(B) = op(A)ᵀ G, transposed back as
            // needed.
            if a.requiresGrad {
                a.accumulateGrad(
                    transposeA
                        ? matmul(b, g, transposeA: transposeB, transposeB: true)
                        : matmul(g, b, transposeB: !transposeB))
            }
            if b.requiresGrad, !batched, b.node == nil {
                // A weight: add op(A)ᵀ·G straight into its gradient (β = 1), with no temporary
                // the size of the weight, which an LSTM would otherwise allocate every step.
                let target = b.ownedGrad()
                if transposeB {  // dB [N, K] += Gᵀ [N, M] · op(A) [M, K]
                    BLAS.sgemm(
                        transA: true, transB: transposeA, m: n, n: k, k: m, a: g.storage.base,
                        lda: n, b: a.storage.base, ldb: ac, beta: 1, c: target.storage.base, ldc: k)
                } else {  // dB [K, N] += op(A)ᵀ [K, M] · G [M, N]
                    BLAS.sgemm(
                        transA: !transposeA, transB: false, m: k, n: n, k: m, a: a.storage.base,
                        lda: ac, b: g.storage.base, ldb: n, beta: 1, c: target.storage.base, ldc: n)
                }
            } else if b.requiresGrad {
                b.accumulateGrad(
                    transposeB
                        ? matmul(g, a, transposeA: true, transposeB: transposeA)
                        : matmul(a, g, transposeA: !transposeA))
            }
        }
    }

    /// `self · other` without transposes.
    public func matmul(_ other: Tensor) -> Tensor { Tensor.matmul(self, other) }

    /// The outer product of two batches of vectors: `[B, M]`, `[B, N] -> [B, M, N]`.
    ///
    /// A primitive rather than a broadcast multiply: TFN's products reach 35 M elements per
    /// batch, and broadcasting would materialise both operands at that size. Backward is one
    /// matrix-vector product per batch element for each operand.
    public static func outer(_ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(
            a.rank == 2 && b.rank == 2 && a.shape[0] == b.shape[0],
            "outer of \(a.shape) and \(b.shape)")
        let (batch, m, n) = (a.shape[0], a.shape[1], b.shape[1])
        let out = Tensor(uninitializedShape: [batch, m, n])
        for i in 0..<batch {
            let pa = a.storage.base + i * m
            let pb = b.storage.base + i * n
            let po = out.storage.base + i * m * n
            for p in 0..<m {
                let x = pa[p]
                let row = po + p * n
                for q in 0..<n { row[q] = x * pb[q] }
            }
        }
        return out.recorded(from: [a, b]) { g in
            let ga = Tensor.zeros(a.shape)
            let gb = Tensor.zeros(b.shape)
            for i in 0..<batch {
                let gi = g.storage.base + i * m * n
                // ga_i [M] = G_i [M, N] · b_i [N];  gb_i [N] = G_iᵀ [N, M] · a_i [M]
                if a.requiresGrad {
                    BLAS.sgemm(
                        transA: false, transB: false, m: m, n: 1, k: n, a: gi, lda: n,
                        b: b.storage.base + i * n, ldb: 1, c: ga.storage.base + i * m, ldc: 1)
                }
                if b.requiresGrad {
                    BLAS.sgemm(
                        transA: true, transB: false, m: n, n: 1, k: m, a: gi, lda: n,
                        b: a.storage.base + i * m, ldb: 1, c: gb.storage.base + i * n, ldc: 1)
                }
            }
            a.accumulateGrad(ga)
            b.accumulateGrad(gb)
        }
    }
}
