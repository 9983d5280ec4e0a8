import Autograd

/// PyTorch's `nn.TransformerEncoderLayer` (post-norm, ReLU): what MISA's fusion uses.
///
/// Concretely: `x = LN₁(x + drop(MHA(x, x, x)))`, `x = LN₂(x + drop(W₂·drop(relu(W₁x))))`.
/// Keys as PyTorch: `self_attn.*`, `linear1`, `linear2`, `norm1`, `norm2`.
///
/// reference: https://pytorch.org/docs/stable/generated/torch.nn.TransformerEncoderLayer.html
public final class PostNormTransformerLayer: Module {
    public let selfAttn: MultiheadAttention
    public let linear1: Linear
    public let linear2: Linear
    public let norm1: LayerNorm
    public let norm2: LayerNorm
    public let dropout: Float
    let generator: Generator

    public init(
        embedDim: Int, heads: Int, feedForward: Int = 2048, dropout: Float = 0.1,
        generator: Generator
    ) {
        selfAttn = MultiheadAttention(
            embedDim: embedDim, heads: heads, dropout: dropout, outputInit: .linearDefault,
            generator: generator)
        linear1 = Linear(embedDim, feedForward, generator: generator)
        linear2 = Linear(feedForward, embedDim, generator: generator)
        norm1 = LayerNorm(embedDim)
        norm2 = LayerNorm(embedDim)
        self.dropout = dropout
        self.generator = generator
    }

    override public var children: [(key: String, module: Module)] {
        [
            ("self_attn", selfAttn), ("linear1", linear1), ("linear2", linear2), ("norm1", norm1),
            ("norm2", norm2),
        ]
    }

    /// `x [B, T, E]` (batch-first) -> `[B, T, E]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let attended = selfAttn(query: x, key: x, value: x).dropout(
            dropout, training: training, generator: generator)
        let h = norm1(x + attended)
        let f = linear2(
            linear1(h).relu().dropout(dropout, training: training, generator: generator))
        return norm2(h + f.dropout(dropout, training: training, generator: generator))
    }
}
