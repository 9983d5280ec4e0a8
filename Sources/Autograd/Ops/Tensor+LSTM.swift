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
            gates.rank == 2 && c.rank == 2 && gates.shape[0] == c.shape[0]
                && gates.shape[1] == 4 * c.shape[1],
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
                gates: gates.storage.base + b * width, activations: act + b * width,
                cIn: cp + b * hidden,
                c: newC.storage.base + b * hidden, tanhC: tc + b * hidden,
                h: h.storage.base + b * hidden, hidden: hidden)
        }

        let cOut = newC.recorded(from: [gates, c]) { grad in
            _ = activations  // keeps the saved activations alive with the graph
            let dc = grad.storage.base
            let gatesGrad = Tensor(uninitializedShape: [batch, 3 * hidden])
            let cGrad = Tensor(uninitializedShape: c.shape)
            let (ga, gc) = (gatesGrad.storage.base, cGrad.storage.base)
            for b in 0..<batch {
                let (i, f, g) = (
                    act + b * width, act + b * width + hidden, act + b * width + 2 * hidden
                )
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
        gates: UnsafePointer<Float>, activations a: UnsafeMutablePointer<Float>,
        cIn: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, tanhC: UnsafeMutablePointer<Float>,
        h: UnsafeMutablePointer<Float>, hidden: Int
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
/// Per step the forward pass is one `[b, H]·[H, 4H]` GEMM added into the step's gates in
/// place and the vectorised cell, over only the `b` rows that carry a state into the step
/// (padding costs nothing: see `LSTMDirection`); the backward pass is one `[b, 4H]·[4H, H]`
/// GEMM per step for the recurrence, and the weight gradient is a single `[4H, N]·[N, H]`
/// GEMM over the `N` true steps after the loop instead of one thin GEMM per step. Every
/// buffer is allocated once per call. Two directions run on two threads, each with
/// single-threaded GEMMs; a single direction splits each step's rows (their GEMM rows and
/// cells) across the threads instead.
extension Tensor {
    public static func lstmLayer(
        projected: Tensor, weightHH: Tensor, lengths: [Int], reverse: Bool
    ) -> Tensor {
        let packed = lstmLayer(
            projected: [projected], weightHH: [weightHH], lengths: lengths, reverse: [reverse])
        return packed.reshape(Array(packed.shape.dropFirst()))
    }

    public static func lstmLayer(
        projected: [Tensor], weightHH: [Tensor], lengths: [Int], reverse: [Bool]
    ) -> Tensor {
        precondition(
            !projected.isEmpty && projected.count == weightHH.count
                && projected.count == reverse.count,
            "LSTM layer: \(projected.count) projections, \(weightHH.count) weights, "
                + "\(reverse.count) directions"
        )
        let (batch, steps, hidden) = (
            projected[0].shape[0], projected[0].shape[1], weightHH[0].shape[1]
        )
        let directions = projected.indices.map {
            LSTMDirection(
                projected: projected[$0], weightHH: weightHH[$0], lengths: lengths,
                reverse: reverse[$0])
        }
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
                    for d in chunk {
                        slots.base[d] = directions[d].backward(
                            grad.storage.base + d * stride, weightGradient: targets[d])
                    }
                }
            }
            for d in directions.indices {
                projected[d].accumulateGrad(gateGrads[d]!)
                if let target = targets[d], weightHH[d].node != nil {
                    weightHH[d].accumulateGrad(target)
                }
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
///
/// Internally the direction works on packed sequences, as PyTorch's `PackedSequence` does: the
/// batch rows sorted by decreasing length (ties keep their order), and every buffer time-major
/// with only the rows active at each step, so that step `t`'s rows are the first `active[t]`
/// sorted rows, contiguous at `offset[t]`. A step's recurrent GEMM then covers only the rows
/// that carry a state into it (no product for padding), and the weight gradient is one GEMM
/// over the true steps. Inputs and outputs keep the caller's `[B, T, ·]` order; the rows are
/// gathered once on the way in and scattered once on the way out.
private final class LSTMDirection: @unchecked Sendable {
    let projected: Tensor
    let weightHH: Tensor
    let lengths: [Int]
    let reverse: Bool
    let (batch, steps, hidden, width): (Int, Int, Int, Int)
    /// `rows[i]` is the batch row at sorted position `i` (decreasing length).
    let rows: [Int]
    /// Rows active at step `t` (`t < length`): the first `active[t]` sorted rows.
    let active: [Int]
    /// Step `t`'s rows start at packed row `offset[t]`; `offset[steps]` is the number of true
    /// steps.
    let offset: [Int]
    /// The steps in the order the recurrence visits them.
    let order: [Int]
    /// Gates, then (in place) activations σ(i), σ(f), tanh(g), σ(o): `[Σ lengths, 4H]`.
    let acts: Tensor
    /// State after each true step, and tanh of the cell: `[Σ lengths, H]`.
    let hState: Tensor
    let cState: Tensor
    let tanhC: Tensor
    let zeros: Tensor

    init(projected: Tensor, weightHH: Tensor, lengths: [Int], reverse: Bool) {
        precondition(
            projected.rank == 3 && weightHH.rank == 2 && weightHH.shape[0] == projected.shape[2]
                && weightHH.shape[0] == 4 * weightHH.shape[1],
            "LSTM layer of projections \(projected.shape) with recurrent weight \(weightHH.shape)")
        let (batch, steps, hidden) = (projected.shape[0], projected.shape[1], weightHH.shape[1])
        precondition(
            lengths.count == batch && lengths.allSatisfy { (0...steps).contains($0) },
            "LSTM lengths \(lengths) for \(steps) steps")
        (self.batch, self.steps, self.hidden, width) = (batch, steps, hidden, 4 * hidden)
        (self.projected, self.weightHH, self.lengths, self.reverse) = (
            projected, weightHH, lengths, reverse
        )
        order = reverse ? Array((0..<steps).reversed()) : Array(0..<steps)
        rows = (0..<batch).sorted { (lengths[$0], $1) > (lengths[$1], $0) }
        var active = [Int](repeating: 0, count: steps)
        for length in lengths { for t in 0..<length { active[t] += 1 } }
        self.active = active
        var offset = [0]
        for count in active { offset.append(offset.last! + count) }
        self.offset = offset
        let total = offset[steps]
        acts = Tensor(uninitializedShape: [total, width])
        hState = Tensor(uninitializedShape: [total, hidden])
        cState = Tensor(uninitializedShape: [total, hidden])
        tanhC = Tensor(uninitializedShape: [total, hidden])
        zeros = Tensor.zeros([batch, hidden])
        let (source, a) = (projected.storage.base, acts.storage.base)
        for t in 0..<steps {
            for i in 0..<active[t] {
                (a + (offset[t] + i) * width).update(
                    from: source + (rows[i] * steps + t) * width, count: width)
            }
        }
    }

    /// Runs a step's per-row work (its rows of the recurrent GEMM, then their cells) over its
    /// `count` active rows, in blocks across the run's threads when the step is big enough to
    /// repay a hand-off: a direction left with both cores (a unidirectional layer) no longer
    /// runs its recurrence on one. A bidirectional layer's directions already take a thread
    /// each, and inside them this runs the rows in one block.
    func forEachRowBlock(_ count: Int, _ body: (Range<Int>) -> Void) {
        let parallel =
            BLAS.threads > 1 && count >= 16
            && count * width * hidden >= Self.parallelStepMultiplyAdds
        if parallel { Parallel.forEachChunk(of: count, body) } else { body(0..<count) }
    }

    /// About 15 µs of GEMM on one core: the pool's hand-off costs a few.
    static let parallelStepMultiplyAdds = 1 << 19

    /// The visit before visit `k`, and how many of visit `k`'s rows continue a state from it
    /// (the others start from zero): forward, all of them after the first step; reverse, the
    /// rows still active at the step after.
    func previous(_ k: Int) -> (step: Int, continuing: Int) {
        guard k > 0 else { return (0, 0) }
        let before = order[k - 1]
        return (before, Swift.min(active[order[k]], active[before]))
    }

    /// Runs the recurrence and writes `[B, T + 2, H]` (outputs, final h, final c) to `r`.
    func forward(into r: UnsafeMutablePointer<Float>) {
        let (a, hs, cs, tc, w, z) = (
            acts.storage.base, hState.storage.base, cState.storage.base, tanhC.storage.base,
            weightHH.storage.base, zeros.storage.base
        )
        for (k, t) in order.enumerated() where active[t] > 0 {
            let (before, continuing) = previous(k)
            forEachRowBlock(active[t]) { block in
                let carried = block.clamped(to: 0..<continuing)
                if !carried.isEmpty {
                    BLAS.sgemm(
                        transA: false, transB: true, m: carried.count, n: width, k: hidden,
                        a: hs + (offset[before] + carried.lowerBound) * hidden, lda: hidden, b: w,
                        ldb: hidden, beta: 1,
                        c: a + (offset[t] + carried.lowerBound) * width, ldc: width)
                }
                for i in block {
                    let row = offset[t] + i
                    let cIn = i < continuing ? cs + (offset[before] + i) * hidden : z
                    Tensor.lstmRowForward(
                        gates: a + row * width, activations: a + row * width, cIn: cIn,
                        c: cs + row * hidden,
                        tanhC: tc + row * hidden, h: hs + row * hidden, hidden: hidden)
                }
            }
        }
        r.update(repeating: 0, count: batch * (steps + 2) * hidden)
        for (i, b) in rows.enumerated() where lengths[b] > 0 {
            let out = r + b * (steps + 2) * hidden
            for t in 0..<lengths[b] {
                (out + t * hidden).update(from: hs + (offset[t] + i) * hidden, count: hidden)
            }
            // The last visit of the row: its last step forward, step 0 in reverse.
            let last = reverse ? 0 : lengths[b] - 1
            (out + steps * hidden).update(from: hs + (offset[last] + i) * hidden, count: hidden)
            (out + (steps + 1) * hidden).update(
                from: cs + (offset[last] + i) * hidden, count: hidden)
        }
    }

    /// Back through every step from `g` (`[B, T + 2, H]`): returns the gradient of the
    /// projections (`[B, T, 4H]`, zero at padded steps) and adds the recurrent weight's into
    /// `weightGradient` (when given).
    func backward(_ g: UnsafePointer<Float>, weightGradient: Tensor?) -> Tensor {
        let (a, hs, cs, tc, w, z) = (
            acts.storage.base, hState.storage.base, cState.storage.base, tanhC.storage.base,
            weightHH.storage.base, zeros.storage.base
        )
        let packedGrads = Tensor(uninitializedShape: [offset[steps], width])
        let gg = packedGrads.storage.base
        // Running gradients of the state carried into the visit being processed, per sorted row.
        let dh = Tensor(uninitializedShape: [batch, hidden])
        let dc = Tensor(uninitializedShape: [batch, hidden])
        let (pdh, pdc) = (dh.storage.base, dc.storage.base)
        for (i, b) in rows.enumerated() {
            (pdh + i * hidden).update(from: g + (b * (steps + 2) + steps) * hidden, count: hidden)
            (pdc + i * hidden).update(
                from: g + (b * (steps + 2) + steps + 1) * hidden, count: hidden)
        }
        for k in order.indices.reversed() where active[order[k]] > 0 {
            let t = order[k]
            let (before, continuing) = previous(k)
            forEachRowBlock(active[t]) { block in
                for i in block {
                    let row = a + (offset[t] + i) * width
                    let out = gg + (offset[t] + i) * width
                    let (dhb, dcb) = (pdh + i * hidden, pdc + i * hidden)
                    let gOut = g + (rows[i] * (steps + 2) + t) * hidden
                    let tOut = tc + (offset[t] + i) * hidden
                    let cIn = i < continuing ? cs + (offset[before] + i) * hidden : z
                    for j in 0..<hidden {
                        let (i, f, cTilde, o) = (
                            row[j], row[hidden + j], row[2 * hidden + j], row[3 * hidden + j]
                        )
                        let dhj = dhb[j] + gOut[j]
                        let dcj = dcb[j] + dhj * o * (1 - tOut[j] * tOut[j])
                        out[j] = dcj * cTilde * i * (1 - i)
                        out[hidden + j] = dcj * cIn[j] * f * (1 - f)
                        out[2 * hidden + j] = dcj * i * (1 - cTilde * cTilde)
                        out[3 * hidden + j] = dhj * tOut[j] * o * (1 - o)
                        dcb[j] = dcj * f
                    }
                }
                // dh of the carried state = dGates · W_hh (it replaces the row's running dh);
                // rows that started from zero at this visit are finished.
                let carried = block.clamped(to: 0..<continuing)
                guard !carried.isEmpty else { return }
                BLAS.sgemm(
                    transA: false, transB: false, m: carried.count, n: hidden, k: width,
                    a: gg + (offset[t] + carried.lowerBound) * width, lda: width, b: w, ldb: hidden,
                    c: pdh + carried.lowerBound * hidden, ldc: hidden)
            }
        }
        if let weightGradient, offset[steps] > 0 {
            // dW_hh [4H, H] += Σ dGatesᵀ · h_carried over every true step, one GEMM: the
            // carried states laid out beside their steps (zero where a row started from zero).
            let carriedStates = Tensor.zeros([offset[steps], hidden])
            let hp = carriedStates.storage.base
            for k in order.indices {
                let (before, continuing) = previous(k)
                guard continuing > 0 else { continue }
                (hp + offset[order[k]] * hidden).update(
                    from: hs + offset[before] * hidden, count: continuing * hidden)
            }
            BLAS.sgemm(
                transA: true, transB: false, m: width, n: hidden, k: offset[steps], a: gg,
                lda: width, b: hp, ldb: hidden, beta: 1, c: weightGradient.storage.base, ldc: hidden
            )
        }
        let gateGrads = Tensor.zeros([batch, steps, width])
        let out = gateGrads.storage.base
        for t in 0..<steps {
            for i in 0..<active[t] {
                (out + (rows[i] * steps + t) * width).update(
                    from: gg + (offset[t] + i) * width, count: width)
            }
        }
        return gateGrads
    }
}
