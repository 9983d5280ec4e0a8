/// sgemm under whatever kernels are active, against the plain-loop double-precision oracle:
/// all four transpose combinations on odd shapes (which expose edge-handling in kernels).
public enum GEMMCheck {
    public struct Result: Encodable, Sendable {
        public let cases: Int
        /// The largest |error| / (tolerance) over all elements; below 1 passes.
        public let worstRelativeError: Double
        public let passed: Bool
    }

    public static func run() -> Result {
        let generator = Generator(seed: 2024)
        var worst = 0.0
        var cases = 0
        for (m, k, n) in [(1, 1, 1), (7, 3, 5), (33, 17, 65), (129, 67, 31), (250, 257, 3)] {
            for (tA, tB) in [(false, false), (true, false), (false, true), (true, true)] {
                let a = Tensor.uniform(
                    tA ? [k, m] : [m, k], low: -1, high: 1, generator: generator)
                let b = Tensor.uniform(
                    tB ? [n, k] : [k, n], low: -1, high: 1, generator: generator)
                let c = Tensor.matmul(a, b, transposeA: tA, transposeB: tB).scalars
                let reference = BLAS.naiveGEMM(
                    transA: tA, transB: tB, m: m, n: n, k: k, a: a.scalars, b: b.scalars)
                // Float32 accumulation of K products of magnitude <= 1: error <= K·ε in the worst case.
                let tolerance = Double(k) * Double(Float.ulpOfOne) + 1e-6
                for (x, r) in zip(c, reference) {
                    worst = max(worst, abs(Double(x) - r) / tolerance)
                }
                cases += 1
            }
        }
        return Result(cases: cases, worstRelativeError: worst, passed: worst < 1)
    }
}
