import Autograd
import Foundation

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
    let generator: Generator

    public init(embedDim: Int, heads: Int, kind: AttentionKind, dropout: TransformerDropout, generator: Generator) {
        selfAttn = MultiheadAttention(embedDim: embedDim, heads: heads, dropout: dropout.attention, generator: generator)
        fc1 = Linear(embedDim, 4 * embedDim, generator: generator)
        fc2 = Linear(4 * embedDim, embedDim, generator: generator)
        for linear in [fc1, fc2] {
            let xavier = Init.xavierUniform(linear.weight.shape, generator: generator)
            linear.weight.withUnsafeMutableBufferPointer { _ = $0.update(fromContentsOf: xavier.scalars) }
            linear.bias?.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        }
        layerNorms = [LayerNorm(embedDim), LayerNorm(embedDim)]
        self.kind = kind
        self.dropout = dropout
        self.generator = generator
    }

    override public var children: [(key: String, module: Module)] {
        [("self_attn", selfAttn), ("fc1", fc1), ("fc2", fc2)] + indexed(layerNorms, prefix: "layer_norms")
    }

    /// `x [B, T, E]` with true `lengths`; for cross-modal layers `context [B, Tk, E]` with its
    /// `contextLengths`, which supply the keys. Steps past `lengths` are not attended from.
    public func callAsFunction(
        _ x: Tensor, lengths: [Int]? = nil, context: Tensor? = nil, contextLengths: [Int]? = nil
    ) -> Tensor {
        precondition((kind == .crossModal) == (context != nil), "a \(kind) layer needs \(kind == .crossModal ? "a" : "no") context")
        var residual = x
        let normed = layerNorms[0](x)
        let keys = context.map { layerNorms[0]($0) } ?? normed
        let keyLengths = context == nil ? lengths : contextLengths
        var h = selfAttn(query: normed, key: keys, value: keys, queryLengths: lengths, keyLengths: keyLengths)
        h = residual + h.dropout(dropout.residual, training: training, generator: generator)
        residual = h
        var f = fc1(layerNorms[1](h)).relu().dropout(dropout.relu, training: training, generator: generator)
        f = fc2(f).dropout(dropout.residual, training: training, generator: generator)
        return residual + f
    }
}

/// A stack of MulT encoder layers: `x = √E·x + positions`, embedding dropout, the layers, and a
/// final LayerNorm; steps past a sequence's length are 0 in the output (they are not attended
/// from, so nothing else is defined there). Positions are sinusoidal (tensor2tensor layout), numbered 1..L over each
/// sequence's true length; padded steps get the zero vector, as position 0 does in MulT.
public final class TransformerEncoder: Module {
    public let layers: [TransformerEncoderLayer]
    public let layerNorm: LayerNorm
    public let embedDim: Int
    public let kind: AttentionKind
    public let usePositions: Bool
    public let dropout: TransformerDropout
    let generator: Generator

    public init(
        embedDim: Int, heads: Int, layers: Int, kind: AttentionKind, dropout: TransformerDropout,
        usePositions: Bool = true, generator: Generator
    ) {
        self.layers = (0..<layers).map { _ in
            TransformerEncoderLayer(embedDim: embedDim, heads: heads, kind: kind, dropout: dropout, generator: generator)
        }
        layerNorm = LayerNorm(embedDim)
        self.embedDim = embedDim
        self.kind = kind
        self.usePositions = usePositions
        self.dropout = dropout
        self.generator = generator
    }

    override public var children: [(key: String, module: Module)] {
        indexed(layers, prefix: "layers") + [("layer_norm", layerNorm)]
    }

    /// `x [B, T, E]` with true `lengths`; cross-modal encoders also take `context [B, Tk, E]`
    /// with its `contextLengths`. Returns `[B, T, E]`.
    public func callAsFunction(
        _ x: Tensor, lengths: [Int], context: Tensor? = nil, contextLengths: [Int]? = nil
    ) -> Tensor {
        let scale = Float(embedDim).squareRoot()
        func embed(_ s: Tensor, _ lengths: [Int]) -> Tensor {
            var e = s * scale
            if usePositions { e = e + sinusoidalPositions(lengths: lengths, steps: s.shape[1], dim: embedDim) }
            return e.dropout(dropout.embedding, training: training, generator: generator)
        }
        var h = embed(x, lengths)
        let kv = context.map { embed($0, contextLengths ?? []) }
        for layer in layers { h = layer(h, lengths: lengths, context: kv, contextLengths: contextLengths) }
        return layerNorm(h) * lengthMask(lengths, steps: x.shape[1])
    }
}

/// `[B, T, 1]` with 1 on each sequence's first `lengths[b]` steps, to zero a `[B, T, E]`
/// tensor's padding by broadcasting.
func lengthMask(_ lengths: [Int], steps: Int) -> Tensor {
    Tensor(lengths.flatMap { l in (0..<steps).map { $0 < l ? 1 : 0 } }, shape: [lengths.count, steps, 1])
}

/// Sinusoidal position embeddings `[B, T, D]`: step `t < lengths[b]` has position `t + 1`, with
/// `[sin(p·ω₀) ... sin(p·ω_{h−1}), cos(p·ω₀) ... cos(p·ω_{h−1})]`, `h = D/2`,
/// `ωᵢ = exp(−i·ln(10000)/(h − 1))`, and a zero last column when D is odd; padded steps are 0.
///
/// reference: fairseq `SinusoidalPositionalEmbedding.get_embedding`, as used by MulT.
public func sinusoidalPositions(lengths: [Int], steps: Int, dim: Int) -> Tensor {
    let half = dim / 2
    let rate = Foundation.log(10000.0) / Double(Swift.max(half - 1, 1))
    var values = [Float](repeating: 0, count: lengths.count * steps * dim)
    for (b, length) in lengths.enumerated() {
        for t in 0..<Swift.min(length, steps) {
            let p = Double(t + 1)
            let row = (b * steps + t) * dim
            for i in 0..<half {
                let angle = p * Foundation.exp(-Double(i) * rate)
                values[row + i] = Float(Foundation.sin(angle))
                values[row + half + i] = Float(Foundation.cos(angle))
            }
        }
    }
    return Tensor(values, shape: [lengths.count, steps, dim])
}
