internal import CBLAS

/// The package's single door to OpenBLAS: single-precision GEMM, the thread count and what
/// the loaded library says about itself.
public enum BLAS {
    /// `C = alpha * op(A) * op(B) + beta * C` for row-major matrices.
    ///
    /// Row-major terms: `op(A)` is M x K, `op(B)` is K x N, `C` is M x N; `lda`, `ldb`, `ldc`
    /// are the number of *columns* of the matrices as stored (K or M for A depending on
    /// `transA`, N or K for B, N for C).
    @inline(__always)
    public static func sgemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float = 0,
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

    /// The number of threads OpenBLAS uses for each call; a setting of the run.
    public static var threads: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(newValue)) }
    }

    /// The kernel set OpenBLAS chose at load time, e.g. `Haswell`, `SkylakeX`, `Prescott`.
    public static var coreName: String { String(cString: openblas_get_corename()) }

    /// OpenBLAS's build description, e.g. `OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Zen ...`.
    public static var config: String {
        String(cString: openblas_get_config()).trimmingCharacters(in: .whitespaces)
    }

    /// The version number out of `config`, e.g. `0.3.21`.
    public static var version: String {
        let words = config.split(separator: " ")
        if let i = words.firstIndex(of: "OpenBLAS"), i + 1 < words.count { return String(words[i + 1]) }
        return "unknown"
    }
}

import Foundation
