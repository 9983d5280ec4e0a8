internal import CPlatform

/// Work split across the run's threads (`BLAS.threads`), for loops of independent items. The
/// chunks depend only on the count and the thread count, so a run repeats bit for bit on the
/// same threads (products computed per chunk, like an LSTM step's rows, may round differently
/// on another thread count). Large matrix products are split the same way (`BLAS.sgemm`).
public enum Parallel {
    /// Elementwise passes shorter than this stay on one thread (the hand-off costs more).
    public static let minimumParallelElements = 1 << 18

    /// Calls `body` once per contiguous chunk of `0..<count`, concurrently. The chunks must
    /// write disjoint memory; that is the caller's promise.
    ///
    /// The threads are our own small pool (C, pthreads): its workers poll for 2 ms after a job
    /// before they sleep, so the many short jobs of a training step (split products, attention
    /// heads, LSTM steps) start at once, and a worker is kept off its caller's CPU.
    /// `DispatchQueue.concurrentPerform` woke its second thread too late for jobs under about
    /// 0.5 ms, which then ran on the caller alone.
    public static func forEachChunk(of count: Int, _ body: (Range<Int>) -> Void) {
        let workers = Swift.max(1, Swift.min(BLAS.threads, count))
        guard workers > 1 else {
            body(0..<count)
            return
        }
        let size = (count + workers - 1) / workers
        // Products inside a chunk are not split again: the chunks already take the cores. The
        // limit is per OS thread (the caller's here, each worker's in `run`), so loops running
        // on other threads at the same time keep their own count.
        let saved = cplatform_thread_limit()
        cplatform_set_thread_limit(1)
        defer { cplatform_set_thread_limit(saved) }
        let counter = cplatform_counter()
        withoutActuallyEscaping(body) { escapable in
            // The C pool (`Sources/CPlatform/pool.c`) calls back through a context pointer: to
            // this job on the caller's stack, so that a call allocates nothing (an LSTM makes
            // one per step).
            var job = ChunkJob(body: escapable, size: size, count: count, counter: counter)
            withUnsafeMutablePointer(to: &job) { pointer in
                cplatform_parallel_for(
                    workers, Int32(workers),
                    { context, index in
                        context!.assumingMemoryBound(to: ChunkJob.self).pointee.run(index)
                    }, pointer)
            }
        }
    }

    /// One `forEachChunk` call as the pool's tasks see it: task `w` runs chunk `w`.
    private struct ChunkJob {
        let body: (Range<Int>) -> Void
        let size: Int
        let count: Int
        /// The caller's multiply-add counter (`MultiplyAdds.counting`), nil for none.
        let counter: UnsafeMutableRawPointer?

        func run(_ w: Int) {
            let range = (w * size)..<Swift.min((w + 1) * size, count)
            guard !range.isEmpty else { return }
            let saved = cplatform_thread_limit()
            cplatform_set_thread_limit(1)
            let savedCounter = cplatform_counter()
            cplatform_set_counter(counter)
            defer {
                cplatform_set_thread_limit(saved)
                cplatform_set_counter(savedCounter)
            }
            body(range)
        }
    }
}
