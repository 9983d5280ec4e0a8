import Autograd

// Sequences without their padding: layers that treat every step alike (projections, norms,
// feed-forward blocks) run on `[Σ lengths, E]` and skip the padded steps a batch carries.
// Both directions are differentiable (`indexSelect`).

/// `[B, T, E] -> [Σ lengths, E]`: each sequence's first `lengths[b]` steps, one after another.
func packSteps(_ x: Tensor, lengths: [Int]) -> Tensor {
    let (batch, steps, width) = (x.shape[0], x.shape[1], x.shape[2])
    precondition(
        lengths.count == batch && lengths.allSatisfy { (0...steps).contains($0) },
        "lengths \(lengths) for \(x.shape)")
    return x.reshape([batch * steps, width]).indexSelect(
        rows: lengths.enumerated().flatMap { b, l in (0..<l).map { b * steps + $0 } })
}

/// The inverse of `packSteps`: `[Σ lengths, E] -> [B, steps, E]`, zero past each length.
func unpackSteps(_ packed: Tensor, lengths: [Int], steps: Int) -> Tensor {
    // Padded steps are zero rows (index −1), written in the same pass as the true ones.
    var first = 0
    var source: [Int] = []
    for l in lengths {
        source += (0..<steps).map { $0 < l ? first + $0 : -1 }
        first += l
    }
    return packed.indexSelect(rows: source).reshape([lengths.count, steps, packed.shape[1]])
}
