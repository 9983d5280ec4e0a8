import ArgumentParser
import Autograd
import Foundation

/// `baselines info`: which OpenBLAS, which kernel set and why, what the CPU supports, and a
/// check that matrix products under the active kernels are right.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show the OpenBLAS version, active kernel set, threads and CPU features.")

    @OptionGroup var blas: BLASOptions
    @Flag(help: "One JSON object instead of text.") var json = false
    @Flag(help: "Also check sgemm under the active kernels against a double-precision product.")
    var checkGemm = false

    struct Info: Encodable {
        let openblas: String
        let config: String
        let core: String
        let coreSource: String
        let threads: Int
        let kernels: String
        let avx2: Bool
        let fma: Bool
        let avx512SkylakeX: Bool
        var gemmCheck: GEMMCheck.Result?
    }

    func run() throws {
        blas.apply()
        let cpu = BLASCoreSelection.CPUFeatures.current
        var info = Info(
            openblas: BLAS.version, config: BLAS.config, core: BLAS.coreName,
            coreSource: BLASCoreSelection.provenance, threads: BLAS.threads,
            kernels: InstructionSet.summary, avx2: cpu.avx2,
            fma: cpu.fma, avx512SkylakeX: cpu.avx512SkylakeX)
        if checkGemm { info.gemmCheck = GEMMCheck.run() }
        if json {
            printJSONLine(info)
        } else {
            print(
                "OpenBLAS \(info.openblas): core \(info.core) (\(info.coreSource)), \(info.threads) thread(s)"
            )
            print("config: \(info.config)")
            print("own kernels (Sources/CKernels): \(info.kernels)")
            print(
                "cpu: avx2 \(cpu.avx2), fma \(cpu.fma), avx512 (F CD BW DQ VL) \(cpu.avx512SkylakeX)"
            )
            if let check = info.gemmCheck {
                print(
                    "sgemm check: \(check.cases) cases, worst error \(check.worstRelativeError) of tolerance -> \(check.passed ? "ok" : "FAILED")"
                )
            }
        }
        if let check = info.gemmCheck, !check.passed { throw ExitCode.failure }
    }
}

/// sgemm under whatever kernels are active, against the plain-loop double-precision oracle:
/// all four transpose combinations on odd shapes (which expose edge-handling in kernels).
enum GEMMCheck {
    struct Result: Encodable {
        let cases: Int
        /// The largest |error| / (tolerance) over all elements; below 1 passes.
        let worstRelativeError: Double
        let passed: Bool
    }

    static func run() -> Result {
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
