/// The elementwise half of an LSTM step, fused into one call that records two nodes (one per
/// output) instead of a dozen small ops.
///
/// Shapes: gate pre-activations `[B, 4H]` in PyTorch's order `i, f, g, o`; states `[B, H]`.
///
/// Concretely:
///   `i = σ(aᵢ), f = σ(a_f), g = tanh(a_g), o = σ(a_o)`
///   `c' = f ⊙ c + i ⊙ g`
///   `h' = o ⊙ tanh(c')`
///
/// The activations and `tanh(c')` are computed once, vectorised, and kept for the backward
/// pass (`[B, 5H]` floats per step, about the size of the gates the graph keeps anyway).
///
/// ### References
/// - https://pytorch.org/docs/stable/generated/torch.nn.LSTM.html
extension Tensor {
    public static func lstmCell(gates: Tensor, previous c: Tensor) -> (h: Tensor, c: Tensor) {
        precondition(
            gates.rank == 2 && c.rank == 2 && gates.shape[0] == c.shape[0] && gates.shape[1] == 4 * c.shape[1],
            "LSTM gates \(gates.shape) with state \(c.shape): expected [B, 4H] and [B, H]")
        let (batch, hidden) = (c.shape[0], c.shape[1])
        let width = 4 * hidden
        let activations = Tensor(uninitializedShape: gates.shape)
        let act = activations.storage.base
        for b in 0..<batch {
            let row = gates.storage.base + b * width
            let out = act + b * width
            VectorMath.map(row, out, count: 2 * hidden, VectorMath.sigmoid)
            VectorMath.map(row + 2 * hidden, out + 2 * hidden, count: hidden, VectorMath.tanh)
            VectorMath.map(row + 3 * hidden, out + 3 * hidden, count: hidden, VectorMath.sigmoid)
        }
        let newC = Tensor(uninitializedShape: [batch, hidden])
        let tanhC = Tensor(uninitializedShape: [batch, hidden])
        let h = Tensor(uninitializedShape: [batch, hidden])
        let (cp, cn, tc, hp) = (c.storage.base, newC.storage.base, tanhC.storage.base, h.storage.base)
        for b in 0..<batch {
            let (i, f, g) = (act + b * width, act + b * width + hidden, act + b * width + 2 * hidden)
            for j in 0..<hidden { cn[b * hidden + j] = f[j] * cp[b * hidden + j] + i[j] * g[j] }
        }
        VectorMath.map(cn, tc, count: batch * hidden, VectorMath.tanh)
        for b in 0..<batch {
            let o = act + b * width + 3 * hidden
            for j in 0..<hidden { hp[b * hidden + j] = o[j] * tc[b * hidden + j] }
        }

        let cOut = newC.recorded(from: [gates, c]) { grad in
            _ = activations  // keeps the saved activations alive with the graph
            let dc = grad.storage.base
            let gatesGrad = Tensor(uninitializedShape: [batch, 3 * hidden])
            let cGrad = Tensor(uninitializedShape: c.shape)
            let (ga, gc) = (gatesGrad.storage.base, cGrad.storage.base)
            for b in 0..<batch {
                let (i, f, g) = (act + b * width, act + b * width + hidden, act + b * width + 2 * hidden)
                let row = ga + b * 3 * hidden
                for j in 0..<hidden {
                    let k = b * hidden + j
                    row[j] = dc[k] * g[j] * i[j] * (1 - i[j])
                    row[hidden + j] = dc[k] * cp[k] * f[j] * (1 - f[j])
                    row[2 * hidden + j] = dc[k] * i[j] * (1 - g[j] * g[j])
                    gc[k] = dc[k] * f[j]
                }
            }
            gates.accumulateGrad(gatesGrad, axis: 1, range: 0..<(3 * hidden))
            c.accumulateGrad(cGrad)
        }
        let hOut = h.recorded(from: [gates, cOut]) { grad in
            _ = (activations, tanhC)
            let dh = grad.storage.base
            let oGrad = Tensor(uninitializedShape: [batch, hidden])
            let cGrad = Tensor(uninitializedShape: [batch, hidden])
            let (go, gc) = (oGrad.storage.base, cGrad.storage.base)
            for b in 0..<batch {
                let o = act + b * width + 3 * hidden
                for j in 0..<hidden {
                    let k = b * hidden + j
                    go[k] = dh[k] * tc[k] * o[j] * (1 - o[j])
                    gc[k] = dh[k] * o[j] * (1 - tc[k] * tc[k])
                }
            }
            gates.accumulateGrad(oGrad, axis: 1, range: (3 * hidden)..<width)
            cOut.accumulateGrad(cGrad)
        }
        return (hOut, cOut)
    }
}
