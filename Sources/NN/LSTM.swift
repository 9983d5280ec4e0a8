import Autograd

/// A batch-first LSTM, one or more layers, uni- or bidirectional, that respects each
/// sequence's true length.
///
/// Concretely, per step: `a = x_t·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh`, gates `i, f, g, o`
/// (PyTorch's order), `c' = σ(a_f)⊙c + σ(a_i)⊙tanh(a_g)`, `h' = σ(a_o)⊙tanh(c')`. For a
/// sequence of true length L, steps at and past L neither change the state nor produce output:
/// outputs there are zero and the final state is the state at step L (forward) or after step 0
/// (reverse, which starts at step L−1), exactly what PyTorch's packed sequences give.
///
/// Each direction of each layer is one `Tensor.lstmLayer` node: the input projections of all
/// true steps (padding left out) in one GEMM before it, one recurrent GEMM per step inside it.
///
/// Shapes: input `[B, T, D]`, output `[B, T, H·directions]`, final `h`, `c`:
/// `[layers·directions, B, H]` (PyTorch's layout). All weights and biases are drawn from
/// U(±1/√H), PyTorch's default. Dropout (training only) applies to each layer's output except
/// the last's.
///
/// reference: https://pytorch.org/docs/stable/generated/torch.nn.LSTM.html
public final class LSTM: Module {
    public struct Weights {
        public let weightIH: Tensor  // [4H, D_in]
        public let weightHH: Tensor  // [4H, H]
        public let biasIH: Tensor  // [4H]
        public let biasHH: Tensor  // [4H]
    }

    public let inputSize: Int
    public let hiddenSize: Int
    public let numLayers: Int
    public let bidirectional: Bool
    public let dropout: Float
    /// `weights[layer][direction]`.
    public let weights: [[Weights]]
    let generator: Generator

    public init(
        inputSize: Int, hiddenSize: Int, numLayers: Int = 1, bidirectional: Bool = false,
        dropout: Float = 0, generator: Generator
    ) {
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.numLayers = numLayers
        self.bidirectional = bidirectional
        self.dropout = dropout
        self.generator = generator
        let bound = 1 / Float(hiddenSize).squareRoot()
        let directions = bidirectional ? 2 : 1
        weights = (0..<numLayers).map { layer in
            let layerInput = layer == 0 ? inputSize : hiddenSize * directions
            return (0..<directions).map { _ in
                Weights(
                    weightIH: Init.uniform(
                        [4 * hiddenSize, layerInput], bound: bound, generator: generator),
                    weightHH: Init.uniform(
                        [4 * hiddenSize, hiddenSize], bound: bound, generator: generator),
                    biasIH: Init.uniform([4 * hiddenSize], bound: bound, generator: generator),
                    biasHH: Init.uniform([4 * hiddenSize], bound: bound, generator: generator))
            }
        }
    }

    override public var parameters: [(key: String, tensor: Tensor)] {
        var result: [(key: String, tensor: Tensor)] = []
        for (layer, directions) in weights.enumerated() {
            for (direction, w) in directions.enumerated() {
                let suffix = "l\(layer)" + (direction == 1 ? "_reverse" : "")
                result += [
                    ("weight_ih_\(suffix)", w.weightIH), ("weight_hh_\(suffix)", w.weightHH),
                    ("bias_ih_\(suffix)", w.biasIH), ("bias_hh_\(suffix)", w.biasHH),
                ]
            }
        }
        return result
    }

    /// Runs the LSTM over `x` (`[B, T, D]`); `lengths` are the true lengths (all `T` if nil).
    public func callAsFunction(
        _ x: Tensor, lengths: [Int]? = nil
    ) -> (output: Tensor, h: Tensor, c: Tensor) {
        precondition(
            x.rank == 3 && x.shape[2] == inputSize,
            "LSTM(input \(inputSize)) applied to shape \(x.shape)")
        let (batch, steps) = (x.shape[0], x.shape[1])
        let lengths = lengths ?? [Int](repeating: steps, count: batch)
        precondition(
            lengths.count == batch && lengths.allSatisfy { $0 >= 0 && $0 <= steps },
            "LSTM lengths \(lengths) for shape \(x.shape)")
        // Steps past the longest sequence change nothing: skip them, pad the output after.
        let active = lengths.max() ?? 0
        var input = active < steps ? x.slice(axis: 1, 0..<active) : x
        var finalH: [Tensor] = []
        var finalC: [Tensor] = []
        for (layer, directions) in weights.enumerated() {
            // Input projections over the true steps only (the padded ones are never read: the
            // layer skips them), then back in place for the layer.
            let padded = lengths.reduce(0, +) < batch * active
            let packed = padded ? PackedSequences(packing: input, lengths: lengths) : nil
            let projected = directions.map { w in
                let p =
                    Tensor.matmul(packed?.rows ?? input, w.weightIH, transposeB: true)
                    + (w.biasIH + w.biasHH)
                // [B, T, 4H]
                return packed.map { $0.with(rows: p).padded(steps: active) } ?? p
            }
            // Both directions in one node (they run on two threads).
            // [directions, B, T + 2, H]
            let states = Tensor.lstmLayer(
                projected: projected, weightHH: directions.map(\.weightHH), lengths: lengths,
                reverse: directions.indices.map { $0 == 1 })
            var outputs: [Tensor] = []
            for d in directions.indices {
                let direction = states.slice(axis: 0, d..<(d + 1)).squeeze(0)
                outputs.append(direction.slice(axis: 1, 0..<active))
                finalH.append(direction.slice(axis: 1, active..<(active + 1)).squeeze(1))
                finalC.append(direction.slice(axis: 1, (active + 1)..<(active + 2)).squeeze(1))
            }
            input = outputs.count == 1 ? outputs[0] : Tensor.concat(outputs, axis: 2)
            if layer < numLayers - 1 {
                input = input.dropout(dropout, training: training, generator: generator)
            }
        }
        if active < steps {
            input = Tensor.concat(
                [input, Tensor.zeros([batch, steps - active, input.shape[2]])], axis: 1)
        }
        return (input, Tensor.stack(finalH), Tensor.stack(finalC))
    }
}
