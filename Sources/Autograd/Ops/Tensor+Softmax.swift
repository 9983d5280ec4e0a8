internal import CKernels

#if canImport(Glibc)
    import Glibc
#endif

/// Softmax, log-softmax and cross-entropy along the last axis.
///
/// Shapes: `[..., C]`; a mask broadcastable to the input marks the entries that take part
/// (nonzero = keep). Masked entries get probability 0 (log-probability `-inf`), and a row
/// with every entry masked gives all zeros rather than PyTorch's NaN, so that a padded
/// query with no valid key contributes nothing instead of poisoning the batch.
extension Tensor {
    public func softmax(mask: Tensor? = nil) -> Tensor {
        let keep = mask?.expandedConstant(to: shape)
        let y = Tensor(uninitializedShape: shape)
        softmaxRows(keep: keep, into: y, log: false)
        let value = y.detached()
        return y.recorded(from: [self]) { [self] g in
            // dx = y ⊙ (g − Σ g ⊙ y)
            let gx = Tensor(uninitializedShape: shape)
            let width = dim(-1)
            for r in 0..<(count / Swift.max(width, 1)) {
                let gy = g.storage.base + r * width
                let yy = value.storage.base + r * width
                var dot: Float = 0
                for j in 0..<width { dot += gy[j] * yy[j] }
                let out = gx.storage.base + r * width
                for j in 0..<width { out[j] = yy[j] * (gy[j] - dot) }
            }
            accumulateGrad(gx)
        }
    }

    public func logSoftmax(mask: Tensor? = nil) -> Tensor {
        let keep = mask?.expandedConstant(to: shape)
        let y = Tensor(uninitializedShape: shape)
        softmaxRows(keep: keep, into: y, log: true)
        let value = y.detached()
        return y.recorded(from: [self]) { [self] g in
            // dx = g − softmax ⊙ Σ g, over the kept entries; masked entries get 0.
            let gx = Tensor(uninitializedShape: shape)
            let width = dim(-1)
            for r in 0..<(count / Swift.max(width, 1)) {
                let gy = g.storage.base + r * width
                let yy = value.storage.base + r * width
                let k = keep.map { $0.storage.base + r * width }
                var total: Float = 0
                for j in 0..<width where k.map({ $0[j] != 0 }) ?? true { total += gy[j] }
                let out = gx.storage.base + r * width
                for j in 0..<width {
                    let kept = k.map { $0[j] != 0 } ?? true
                    out[j] = kept ? gy[j] - Glibc.expf(yy[j]) * total : 0
                }
            }
            accumulateGrad(gx)
        }
    }

    /// Max-shifted softmax of each last-axis row into `out`.
    private func softmaxRows(keep: Tensor?, into out: Tensor, log: Bool) {
        let width = dim(-1)
        for r in 0..<(count / Swift.max(width, 1)) {
            let x = storage.base + r * width
            let y = out.storage.base + r * width
            let k = keep.map { $0.storage.base + r * width }
            var rowMax = -Float.infinity
            for j in 0..<width where k.map({ $0[j] != 0 }) ?? true {
                rowMax = Swift.max(rowMax, x[j])
            }
            guard rowMax > -.infinity else {
                for j in 0..<width { y[j] = log ? -.infinity : 0 }
                continue
            }
            var total = 0.0
            for j in 0..<width {
                let kept = k.map { $0[j] != 0 } ?? true
                let e = kept ? Glibc.expf(x[j] - rowMax) : 0
                y[j] = e
                total += Double(e)
            }
            if log {
                let logTotal = Float(Glibc.log(total))
                for j in 0..<width {
                    let kept = k.map { $0[j] != 0 } ?? true
                    y[j] = kept ? x[j] - rowMax - logTotal : -.infinity
                }
            } else {
                let inverse = Float(1 / total)
                for j in 0..<width { y[j] *= inverse }
            }
        }
    }

    /// Cross-entropy of logits `[N, C]` against class indices, as PyTorch's `cross_entropy`.
    ///
    /// Concretely: `Σᵢ w[yᵢ] · (−log softmax(xᵢ)[yᵢ]) / Σᵢ w[yᵢ]`, with `w = 1`
    /// when no `classWeights` are given: the weighted mean, not the plain mean of weighted
    /// terms. Accumulated in `Double`.
    ///
    /// reference: https://pytorch.org/docs/stable/generated/torch.nn.CrossEntropyLoss.html
    public static func crossEntropy(
        logits: Tensor, targets: [Int], classWeights: [Float]? = nil
    ) -> Tensor {
        precondition(
            logits.rank == 2 && logits.shape[0] == targets.count,
            "cross-entropy of logits \(logits.shape) with \(targets.count) targets")
        let (n, c) = (logits.shape[0], logits.shape[1])
        if let w = classWeights {
            precondition(w.count == c, "\(w.count) class weights for \(c) classes")
        }
        let logProbabilities = Tensor(uninitializedShape: logits.shape)
        logits.softmaxRows(keep: nil, into: logProbabilities, log: true)
        var loss = 0.0
        var weightTotal = 0.0
        for (i, y) in targets.enumerated() {
            precondition(y >= 0 && y < c, "target \(y) outside 0..<\(c)")
            let w = Double(classWeights?[y] ?? 1)
            loss -= w * Double(logProbabilities.storage.base[i * c + y])
            weightTotal += w
        }
        let result = Tensor(scalar: Float(loss / weightTotal))
        return result.recorded(from: [logits]) { g in
            // dx_ij = g · w[y_i] / W · (p_ij − [j = y_i])
            let gx = Tensor(uninitializedShape: logits.shape)
            let scale = Double(g.item) / weightTotal
            for i in 0..<n {
                let w = Float(Double(classWeights?[targets[i]] ?? 1) * scale)
                for j in 0..<c {
                    let p = Glibc.expf(logProbabilities.storage.base[i * c + j])
                    gx.storage.base[i * c + j] = w * (p - (j == targets[i] ? 1 : 0))
                }
            }
            logits.accumulateGrad(gx)
        }
    }

    /// Inverted dropout: each element zeroed with probability `p` and the rest scaled by
    /// `1 / (1 − p)`. The identity when not training.
    ///
    /// The mask is not stored: element `i` is dropped when a hash of `i` and a per-call seed
    /// (one draw from `generator`) falls below `p` (`Sources/CKernels/dropout.c`), and the
    /// backward pass hashes again. Vectorised and split across threads without changing the
    /// mask; a random stream per element was a fifth of TFN's training step.
    public func dropout(_ p: Float, training: Bool, generator: Generator) -> Tensor {
        precondition(p >= 0 && p < 1, "dropout probability \(p) outside [0, 1)")
        guard training, p > 0 else { return self }
        precondition(count < 1 << 32, "dropout of \(count) elements: indices must fit 32 bits")
        let seed = UInt32(truncatingIfNeeded: generator.next() >> 32)
        let kernels = InstructionSet.active
        func apply(_ x: Tensor) -> Tensor {
            let out = Tensor(uninitializedShape: x.shape)
            let (src, dst, n) = (x.storage.base, out.storage.base, x.count)
            let piece = 1 << 16
            func run(_ pieces: Range<Int>) {
                for k in pieces {
                    let first = k * piece
                    let length = Swift.min(piece, n - first)
                    let kernel = kernels == .avx2 ? ck_dropout_avx2 : ck_dropout_generic
                    kernel(src + first, dst + first, length, UInt32(first), p, seed)
                }
            }
            let pieces = (n + piece - 1) / piece
            if n >= Parallel.minimumParallelElements {
                Parallel.forEachChunk(of: pieces, run)
            } else {
                run(0..<pieces)
            }
            return out
        }
        return apply(self).recorded(from: [self]) { [self] g in accumulateGrad(apply(g)) }
    }
}
