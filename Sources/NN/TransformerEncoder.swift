import Autograd
import Foundation
import Synchronization

/// A stack of MulT encoder layers: `x = √E·x + positions`, embedding dropout, the layers (with
/// the future mask in every layer when `causal`), and a final LayerNorm; steps past a sequence's
/// length are 0 in the output (they are not attended from, so nothing else is defined there).
/// Positions are sinusoidal (tensor2tensor layout), numbered 1..L over each sequence's true length;
/// padded steps get the zero vector, as position 0 does in MulT.
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
        usePositions: Bool = true, causal: Bool = false, generator: Generator
    ) {
        self.layers = (0..<layers).map { _ in
            TransformerEncoderLayer(
                embedDim: embedDim, heads: heads, kind: kind, dropout: dropout, causal: causal,
                generator: generator)
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
    /// with its `contextLengths`. Returns `[B, T, E]`, zero past each length.
    ///
    /// Inside, only true steps exist: each sequence's steps are packed after the previous
    /// one's (`[Σ lengths, E]`) for the layers, and put back in place at the end. At realistic
    /// clip lengths a batch is 40% padding, which the layers' products and norms would
    /// otherwise compute and discard.
    public func callAsFunction(
        _ x: Tensor, lengths: [Int], context: Tensor? = nil, contextLengths: [Int]? = nil
    ) -> Tensor {
        precondition(context == nil || contextLengths != nil, "a context needs its lengths")
        let scale = Float(embedDim).squareRoot()
        func embed(_ s: Tensor, _ lengths: [Int]) -> PackedSequences {
            let packed = PackedSequences(packing: s, lengths: lengths)
            var e = packed.rows * scale
            if usePositions { e = e + packedPositions(lengths: lengths, dim: embedDim) }
            return packed.with(
                rows: e.dropout(dropout.embedding, training: training, generator: generator))
        }
        var h = embed(x, lengths)
        let kv = context.map { embed($0, contextLengths!) }
        for layer in layers { h = layer(h, context: kv) }
        return h.with(rows: layerNorm(h.rows)).padded(steps: x.shape[1])
    }
}

/// Sinusoidal position embeddings, packed like `PackedSequences` (`[Σ lengths, D]`): step `t` of a
/// sequence has position `t + 1`, with
/// `[sin(p·ω₀) ... sin(p·ω_{h−1}), cos(p·ω₀) ... cos(p·ω_{h−1})]`, `h = D/2`,
/// `ωᵢ = exp(−i·ln(10000)/(h − 1))`, and a zero last column when D is odd.
///
/// reference: fairseq `SinusoidalPositionalEmbedding.get_embedding`, as used by MulT.
func packedPositions(lengths: [Int], dim: Int) -> Tensor {
    let table = positionTable(rows: lengths.max() ?? 0, dim: dim)
    var values = [Float]()
    values.reserveCapacity(lengths.reduce(0, +) * dim)
    for l in lengths { values += table[0..<(l * dim)] }
    return Tensor(values, shape: [values.count / Swift.max(dim, 1), dim])
}

/// Positions `1 ... rows` of width `dim`, row after row: computed once per width (in `Double`,
/// as fairseq) and kept, growing when a longer sequence asks (the sines and cosines were 2% of
/// MulT's training step).
private func positionTable(rows: Int, dim: Int) -> [Float] {
    positionTables.withLock { tables in
        if let table = tables[dim], table.count >= rows * dim { return table }
        let half = dim / 2
        let rate = Foundation.log(10000.0) / Double(Swift.max(half - 1, 1))
        let total = Swift.max(rows, 256)
        var table = [Float](repeating: 0, count: total * dim)
        for t in 0..<total {
            let p = Double(t + 1)
            for i in 0..<half {
                let angle = p * Foundation.exp(-Double(i) * rate)
                table[t * dim + i] = Float(Foundation.sin(angle))
                table[t * dim + half + i] = Float(Foundation.cos(angle))
            }
        }
        tables[dim] = table
        return table
    }
}

private let positionTables = Mutex<[Int: [Float]]>([:])
