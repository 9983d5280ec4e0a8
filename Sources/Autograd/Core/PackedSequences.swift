/// A batch of sequences without their padding: each sequence's true steps after the previous
/// one's, `rows [Σ lengths, W]`, with the `lengths`.
///
/// The package's sequence form is padded plus lengths (`ModalityBatch`); this packed form is
/// what a kernel converts to where it skips padding (the LSTM's input projection, the
/// Transformer encoder's layers, attention), and converts back from. It is a type, not a rank,
/// so an op never guesses which form it was given. Both conversions are differentiable
/// (`indexSelect`).
public struct PackedSequences {
    /// `[Σ lengths, W]`.
    public let rows: Tensor
    public let lengths: [Int]

    public init(rows: Tensor, lengths: [Int]) {
        precondition(
            rows.rank == 2 && lengths.allSatisfy { $0 >= 0 }
                && lengths.reduce(0, +) == rows.shape[0],
            "packed rows \(rows.shape) do not hold sequences of lengths \(lengths)")
        self.rows = rows
        self.lengths = lengths
    }

    /// `[B, T, W] -> [Σ lengths, W]`: each sequence's first `lengths[b]` steps.
    public init(packing padded: Tensor, lengths: [Int]) {
        let (batch, steps, width) = (padded.shape[0], padded.shape[1], padded.shape[2])
        precondition(
            lengths.count == batch && lengths.allSatisfy { (0...steps).contains($0) },
            "lengths \(lengths) for \(padded.shape)")
        let source = lengths.enumerated().flatMap { b, l in (0..<l).map { b * steps + $0 } }
        self.init(
            rows: padded.reshape([batch * steps, width]).indexSelect(rows: source),
            lengths: lengths)
    }

    /// The same sequences with new rows of the same count (a step-wise op's result).
    public func with(rows: Tensor) -> PackedSequences {
        PackedSequences(rows: rows, lengths: lengths)
    }

    /// The inverse of `init(packing:lengths:)`: `[B, steps, W]`, zero past each length.
    public func padded(steps: Int) -> Tensor {
        // Padded steps are zero rows (index −1), written in the same pass as the true ones.
        var first = 0
        var source: [Int] = []
        for l in lengths {
            source += (0..<steps).map { $0 < l ? first + $0 : -1 }
            first += l
        }
        return rows.indexSelect(rows: source).reshape([lengths.count, steps, rows.shape[1]])
    }
}
