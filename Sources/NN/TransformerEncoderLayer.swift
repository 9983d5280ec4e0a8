import Autograd

/// Whether an encoder attends within its own sequence or to another modality's.
public enum AttentionKind: Sendable {
    case selfAttention
    case crossModal
}

/// Dropout rates of a MulT-style encoder (all 0 by default).
public struct TransformerDropout: Codable, Sendable, Equatable {
    public var attention: Float = 0
    public var relu: Float = 0
    public var residual: Float = 0
    public var embedding: Float = 0
    public init(attention: Float = 0, relu: Float = 0, residual: Float = 0, embedding: Float = 0) {
        self.attention = attention
        self.relu = relu
        self.residual = residual
        self.embedding = embedding
    }
}

/// One encoder layer in MulT's pre-norm form.
///
/// Concretely: `r = x; x = LN₀(x); kv = LN₀(kv)` (the same norm; cross-modal only);
/// `x = r + drop_res(MHA(x, kv, kv))`; `r = x; x = LN₁(x)`;
/// `x = r + drop_res(fc2(drop_relu(relu(fc1(x)))))`, with `fc1: E → 4E`, `fc2: 4E → E`
/// (Xavier-uniform weights, zero biases, as MulT).
///
/// ### References
/// - Tsai et al., "Multimodal Transformer for Unaligned Multimodal Language Sequences", ACL 2019.
public final class TransformerEncoderLayer: Module {
    public let selfAttn: MultiheadAttention
    public let fc1: Linear
    public let fc2: Linear
    public let layerNorms: [LayerNorm]
    public let kind: AttentionKind
    public let dropout: TransformerDropout
    /// MulT's future mask on the true lengths (`Tensor.attention`'s `causal`).
    public let causal: Bool
    let generator: Generator

    public init(
        embedDim: Int, heads: Int, kind: AttentionKind, dropout: TransformerDropout,
        causal: Bool = false,
        generator: Generator
    ) {
        selfAttn = MultiheadAttention(
            embedDim: embedDim, heads: heads, dropout: dropout.attention, generator: generator)
        fc1 = Linear(embedDim, 4 * embedDim, generator: generator)
        fc2 = Linear(4 * embedDim, embedDim, generator: generator)
        for linear in [fc1, fc2] {
            let xavier = Init.xavierUniform(linear.weight.shape, generator: generator)
            linear.weight.withUnsafeMutableBufferPointer {
                _ = $0.update(fromContentsOf: xavier.scalars)
            }
            linear.bias?.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        }
        layerNorms = [LayerNorm(embedDim), LayerNorm(embedDim)]
        self.kind = kind
        self.dropout = dropout
        self.causal = causal
        self.generator = generator
    }

    override public var children: [(key: String, module: Module)] {
        [("self_attn", selfAttn), ("fc1", fc1), ("fc2", fc2)]
            + indexed(layerNorms, prefix: "layer_norms")
    }

    /// `x` packed (`[Σ lengths, E]`); for cross-modal layers the packed `context`, which
    /// supplies the keys. Only true steps exist, so none is attended from or to past a length.
    public func callAsFunction(
        _ x: PackedSequences, context: PackedSequences? = nil
    )
        -> PackedSequences
    {
        precondition(
            (kind == .crossModal) == (context != nil),
            "a \(kind) layer needs \(kind == .crossModal ? "a" : "no") context")
        var residual = x.rows
        let normed = x.with(rows: layerNorms[0](x.rows))
        let keys = context.map { $0.with(rows: layerNorms[0]($0.rows)) } ?? normed
        var h = selfAttn(query: normed, key: keys, causal: causal).rows
        h = residual + h.dropout(dropout.residual, training: training, generator: generator)
        residual = h
        var f = fc1(layerNorms[1](h)).relu().dropout(
            dropout.relu, training: training, generator: generator)
        f = fc2(f).dropout(dropout.residual, training: training, generator: generator)
        return x.with(rows: residual + f)
    }
}
