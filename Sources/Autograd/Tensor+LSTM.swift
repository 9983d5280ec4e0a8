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
        let newC = Tensor(uninitializedShape: [batch, hidden])
        let tanhC = Tensor(uninitializedShape: [batch, hidden])
        let h = Tensor(uninitializedShape: [batch, hidden])
        let (cp, tc) = (c.storage.base, tanhC.storage.base)
        for b in 0..<batch {
            lstmRowForward(
                gates: gates.storage.base + b * width, activations: act + b * width, cIn: cp + b * hidden,
                c: newC.storage.base + b * hidden, tanhC: tc + b * hidden, h: h.storage.base + b * hidden, hidden: hidden)
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

    /// One batch row of the cell: the gates `[4H]` activated into `activations` (which may be
    /// the gates' own buffer), then `c' = f⊙c + i⊙g`, `tanh(c')` and `h' = o⊙tanh(c')`.
    @inline(__always)
    fileprivate static func lstmRowForward(
        gates: UnsafePointer<Float>, activations a: UnsafeMutablePointer<Float>, cIn: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, tanhC: UnsafeMutablePointer<Float>, h: UnsafeMutablePointer<Float>, hidden: Int
    ) {
        VectorMath.map(gates, a, count: 2 * hidden, VectorMath.sigmoid)
        VectorMath.map(gates + 2 * hidden, a + 2 * hidden, count: hidden, VectorMath.tanh)
        VectorMath.map(gates + 3 * hidden, a + 3 * hidden, count: hidden, VectorMath.sigmoid)
        for j in 0..<hidden { c[j] = a[hidden + j] * cIn[j] + a[j] * a[2 * hidden + j] }
        VectorMath.map(c, tanhC, count: hidden, VectorMath.tanh)
        for j in 0..<hidden { h[j] = a[3 * hidden + j] * tanhC[j] }
    }
}

/// One LSTM layer over a whole batch of sequences, as one graph node: one direction, or
/// several independent ones (a bidirectional layer's two) run concurrently, one per thread.
///
/// `projected` `[B, T, 4H]` holds every step's input projection `x_t·W_ihᵀ + b_ih + b_hh`
/// (one GEMM before this call); `weightHH` is `[4H, H]`. Row `b` is active at step `t` when
/// `t < lengths[b]`; inactive steps keep the state and output zero, which is exactly PyTorch's
/// packed-sequence semantics for both directions (the reverse direction starts at each
/// sequence's own last step, from a zero state).
///
/// Returns `[B, T + 2, H]`: rows `0..<T` the outputs, row `T` the final `h`, row `T + 1` the
/// final `c` (slice them; the slices' gradients flow back through this one node). The
/// several-direction form returns `[directions, B, T + 2, H]`.
///
/// Per step the forward pass is one `[B, H]·[H, 4H]` GEMM added into the step's gates in
/// place and the vectorised cell; the backward pass is one `[B, 4H]·[4H, H]` GEMM per step for
/// the recurrence, and the weight gradient is a single `[4H, B·T]·[B·T, H]` GEMM after the
/// loop instead of one thin GEMM per step. Every buffer is allocated once per call. Two
/// directions run on two threads, each with single-threaded GEMMs; a single direction splits
/// each step's rows (their GEMM rows and cells) across the threads instead.
extension Tensor {
    public static func lstmLayer(projected: Tensor, weightHH: Tensor, lengths: [Int], reverse: Bool) -> Tensor {
        let packed = lstmLayer(projected: [projected], weightHH: [weightHH], lengths: lengths, reverse: [reverse])
        return packed.reshape(Array(packed.shape.dropFirst()))
    }

    public static func lstmLayer(projected: [Tensor], weightHH: [Tensor], lengths: [Int], reverse: [Bool]) -> Tensor {
        precondition(!projected.isEmpty && projected.count == weightHH.count && projected.count == reverse.count, "LSTM layer: \(projected.count) projections, \(weightHH.count) weights, \(reverse.count) directions")
        let (batch, steps, hidden) = (projected[0].shape[0], projected[0].shape[1], weightHH[0].shape[1])
        let directions = projected.indices.map { LSTMDirection(projected: projected[$0], weightHH: weightHH[$0], lengths: lengths, reverse: reverse[$0]) }
        let result = Tensor(uninitializedShape: [directions.count, batch, steps + 2, hidden])
        let stride = batch * (steps + 2) * hidden
        Parallel.forEachChunk(of: directions.count) { chunk in
            for d in chunk { directions[d].forward(into: result.storage.base + d * stride) }
        }
        return result.recorded(from: projected + weightHH) { grad in
            // Leaf weights take their gradient in place (β = 1); allocate those first, outside
            // the threads.
            let targets = weightHH.map { w -> Tensor? in
                guard w.requiresGrad, steps > 1 else { return nil }
                return w.node == nil ? w.ownedGrad() : Tensor.zeros(w.shape)
            }
            var gateGrads = [Tensor?](repeating: nil, count: directions.count)
            gateGrads.withUnsafeMutableBufferPointer { out in
                let slots = UncheckedSlots(out)
                Parallel.forEachChunk(of: directions.count) { chunk in
                    for d in chunk { slots.base[d] = directions[d].backward(grad.storage.base + d * stride, weightGradient: targets[d]) }
                }
            }
            for d in directions.indices {
                projected[d].accumulateGrad(gateGrads[d]!)
                if let target = targets[d], weightHH[d].node != nil { weightHH[d].accumulateGrad(target) }
            }
        }
    }
}

/// A pointer to an array's slots that concurrent chunks write at disjoint indices.
private struct UncheckedSlots<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
    init(_ buffer: UnsafeMutableBufferPointer<T>) { base = buffer.baseAddress! }
}

/// One direction of `Tensor.lstmLayer`: its buffers, forward and backward loops.
private final class LSTMDirection: @unchecked Sendable {
    let projected: Tensor
    let weightHH: Tensor
    let lengths: [Int]
    let (batch, steps, hidden, width): (Int, Int, Int, Int)
    /// The steps in the order the recurrence visits them.
    let order: [Int]
    /// Gates, then (in place) activations σ(i), σ(f), tanh(g), σ(o): `[B, T, 4H]`.
    let acts: Tensor
    /// State after each step (carried through inactive steps), and tanh of the cell: `[B, T, H]`.
    let hState: Tensor
    let cState: Tensor
    let tanhC: Tensor
    let zeros: Tensor

    init(projected: Tensor, weightHH: Tensor, lengths: [Int], reverse: Bool) {
        precondition(projected.rank == 3 && weightHH.rank == 2 && weightHH.shape[0] == projected.shape[2] && weightHH.shape[0] == 4 * weightHH.shape[1], "LSTM layer of projections \(projected.shape) with recurrent weight \(weightHH.shape)")
        let (batch, steps, hidden) = (projected.shape[0], projected.shape[1], weightHH.shape[1])
        precondition(lengths.count == batch && lengths.allSatisfy { (0...steps).contains($0) }, "LSTM lengths \(lengths) for \(steps) steps")
        (self.batch, self.steps, self.hidden, width) = (batch, steps, hidden, 4 * hidden)
        (self.projected, self.weightHH, self.lengths) = (projected, weightHH, lengths)
        order = reverse ? Array((0..<steps).reversed()) : Array(0..<steps)
        acts = projected.copy()
        hState = Tensor(uninitializedShape: [batch, steps, hidden])
        cState = Tensor(uninitializedShape: [batch, steps, hidden])
        tanhC = Tensor(uninitializedShape: [batch, steps, hidden])
        zeros = Tensor.zeros([batch, hidden])
    }

    /// Runs a step's per-row work (its rows of the recurrent GEMM, then their cells) over the
    /// batch rows, in blocks across the run's threads when the step is big enough to repay a
    /// hand-off: a direction left with both cores (a unidirectional layer) no longer runs its
    /// recurrence on one. A bidirectional layer's directions already take a thread each, and
    /// inside them this runs the rows in one block.
    func forEachRowBlock(_ body: (Range<Int>) -> Void) {
        if parallelRows { Parallel.forEachChunk(of: batch, body) } else { body(0..<batch) }
    }

    /// Whether steps are split across threads: multiply-adds per step at least
    /// `Self.parallelStepMultiplyAdds` and a batch of at least two blocks of 8 rows.
    var parallelRows: Bool { BLAS.threads > 1 && batch >= 16 && batch * width * hidden >= Self.parallelStepMultiplyAdds }

    /// About 15 µs of GEMM on one core: the pool's hand-off costs a few.
    static let parallelStepMultiplyAdds = 1 << 19

    /// Row b's state before step index k of the loop: the previous step's state, or zero.
    func previous(_ buffer: UnsafeMutablePointer<Float>, _ k: Int) -> (UnsafeMutablePointer<Float>, Int) {
        k == 0 ? (zeros.storage.base, hidden) : (buffer + order[k - 1] * hidden, steps * hidden)
    }

    /// Runs the recurrence and writes `[B, T + 2, H]` (outputs, final h, final c) to `r`.
    func forward(into r: UnsafeMutablePointer<Float>) {
        let (a, hs, cs, tc, w) = (acts.storage.base, hState.storage.base, cState.storage.base, tanhC.storage.base, weightHH.storage.base)
        for (k, t) in order.enumerated() {
            let (hPrev, hStride) = previous(hs, k)
            let (cPrev, cStride) = previous(cs, k)
            forEachRowBlock { rows in
                if k > 0 {
                    BLAS.sgemm(
                        transA: false, transB: true, m: rows.count, n: width, k: hidden, a: hPrev + rows.lowerBound * hStride,
                        lda: hStride, b: w, ldb: hidden, beta: 1, c: a + (rows.lowerBound * steps + t) * width, ldc: steps * width)
                }
                for b in rows {
                    let (hOut, cOut, tOut) = (hs + (b * steps + t) * hidden, cs + (b * steps + t) * hidden, tc + (b * steps + t) * hidden)
                    let (hIn, cIn) = (hPrev + b * hStride, cPrev + b * cStride)
                    guard t < lengths[b] else {
                        hOut.update(from: hIn, count: hidden)
                        cOut.update(from: cIn, count: hidden)
                        continue
                    }
                    let row = a + (b * steps + t) * width
                    Tensor.lstmRowForward(gates: row, activations: row, cIn: cIn, c: cOut, tanhC: tOut, h: hOut, hidden: hidden)
                }
            }
        }
        r.update(repeating: 0, count: batch * (steps + 2) * hidden)
        for b in 0..<batch {
            for t in 0..<min(lengths[b], steps) {
                (r + (b * (steps + 2) + t) * hidden).update(from: hs + (b * steps + t) * hidden, count: hidden)
            }
            if let last = order.last {
                (r + (b * (steps + 2) + steps) * hidden).update(from: hs + (b * steps + last) * hidden, count: hidden)
                (r + (b * (steps + 2) + steps + 1) * hidden).update(from: cs + (b * steps + last) * hidden, count: hidden)
            }
        }
    }

    /// Back through every step from `g` (`[B, T + 2, H]`): returns the gradient of the
    /// projections and adds the recurrent weight's into `weightGradient` (when given).
    func backward(_ g: UnsafePointer<Float>, weightGradient: Tensor?) -> Tensor {
        let (a, hs, cs, tc, w) = (acts.storage.base, hState.storage.base, cState.storage.base, tanhC.storage.base, weightHH.storage.base)
        let gateGrads = Tensor.zeros([batch, steps, width])
        let gg = gateGrads.storage.base
        // Running gradients of the state carried into the step being visited.
        let dh = Tensor(uninitializedShape: [batch, hidden])
        let dc = Tensor(uninitializedShape: [batch, hidden])
        let recurrent = Tensor(uninitializedShape: [batch, hidden])
        let (pdh, pdc, prec) = (dh.storage.base, dc.storage.base, recurrent.storage.base)
        for b in 0..<batch {
            (pdh + b * hidden).update(from: g + (b * (steps + 2) + steps) * hidden, count: hidden)
            (pdc + b * hidden).update(from: g + (b * (steps + 2) + steps + 1) * hidden, count: hidden)
        }
        for k in order.indices.reversed() {
            let t = order[k]
            let (cPrev, cStride) = previous(cs, k)
            forEachRowBlock { rows in
                for b in rows where t < lengths[b] {
                    let row = a + (b * steps + t) * width
                    let out = gg + (b * steps + t) * width
                    let (dhb, dcb) = (pdh + b * hidden, pdc + b * hidden)
                    let gOut = g + (b * (steps + 2) + t) * hidden
                    let tOut = tc + (b * steps + t) * hidden
                    let cIn = cPrev + b * cStride
                    for j in 0..<hidden {
                        let (i, f, c̃, o) = (row[j], row[hidden + j], row[2 * hidden + j], row[3 * hidden + j])
                        let dhj = dhb[j] + gOut[j]
                        let dcj = dcb[j] + dhj * o * (1 - tOut[j] * tOut[j])
                        out[j] = dcj * c̃ * i * (1 - i)
                        out[hidden + j] = dcj * cIn[j] * f * (1 - f)
                        out[2 * hidden + j] = dcj * i * (1 - c̃ * c̃)
                        out[3 * hidden + j] = dhj * tOut[j] * o * (1 - o)
                        dcb[j] = dcj * f
                    }
                }
                guard k > 0 else { return }
                // dh of the previous state = dGates · W_hh for active rows; inactive rows carry.
                BLAS.sgemm(
                    transA: false, transB: false, m: rows.count, n: hidden, k: width, a: gg + (rows.lowerBound * steps + t) * width,
                    lda: steps * width, b: w, ldb: hidden, c: prec + rows.lowerBound * hidden, ldc: hidden)
                for b in rows where t < lengths[b] {
                    (pdh + b * hidden).update(from: prec + b * hidden, count: hidden)
                }
            }
        }
        if let weightGradient, steps > 1 {
            // dW_hh [4H, H] += Σ_t dGates_tᵀ · h_prev(t): one GEMM over every (b, t), with
            // the previous states laid out beside their steps (the first step's is zero).
            let hPrevious = Tensor.zeros([batch, steps, hidden])
            let hp = hPrevious.storage.base
            for k in 1..<steps {
                let (t, before) = (order[k], order[k - 1])
                for b in 0..<batch { (hp + (b * steps + t) * hidden).update(from: hs + (b * steps + before) * hidden, count: hidden) }
            }
            BLAS.sgemm(transA: true, transB: false, m: width, n: hidden, k: batch * steps, a: gg, lda: width, b: hp, ldb: hidden, beta: 1, c: weightGradient.storage.base, ldc: hidden)
        }
        return gateGrads
    }
}
