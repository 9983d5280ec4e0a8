import Autograd
import Foundation

/// Wall-clock timing for benchmarks: warm-up runs, then the median of timed runs.
enum Timing {
    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// Seconds per run of `body`, one entry per timed repeat.
    static func samples(warmup: Int = 2, repeats: Int, _ body: () -> Void) -> [Double] {
        for _ in 0..<warmup { body() }
        return (0..<repeats).map { _ in
            let start = now()
            body()
            return Double(now() - start) * 1e-9
        }
    }

    static func median(_ values: [Double]) -> Double {
        let s = values.sorted()
        guard !s.isEmpty else { return .nan }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// Runs each body alternately, `rounds` times, so that all see the same machine load, and
    /// reverses the order every other round so that none always runs first (warm caches,
    /// sleeping BLAS threads); returns the per-run seconds of each. With `settle > 0`, each
    /// timed run follows an untimed run of the same body (so each is timed warm, as in a loop
    /// of it) and is followed by `settle` seconds of sleep, so that threads it left spinning
    /// (OpenBLAS's idle workers spin for about 0.1 s after a threaded call) are parked before
    /// another body runs.
    static func interleaved(
        rounds: Int, warmup: Int = 2, settle: Double = 0, _ bodies: [() -> Void]
    ) -> [[Double]] {
        for _ in 0..<warmup { for body in bodies { body() } }
        var times = [[Double]](repeating: [], count: bodies.count)
        for round in 0..<rounds {
            let order = round % 2 == 0 ? Array(bodies.indices) : bodies.indices.reversed()
            for i in order {
                let body = bodies[i]
                if settle > 0 { body() }
                let start = now()
                body()
                times[i].append(Double(now() - start) * 1e-9)
                if settle > 0 { Thread.sleep(forTimeInterval: settle) }
            }
        }
        return times
    }
}
