import Dispatch

/// Work split across the run's threads (`BLAS.threads`), for loops of independent items whose
/// results do not depend on how they are split (so runs stay deterministic). Large matrix
/// products are split the same way (`BLAS.sgemm`).
public enum Parallel {
    /// Elementwise passes shorter than this stay on one thread (the hand-off costs more).
    public static let minimumParallelElements = 1 << 18

    /// Calls `body` once per contiguous chunk of `0..<count`, concurrently. The chunks must
    /// write disjoint memory; that is the caller's promise, hence the unchecked box.
    public static func forEachChunk(of count: Int, _ body: (Range<Int>) -> Void) {
        let workers = Swift.max(1, Swift.min(BLAS.threads, count))
        guard workers > 1 else {
            body(0..<count)
            return
        }
        let size = (count + workers - 1) / workers
        // Products inside a chunk are not split again: the chunks already take the cores.
        let saved = BLAS.threads
        BLAS.threads = 1
        defer { BLAS.threads = saved }
        withoutActuallyEscaping(body) { escapable in
            let box = UncheckedBox(escapable)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let range = (w * size)..<Swift.min((w + 1) * size, count)
                if !range.isEmpty { box.value(range) }
            }
        }
    }

    private struct UncheckedBox<T>: @unchecked Sendable {
        let value: T
        init(_ value: T) { self.value = value }
    }
}
