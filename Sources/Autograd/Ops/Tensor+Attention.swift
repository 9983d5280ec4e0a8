internal import CKernels

/// Multi-head scaled dot-product attention, fused: for each sequence `b` and head `h`,
/// `P = softmax(Q·Kᵀ)` over the valid keys (scale `Q` beforehand), `P' = P ⊙ D / (1 − p)`
/// with a dropout mask `D` (training only), `O = P'·V`.
///
/// Heads stay where the projections put them: `q [B, Tq, H·d]`, `k [B, Tk, H·d]`,
/// `v [B, Tk, H·dv]`, output `[B, Tq, H·dv]`, head `h` in columns `h·d ..< (h+1)·d`. No
/// permutation copies them out and back. Queries (or keys and values) may also come packed
/// (`PackedSequences`, `[Σ lengths, H·d]`), each through its own entry point; the output then
/// is packed like the queries.
///
/// Padding is skipped, not masked: for sequence `b` only its first `queryLengths[b]` queries
/// and `keyLengths[b]` keys take part (all of them when a list is nil). Output rows past a
/// query length are 0 and pass no gradient; a query with no valid key gets 0.
///
/// `causal` adds the future mask of the official MulT (`buffered_future_mask`: scores plus
/// `triu(−inf, 1 + |Lk − Lq|)`), defined on each sequence's *true* lengths `Lq = lq`,
/// `Lk = lk`: query `i` sees key `j` iff `j − i < 1 + |lk − lq|`. With equal lengths that is
/// the usual causal mask (`j ≤ i`); with more keys than queries each query sees `lk − lq`
/// keys beyond its own position, so the last query sees them all; with more queries than keys
/// query `i` sees the first `i + 1 + lq − lk`, so nothing is masked once `lq ≥ 2·lk − 1`.
/// Every valid query keeps key 0, so no row is empty. Because the rule uses
/// true lengths, a sequence's result does not depend on how far the batch pads it; MMSA's
/// padded-length behaviour (the rule on padded lengths) is a different mask.
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
    /// Padded queries, keys and values: `q [B, Tq, H·d]`, `k [B, Tk, H·d]`, `v [B, Tk, H·dv]`,
    /// with the true lengths (all steps when nil); output `[B, Tq, H·dv]`.
    public static func attention(
        query q: Tensor, key k: Tensor, value v: Tensor, heads: Int, queryLengths: [Int]? = nil,
        keyLengths: [Int]? = nil, causal: Bool = false, dropout p: Float = 0,
        training: Bool = false,
        generator: Generator? = nil
    ) -> Tensor {
        attention(
            query: q, SequenceLayout(padded: q, lengths: queryLengths, name: "query"), key: k,
            SequenceLayout(padded: k, lengths: keyLengths, name: "key"), value: v, heads: heads,
            causal: causal, dropout: p, training: training, generator: generator)
    }

    /// Packed queries, keys and values (`value` packed like `key`); output packed like the
    /// queries.
    public static func attention(
        query: PackedSequences, key: PackedSequences, value: Tensor, heads: Int,
        causal: Bool = false, dropout p: Float = 0, training: Bool = false,
        generator: Generator? = nil
    ) -> PackedSequences {
        query.with(
            rows: attention(
                query: query.rows, SequenceLayout(packed: query), key: key.rows,
                SequenceLayout(packed: key), value: value, heads: heads, causal: causal,
                dropout: p, training: training, generator: generator))
    }

    /// Padded queries (`[B, Tq, H·d]` with their lengths) against packed keys and values;
    /// output padded like the queries.
    public static func attention(
        query q: Tensor, queryLengths: [Int]? = nil, key: PackedSequences, value: Tensor,
        heads: Int, causal: Bool = false, dropout p: Float = 0, training: Bool = false,
        generator: Generator? = nil
    ) -> Tensor {
        attention(
            query: q, SequenceLayout(padded: q, lengths: queryLengths, name: "query"),
            key: key.rows, SequenceLayout(packed: key), value: value, heads: heads,
            causal: causal, dropout: p, training: training, generator: generator)
    }

    /// The op, on queries and keys in either layout.
    static func attention(
        query q: Tensor, _ queries: SequenceLayout, key k: Tensor, _ keys: SequenceLayout,
        value v: Tensor, heads: Int, causal: Bool, dropout p: Float, training: Bool,
        generator: Generator?
    ) -> Tensor {
        precondition(
            queries.batch == keys.batch && v.shape.dropLast() == k.shape.dropLast()
                && q.shape.last == k.shape.last,
            "attention of q \(q.shape), k \(k.shape), v \(v.shape) for \(queries.batch) and "
                + "\(keys.batch) sequences"
        )
        let (width, valueWidth) = (q.shape.last!, v.shape.last!)
        precondition(
            heads > 0 && width % heads == 0 && valueWidth % heads == 0,
            "widths \(width), \(valueWidth) do not split into \(heads) heads")
        let (d, dv) = (width / heads, valueWidth / heads)
        let dropping = training && p > 0
        precondition(!dropping || generator != nil, "attention dropout needs a generator")
        precondition(p >= 0 && p < 1, "attention dropout \(p) outside [0, 1)")
        let rate = dropping ? p : 0
        let callSeed = dropping ? generator!.next() : 0
        let kernels = InstructionSet.active

        /// Head `index` (sequence-major): its blocks inside tensors laid out as `q`, `k`, `v`
        /// and the output (the inputs and output, or their gradients).
        func head(
            _ index: Int, q: Tensor, k: Tensor, v: Tensor, out: Tensor
        ) -> (ck_attention_head, seed: UInt32, lse: Int) {
            let (b, h) = index.quotientAndRemainder(dividingBy: heads)
            let (qStart, kStart) = (queries.starts[b], keys.starts[b])
            let view = ck_attention_head(
                tq: Int32(queries.rows[b]), lq: Int32(queries.valid[b]), tk: Int32(keys.rows[b]),
                lk: Int32(keys.valid[b]),
                d: Int32(d), dv: Int32(dv), causal: causal ? 1 : 0,
                q: q.storage.base + qStart * width + h * d,
                k: k.storage.base + kStart * width + h * d,
                v: v.storage.base + kStart * valueWidth + h * dv,
                out: out.storage.base + qStart * valueWidth + h * dv,
                ldq: width, ldk: width, ldv: valueWidth, ldo: valueWidth)
            // Each head's seed: the top half of a multiplicative hash of the call's seed plus its
            // index.
            let seed = UInt32(
                truncatingIfNeeded: ((callSeed &+ UInt64(index)) &* 0x9E37_79B9_7F4A_7C15) >> 32)
            return (view, seed, qStart * heads + h * queries.rows[b])
        }
        let workSize = Int(ck_attention_work_size(Int32(keys.rows.max() ?? 0), Int32(d), Int32(dv)))
        // Scores and weighted values of every head, the future mask's savings not counted.
        var pairs = 0
        for b in 0..<queries.batch { pairs += queries.rows[b] * keys.rows[b] }
        MultiplyAdds.add(pairs * heads * (d + dv))

        let out = Tensor(uninitializedShape: Array(q.shape.dropLast()) + [valueWidth])
        // Saved for the backward pass, which recomputes the weights from it.
        let lseTensor = Tensor(uninitializedShape: [queries.totalRows * heads])
        let logSumExp = lseTensor.storage.base
        Parallel.forEachChunk(of: queries.batch * heads) { chunk in
            let work = UnsafeMutablePointer<Float>.allocate(capacity: workSize)
            defer { work.deallocate() }
            for index in chunk {
                var (view, seed, lse) = head(index, q: q, k: k, v: v, out: out)
                let forward =
                    kernels == .avx2 ? ck_attention_forward_avx2 : ck_attention_forward_generic
                forward(&view, rate, seed, logSumExp + lse, work)
            }
        }
        return out.recorded(from: [q, k, v]) { g in
            let gq = Tensor(uninitializedShape: q.shape)
            let gk = Tensor(uninitializedShape: k.shape)
            let gv = Tensor(uninitializedShape: v.shape)
            Parallel.forEachChunk(of: queries.batch * heads) { chunk in
                let work = UnsafeMutablePointer<Float>.allocate(capacity: workSize)
                defer { work.deallocate() }
                for index in chunk {
                    // `dout` sits where the output did; the gradients where q, k and v do.
                    var (view, seed, lse) = head(index, q: q, k: k, v: v, out: g)
                    let (grads, _, _) = head(index, q: gq, k: gk, v: gv, out: g)
                    let backward =
                        kernels == .avx2
                        ? ck_attention_backward_avx2 : ck_attention_backward_generic
                    backward(
                        &view, rate, seed, view.out, lseTensor.storage.base + lse,
                        UnsafeMutablePointer(mutating: grads.q),
                        UnsafeMutablePointer(mutating: grads.k),
                        UnsafeMutablePointer(mutating: grads.v), work)
                }
            }
            q.accumulateGrad(gq)
            k.accumulateGrad(gk)
            v.accumulateGrad(gv)
        }
    }
}

/// Where each sequence's rows sit in a padded `[B, T, W]` or packed `[Σ lengths, W]` tensor.
struct SequenceLayout {
    let batch: Int
    /// First row, rows held, and valid rows of each sequence.
    let starts: [Int]
    let rows: [Int]
    let valid: [Int]
    var totalRows: Int { (starts.last ?? 0) + (rows.last ?? 0) }

    /// `[B, T, W]` with true lengths (all `T` when nil).
    init(padded x: Tensor, lengths: [Int]?, name: String) {
        precondition(x.rank == 3, "padded \(name)s are [B, T, W] (got \(x.shape))")
        let (b, t) = (x.shape[0], x.shape[1])
        batch = b
        starts = (0..<b).map { $0 * t }
        rows = Array(repeating: t, count: b)
        valid = lengths ?? rows
        precondition(
            valid.count == b && valid.allSatisfy { (0...t).contains($0) },
            "\(name) lengths \(valid) for \(b) sequences of \(t) steps")
    }

    /// Packed rows: each sequence holds exactly its valid rows.
    init(packed: PackedSequences) {
        batch = packed.lengths.count
        var first = 0
        starts = packed.lengths.map { l in
            defer { first += l }
            return first
        }
        rows = packed.lengths
        valid = packed.lengths
    }
}
