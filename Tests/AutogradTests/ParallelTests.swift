import Testing

@testable import Autograd

@Suite struct ParallelTests {
    /// Every index once, from callers on several threads at once (one gets the pool, the others
    /// run alone) and from inside a chunk (runs alone), many times over: no lost, repeated or
    /// stuck jobs.
    @Test func everyChunkRunsOnceUnderConcurrentAndNestedCalls() async {
        let saved = BLAS.threads
        BLAS.threads = 2
        defer { BLAS.threads = saved }
        await withTaskGroup(of: Bool.self) { group in
            for caller in 0..<4 {
                group.addTask {
                    for round in 0..<300 {
                        let count = 1 + (caller * 7 + round) % 13
                        let hits = UnsafeMutablePointer<Int>.allocate(capacity: count)
                        hits.initialize(repeating: 0, count: count)
                        defer { hits.deallocate() }
                        Parallel.forEachChunk(of: count) { range in
                            for i in range { hits[i] += 1 }
                            Parallel.forEachChunk(of: 3) { _ in }  // nested: runs on this thread
                        }
                        if (0..<count).contains(where: { hits[$0] != 1 }) { return false }
                    }
                    return true
                }
            }
            for await ok in group { #expect(ok) }
        }
    }
}
