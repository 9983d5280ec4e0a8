internal import CBLAS
internal import CPlatform
import Foundation
import Synchronization

/// The package's single door to OpenBLAS: single-precision GEMM, the thread count and what
/// the loaded library says about itself.
public enum BLAS {
    /// `C = alpha * op(A) * op(B) + beta * C` for row-major matrices.
    ///
    /// Row-major terms: `op(A)` is M x K, `op(B)` is K x N, `C` is M x N; `lda`, `ldb`, `ldc`
    /// are the number of *columns* of the matrices as stored (K or M for A depending on
    /// `transA`, N or K for B, N for C).
    ///
    /// With more than one thread (`threads`) and at least `parallelMultiplyAdds`, the product
    /// is split into blocks of rows of C (or of columns, when C is wider than tall: the operand
    /// every block reads whole is then the smaller one), one single-threaded OpenBLAS call per
    /// thread. The split points depend only on the shape and the thread count, so a run
    /// repeats bit for bit on the same threads; on another thread count some elements of C
    /// differ in their last bits (OpenBLAS's micro-kernels round an element differently
    /// depending on where the call's edges fall), as with OpenBLAS's own threading.
    public static func sgemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        _ = libraryPinned
        multiplyAdds.add(m * n * k, ordering: .relaxed)
        MultiplyAdds.add(m * n * k)
        guard runThreads > 1, m * n * k >= parallelMultiplyAdds,
            Swift.max(m, n) >= 2 * splitAlignment
        else {
            singleThreadedGEMM(
                transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            return
        }
        let splitRows = m >= n
        let extent = splitRows ? m : n
        let blocks = (extent + splitAlignment - 1) / splitAlignment
        Parallel.forEachChunk(of: blocks) { chunk in
            let lower = chunk.lowerBound * splitAlignment
            let range = lower..<Swift.min(chunk.upperBound * splitAlignment, extent)
            if splitRows {
                singleThreadedGEMM(
                    transA: transA, transB: transB, m: range.count, n: n, k: k, alpha: alpha,
                    a: a + (transA ? range.lowerBound : range.lowerBound * lda), lda: lda, b: b,
                    ldb: ldb, beta: beta,
                    c: c + range.lowerBound * ldc, ldc: ldc)
            } else {
                singleThreadedGEMM(
                    transA: transA, transB: transB, m: m, n: range.count, k: k, alpha: alpha, a: a,
                    lda: lda,
                    b: b + (transB ? range.lowerBound * ldb : range.lowerBound), ldb: ldb,
                    beta: beta,
                    c: c + range.lowerBound, ldc: ldc)
            }
        }
    }

    /// `count` independent products `C_i = op(A_i) · op(B_i)` with the matrices of entry `i` at
    /// `i * strideA`, `i * strideB`, `i * strideC` (same shapes and leading dimensions as in
    /// `sgemm`, β = 0).
    ///
    /// A product big enough to split is split (`sgemm`), one entry after another; smaller ones,
    /// when they add up to at least `parallelMultiplyAdds` or touch at least `parallelFloats`
    /// floats, are shared out whole across the threads, each entry one single-threaded call,
    /// so those come out bit for bit the same on any thread count.
    public static func sgemmBatched(
        count: Int, transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, strideA: Int, b: UnsafePointer<Float>, ldb: Int,
        strideB: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, strideC: Int
    ) {
        let each = m * n * k
        // Worth sharing out: enough arithmetic, or (products of one row, like a sequence mean
        // [1, T]·[T, D]) enough memory to stream that one core's bandwidth is the limit.
        let worthSharing =
            each * count >= parallelMultiplyAdds
            || (m * k + k * n + m * n) * count >= parallelFloats
        guard count > 1, runThreads > 1, each < parallelMultiplyAdds, worthSharing else {
            for i in 0..<count {
                sgemm(
                    transA: transA, transB: transB, m: m, n: n, k: k, a: a + i * strideA, lda: lda,
                    b: b + i * strideB, ldb: ldb, c: c + i * strideC, ldc: ldc)
            }
            return
        }
        _ = libraryPinned
        multiplyAdds.add(each * count, ordering: .relaxed)
        MultiplyAdds.add(each * count)
        Parallel.forEachChunk(of: count) { entries in
            for i in entries {
                singleThreadedGEMM(
                    transA: transA, transB: transB, m: m, n: n, k: k, alpha: 1, a: a + i * strideA,
                    lda: lda,
                    b: b + i * strideB, ldb: ldb, beta: 0, c: c + i * strideC, ldc: ldc)
            }
        }
    }

    /// The same product as one direct `cblas_sgemm` with OpenBLAS threading it over `threads`
    /// threads itself: what calling the library directly gives, for benchmarks to compare with.
    public static func directSgemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        _ = libraryPinned
        openblas_set_num_threads(Int32(runThreads))
        defer { openblas_set_num_threads(1) }
        singleThreadedGEMM(
            transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b,
            ldb: ldb, beta: beta, c: c, ldc: ldc)
    }

    /// Multiply-adds of every `sgemm` since the process started (benchmarks read it to report
    /// GFLOP/s; products inside our C kernels are not counted).
    public static let multiplyAdds = Atomic<Int>(0)

    /// Products smaller than this many multiply-adds run on one thread (a hand-off to another
    /// thread costs tens of microseconds).
    public static let parallelMultiplyAdds = 1 << 23
    /// Batches of small products reading and writing at least this many floats in all (4 MiB)
    /// are shared out across threads however little arithmetic they do.
    public static let parallelFloats = 1 << 20
    /// Blocks of a split product are multiples of this many rows or columns (the kernels'
    /// register tiles).
    static let splitAlignment = 16

    /// One `cblas_sgemm` call, threaded as OpenBLAS is set (one thread, except in `directSgemm`).
    @inline(__always)
    private static func singleThreadedGEMM(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
            blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c,
            blasint(ldc))
    }

    /// The test oracle for `sgemm`: the same product as plain loops accumulated in `Double`.
    public static func naiveGEMM(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, a: [Float], b: [Float]
    ) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for p in 0..<k {
                    let av = transA ? a[p * m + i] : a[i * k + p]
                    let bv = transB ? b[j * k + p] : b[p * n + j]
                    s += Double(av) * Double(bv)
                }
                c[i * n + j] = s
            }
        }
        return c
    }

    /// The run's threads: matrix products split across them (`sgemm`), and so do the loops
    /// of `Parallel`. Starts at what OpenBLAS was loaded with (`OPENBLAS_NUM_THREADS`, else
    /// the cores).
    ///
    /// OpenBLAS itself always runs one thread per call. Its pthreads build keeps idle workers
    /// spinning in `sched_yield` between calls; with our own loops running between products,
    /// on two cores the spinning worker took a third of MulT's CPU samples. Splitting products
    /// ourselves, onto the same threads as the rest, leaves OpenBLAS's workers asleep.
    ///
    /// A thread running a chunk of `Parallel.forEachChunk`, or inside `withThreads`, sees its
    /// own limit instead; the setter changes the run's count for every thread.
    public static var threads: Int {
        get {
            let limit = Int(cplatform_thread_limit())
            return limit > 0 ? limit : runThreads
        }
        set {
            precondition(newValue >= 1, "threads must be at least 1, not \(newValue)")
            _ = libraryPinned
            runThreads = newValue
        }
    }

    nonisolated(unsafe) private static var runThreads = Int(openblas_get_num_threads())

    /// Runs `body` with `threads` seen as `count` on this thread only (and so by the parallel
    /// loops and products it starts), leaving other threads' count alone.
    public static func withThreads<T>(_ count: Int, _ body: () throws -> T) rethrows -> T {
        precondition(count >= 1, "threads must be at least 1, not \(count)")
        _ = libraryPinned
        let saved = cplatform_thread_limit()
        cplatform_set_thread_limit(Int32(count))
        defer { cplatform_set_thread_limit(saved) }
        return try body()
    }

    /// OpenBLAS set to one thread, once, after `runThreads` took its starting value from it.
    private static let libraryPinned: Bool = {
        _ = runThreads
        openblas_set_num_threads(1)
        return true
    }()

    /// The kernel set OpenBLAS chose at load time, e.g. `Haswell`, `SkylakeX`, `Prescott`.
    public static var coreName: String { String(cString: openblas_get_corename()) }

    /// OpenBLAS's build description, e.g. `OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Zen ...`.
    public static var config: String {
        String(cString: openblas_get_config()).trimmingCharacters(in: .whitespaces)
    }

    /// The version number out of `config`, e.g. `0.3.21`.
    public static var version: String {
        let words = config.split(separator: " ")
        if let i = words.firstIndex(of: "OpenBLAS"), i + 1 < words.count {
            return String(words[i + 1])
        }
        return "unknown"
    }
}
