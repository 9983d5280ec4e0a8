import Autograd

/// Multi-head scaled dot-product attention, batch-first, with a key-padding mask.
///
/// Concretely: `q = Q·W_qᵀ + b_q`, `k = K·W_kᵀ + b_k`, `v = V·W_vᵀ + b_v` (the three weights
/// packed as PyTorch's `in_proj_weight [3E, E]`), split into `h` heads of `E/h`; per head
/// `softmax(q·kᵀ/√(E/h), masked) · v`; heads concatenated and projected by `out_proj`.
/// Keys outside a sequence's true length get zero weight; attention dropout (training only)
/// applies to the weights.
///
/// Shapes: queries `[B, Tq, E]`, keys and values `[B, Tk, E]`, key mask `[B, Tk]` (1 = valid),
/// output `[B, Tq, E]`.
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
        precondition(embedDim % heads == 0, "embedding \(embedDim) is not divisible into \(heads) heads")
        inProjWeight = Init.xavierUniform([3 * embedDim, embedDim], generator: generator)
        inProjBias = Tensor.zeros([3 * embedDim], requiresGrad: true)
        outProj = Linear(embedDim, embedDim, generator: generator)
        if outputInit == .xavier {
            let xavier = Init.xavierUniform([embedDim, embedDim], generator: generator)
            outProj.weight.withUnsafeMutableBufferPointer { _ = $0.update(fromContentsOf: xavier.scalars) }
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

    public func callAsFunction(query: Tensor, key: Tensor, value: Tensor, keyMask: Tensor? = nil) -> Tensor {
        let e = embedDim
        let (batch, tq, tk) = (query.shape[0], query.shape[1], key.shape[1])
        let dh = e / heads
        let w = inProjWeight.split(axis: 0, sizes: [e, e, e])
        let b = inProjBias.split(axis: 0, sizes: [e, e, e])
        // [B, T, E] -> [B·h, T, dh]
        func splitHeads(_ x: Tensor, _ t: Int) -> Tensor {
            x.reshape([batch, t, heads, dh]).permute([0, 2, 1, 3]).reshape([batch * heads, t, dh])
        }
        let q = splitHeads((Tensor.matmul(query, w[0], transposeB: true) + b[0]) * (1 / Float(dh).squareRoot()), tq)
        let k = splitHeads(Tensor.matmul(key, w[1], transposeB: true) + b[1], tk)
        let v = splitHeads(Tensor.matmul(value, w[2], transposeB: true) + b[2], tk)
        let context = Tensor.attention(
            query: q, key: k, value: v, keyMask: keyMask, heads: heads, dropout: dropout, training: training,
            generator: generator)  // [B·h, Tq, dh]
            .reshape([batch, heads, tq, dh]).permute([0, 2, 1, 3]).reshape([batch, tq, e])
        return outProj(context)
    }
}

/// `[B, T]` masks with 1 on each sequence's first `lengths[b]` steps.
public func lengthMask(_ lengths: [Int], steps: Int) -> Tensor {
    Tensor(lengths.flatMap { l in (0..<steps).map { $0 < l ? 1 : 0 } }, shape: [lengths.count, steps])
}
