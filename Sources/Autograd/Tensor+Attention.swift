internal import CKernels

/// Multi-head scaled dot-product attention, fused: for each sequence `b` and head `h`,
/// `P = softmax(Q·Kᵀ)` over the valid keys (scale `Q` beforehand), `P' = P ⊙ D / (1 − p)`
/// with a dropout mask `D` (training only), `O = P'·V`.
///
/// Heads stay where the projections put them: `q [B, Tq, H·d]`, `k [B, Tk, H·d]`,
/// `v [B, Tk, H·dv]`, output `[B, Tq, H·dv]`, head `h` in columns `h·d ..< (h+1)·d`. No
/// permutation copies them out and back.
///
/// Padding is skipped, not masked: for sequence `b` only its first `queryLengths[b]` queries
/// and `keyLengths[b]` keys take part (all of them when a list is nil). Output rows past a
/// query length are 0 and pass no gradient; a query with no valid key gets 0.
///
/// Nothing `Tq x Tk` is stored: the C kernel (`Sources/CKernels/attention.c`) works one query
/// row at a time along the keys and saves each row's log-sum-exp; the backward pass recomputes
/// the weights from it, and the dropout mask from a per-head seed and each element's index
/// (a hash, not a random stream, so neither pass stores or replays it). MulT's heads are 5 and
/// 10 floats wide, where GEMMs spend their time packing and the `Tq x Tk` elementwise work
/// (exponentials, masks, dropout) is what counts. The test oracle is the same computation from
/// matmul and softmax ops.
///
/// ### References
/// - Dao et al., "FlashAttention", NeurIPS 2022 (recomputation in the backward pass).
extension Tensor {
    public static func attention(
        query q: Tensor, key k: Tensor, value v: Tensor, heads: Int, queryLengths: [Int]? = nil,
        keyLengths: [Int]? = nil, dropout p: Float = 0, training: Bool = false, generator: Generator? = nil
    ) -> Tensor {
        precondition(q.rank == 3 && k.rank == 3 && v.rank == 3 && q.shape[0] == k.shape[0] && k.shape[0] == v.shape[0] && q.shape[2] == k.shape[2] && k.shape[1] == v.shape[1], "attention of q \(q.shape), k \(k.shape), v \(v.shape)")
        precondition(heads > 0 && q.shape[2] % heads == 0 && v.shape[2] % heads == 0, "widths \(q.shape[2]), \(v.shape[2]) do not split into \(heads) heads")
        let (batch, tq, tk) = (q.shape[0], q.shape[1], k.shape[1])
        let (d, dv) = (q.shape[2] / heads, v.shape[2] / heads)
        for (name, lengths, steps) in [("query", queryLengths, tq), ("key", keyLengths, tk)] {
            guard let lengths else { continue }
            precondition(lengths.count == batch && lengths.allSatisfy { (0...steps).contains($0) }, "\(name) lengths \(lengths) for \(batch) sequences of \(steps) steps")
        }
        let dropping = training && p > 0
        precondition(!dropping || generator != nil, "attention dropout needs a generator")
        precondition(p >= 0 && p < 1, "attention dropout \(p) outside [0, 1)")
        let rate = dropping ? p : 0
        let callSeed = dropping ? generator!.next() : 0
        let kernels = InstructionSet.active

        /// Head `index` (sequence-major) with its blocks inside `q`, `k`, `v` and `out`.
        func head(_ index: Int, q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>) -> (ck_attention_head, seed: UInt32) {
            let (b, h) = index.quotientAndRemainder(dividingBy: heads)
            let view = ck_attention_head(
                tq: Int32(tq), lq: Int32(queryLengths?[b] ?? tq), tk: Int32(tk), lk: Int32(keyLengths?[b] ?? tk),
                d: Int32(d), dv: Int32(dv),
                q: q + b * tq * heads * d + h * d, k: k + b * tk * heads * d + h * d, v: v + b * tk * heads * dv + h * dv,
                out: out + b * tq * heads * dv + h * dv,
                ldq: heads * d, ldk: heads * d, ldv: heads * dv, ldo: heads * dv)
            // Each head's seed: the top half of a multiplicative hash of the call's seed plus its index.
            return (view, UInt32(truncatingIfNeeded: ((callSeed &+ UInt64(index)) &* 0x9E37_79B9_7F4A_7C15) >> 32))
        }
        let workSize = Int(ck_attention_work_size(Int32(tk), Int32(d), Int32(dv)))

        let out = Tensor(uninitializedShape: [batch, tq, heads * dv])
        // Saved for the backward pass, which recomputes the weights from it.
        let lseTensor = Tensor(uninitializedShape: [batch * heads, tq])
        let logSumExp = lseTensor.storage.base
        Parallel.forEachChunk(of: batch * heads) { chunk in
            let work = UnsafeMutablePointer<Float>.allocate(capacity: workSize)
            defer { work.deallocate() }
            for index in chunk {
                var (view, seed) = head(index, q: q.storage.base, k: k.storage.base, v: v.storage.base, out: out.storage.base)
                let forward = kernels == .avx2 ? ck_attention_forward_avx2 : ck_attention_forward_generic
                forward(&view, rate, seed, logSumExp + index * tq, work)
            }
        }
        return out.recorded(from: [q, k, v]) { g in
            let gq = Tensor(uninitializedShape: q.shape)
            let gk = Tensor(uninitializedShape: k.shape)
            let gv = Tensor(uninitializedShape: v.shape)
            Parallel.forEachChunk(of: batch * heads) { chunk in
                let work = UnsafeMutablePointer<Float>.allocate(capacity: workSize)
                defer { work.deallocate() }
                for index in chunk {
                    // `out` is unused by the backward pass; `dout` sits at the same offsets.
                    var (view, seed) = head(index, q: q.storage.base, k: k.storage.base, v: v.storage.base, out: g.storage.base)
                    let dout = UnsafePointer(view.out!)
                    let (b, h) = index.quotientAndRemainder(dividingBy: heads)
                    let backward = kernels == .avx2 ? ck_attention_backward_avx2 : ck_attention_backward_generic
                    backward(
                        &view, rate, seed, dout, lseTensor.storage.base + index * tq,
                        gq.storage.base + b * tq * heads * d + h * d, gk.storage.base + b * tk * heads * d + h * d,
                        gv.storage.base + b * tk * heads * dv + h * dv, work)
                }
            }
            q.accumulateGrad(gq)
            k.accumulateGrad(gk)
            v.accumulateGrad(gv)
        }
    }
}
