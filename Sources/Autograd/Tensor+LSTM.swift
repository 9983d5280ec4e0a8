#if canImport(Glibc)
    import Glibc
#endif

/// The elementwise half of an LSTM step, fused: two primitives instead of a dozen small ops.
///
/// Shapes: gate pre-activations `[B, 4H]` in PyTorch's order `i, f, g, o`; states `[B, H]`.
///
/// Concretely:
///   `i = σ(aᵢ), f = σ(a_f), g = tanh(a_g), o = σ(a_o)`
///   `c' = f ⊙ c + i ⊙ g`        (`lstmCellState`)
///   `h' = o ⊙ tanh(c')`          (`lstmHidden`)
///
/// ### References
/// - https://pytorch.org/docs/stable/generated/torch.nn.LSTM.html
extension Tensor {
    /// The new cell state `c' = σ(a_f) ⊙ c + σ(aᵢ) ⊙ tanh(a_g)`.
    public static func lstmCellState(gates: Tensor, previous c: Tensor) -> Tensor {
        let (batch, hidden) = lstmShapes(gates, c)
        let out = Tensor(uninitializedShape: [batch, hidden])
        let a = gates.storage.base
        let cp = c.storage.base
        let o = out.storage.base
        for b in 0..<batch {
            let row = a + b * 4 * hidden
            for j in 0..<hidden {
                let i = logistic(row[j])
                let f = logistic(row[hidden + j])
                let g = tanhf(row[2 * hidden + j])
                o[b * hidden + j] = f * cp[b * hidden + j] + i * g
            }
        }
        return out.recorded(from: [gates, c]) { grad in
            let dc = grad.storage.base
            let gatesGrad = Tensor.zeros(gates.shape)
            let cGrad = Tensor(uninitializedShape: c.shape)
            let ga = gatesGrad.storage.base
            let gc = cGrad.storage.base
            for b in 0..<batch {
                let row = a + b * 4 * hidden
                let growth = ga + b * 4 * hidden
                for j in 0..<hidden {
                    let k = b * hidden + j
                    let i = logistic(row[j])
                    let f = logistic(row[hidden + j])
                    let g = tanhf(row[2 * hidden + j])
                    growth[j] = dc[k] * g * i * (1 - i)
                    growth[hidden + j] = dc[k] * cp[k] * f * (1 - f)
                    growth[2 * hidden + j] = dc[k] * i * (1 - g * g)
                    gc[k] = dc[k] * f
                }
            }
            gates.accumulateGrad(gatesGrad)
            c.accumulateGrad(cGrad)
        }
    }

    /// The new hidden state `h' = σ(a_o) ⊙ tanh(c')`.
    public static func lstmHidden(gates: Tensor, cell c: Tensor) -> Tensor {
        let (batch, hidden) = lstmShapes(gates, c)
        let out = Tensor(uninitializedShape: [batch, hidden])
        let a = gates.storage.base
        let cc = c.storage.base
        let h = out.storage.base
        for b in 0..<batch {
            let oRow = a + b * 4 * hidden + 3 * hidden
            for j in 0..<hidden { h[b * hidden + j] = logistic(oRow[j]) * tanhf(cc[b * hidden + j]) }
        }
        return out.recorded(from: [gates, c]) { grad in
            let dh = grad.storage.base
            let gatesGrad = Tensor.zeros(gates.shape)
            let cGrad = Tensor(uninitializedShape: c.shape)
            for b in 0..<batch {
                let oRow = a + b * 4 * hidden + 3 * hidden
                let gRow = gatesGrad.storage.base + b * 4 * hidden + 3 * hidden
                for j in 0..<hidden {
                    let k = b * hidden + j
                    let o = logistic(oRow[j])
                    let t = tanhf(cc[k])
                    gRow[j] = dh[k] * t * o * (1 - o)
                    cGrad.storage.base[k] = dh[k] * o * (1 - t * t)
                }
            }
            gates.accumulateGrad(gatesGrad)
            c.accumulateGrad(cGrad)
        }
    }

    private static func lstmShapes(_ gates: Tensor, _ c: Tensor) -> (Int, Int) {
        precondition(
            gates.rank == 2 && c.rank == 2 && gates.shape[0] == c.shape[0] && gates.shape[1] == 4 * c.shape[1],
            "LSTM gates \(gates.shape) with state \(c.shape): expected [B, 4H] and [B, H]")
        return (c.shape[0], c.shape[1])
    }
}
