import Autograd

/// Multi-head scaled dot-product attention, batch-first, over sequences of given lengths.
///
/// Concretely: `q = Q·W_qᵀ + b_q`, `k = K·W_kᵀ + b_k`, `v = V·W_vᵀ + b_v` (the three
/// weights packed as PyTorch's `in_proj_weight [3E, E]`), split into `h` heads of `E/h`; per
/// head `softmax(q·kᵀ/√(E/h), masked) · v`; heads concatenated and projected by `out_proj`.
/// Keys past `keyLengths[b]` get zero weight (PyTorch's `key_padding_mask`); queries past
/// `queryLengths[b]` are not computed: their context is 0, so their output is `out_proj`'s
/// bias. `causal` adds MulT's future mask on the true lengths (see `Tensor.attention`).
/// Attention dropout (training only) applies to the weights.
///
/// Shapes: queries `[B, Tq, E]`, keys and values `[B, Tk, E]`, output `[B, Tq, E]`; or queries
/// and keys packed (`PackedSequences`, values the keys), output packed like the queries.
///
/// Initialisation: Xavier-uniform `in_proj_weight`, zero `in_proj_bias` and `out_proj.bias`;
/// `out_proj.weight` Xavier-uniform (MulT) or PyTorch's Linear default (`nn.MultiheadAttention`).
///
/// reference: https://pytorch.org/docs/stable/generated/torch.nn.MultiheadAttention.html
public final class MultiheadAttention: Module {
    public enum OutputInit: Sendable { case xavier, linearDefault }

    public let inProjWeight: Tensor
    public let inProjBias: Tensor
    public let outProj: Linear
    public let heads: Int
    public let dropout: Float
    let generator: Generator

    public init(
        embedDim: Int, heads: Int, dropout: Float = 0, outputInit: OutputInit = .xavier,
        generator: Generator
    ) {
        precondition(
            embedDim % heads == 0, "embedding \(embedDim) is not divisible into \(heads) heads")
        inProjWeight = Init.xavierUniform([3 * embedDim, embedDim], generator: generator)
        inProjBias = Tensor.zeros([3 * embedDim], requiresGrad: true)
        outProj = Linear(embedDim, embedDim, generator: generator)
        if outputInit == .xavier {
            let xavier = Init.xavierUniform([embedDim, embedDim], generator: generator)
            outProj.weight.withUnsafeMutableBufferPointer {
                _ = $0.update(fromContentsOf: xavier.scalars)
            }
        }
        outProj.bias?.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        self.heads = heads
        self.dropout = dropout
        self.generator = generator
    }

    override public var parameters: [(key: String, tensor: Tensor)] {
        [("in_proj_weight", inProjWeight), ("in_proj_bias", inProjBias)]
    }
    override public var children: [(key: String, module: Module)] { [("out_proj", outProj)] }

    public var embedDim: Int { inProjWeight.shape[1] }

    /// Padded: `query [B, Tq, E]`, `key` and `value [B, Tk, E]`, with true lengths.
    public func callAsFunction(
        query: Tensor, key: Tensor, value: Tensor, queryLengths: [Int]? = nil,
        keyLengths: [Int]? = nil,
        causal: Bool = false
    ) -> Tensor {
        let (q, k, v) = project(query, key, value)
        // [B, Tq, E]
        let context = Tensor.attention(
            query: q, key: k, value: v, heads: heads, queryLengths: queryLengths,
            keyLengths: keyLengths, causal: causal, dropout: dropout, training: training,
            generator: generator)
        return outProj(context)
    }

    /// Packed: queries, and keys that are also the values; the output packed like the queries.
    public func callAsFunction(
        query: PackedSequences, key: PackedSequences, causal: Bool = false
    ) -> PackedSequences {
        let (q, k, v) = project(query.rows, key.rows, key.rows)
        let context = Tensor.attention(
            query: query.with(rows: q), key: key.with(rows: k), value: v, heads: heads,
            causal: causal, dropout: dropout, training: training, generator: generator)
        return context.with(rows: outProj(context.rows))
    }

    /// The input projections, the queries scaled by `1/√(E/h)`: heads side by side in the last
    /// axis (the attention op reads them there).
    private func project(
        _ query: Tensor, _ key: Tensor, _ value: Tensor
    )
        -> (q: Tensor, k: Tensor, v: Tensor)
    {
        let e = embedDim
        let w = inProjWeight.split(axis: 0, sizes: [e, e, e])
        let b = inProjBias.split(axis: 0, sizes: [e, e, e])
        let q =
            (Tensor.matmul(query, w[0], transposeB: true) + b[0])
            * (1 / Float(e / heads).squareRoot())
        let k = Tensor.matmul(key, w[1], transposeB: true) + b[1]
        let v = Tensor.matmul(value, w[2], transposeB: true) + b[2]
        return (q, k, v)
    }
}
