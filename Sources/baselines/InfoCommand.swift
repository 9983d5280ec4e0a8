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

    /// `BLASInfo`'s fields, then the build configuration, CPU features and the check.
    struct Info: Encodable {
        let blas: BLASInfo
        let config: String
        let avx2: Bool
        let fma: Bool
        let avx512SkylakeX: Bool
        var gemmCheck: GEMMCheck.Result?

        enum Keys: String, CodingKey { case config, avx2, fma, avx512SkylakeX, gemmCheck }

        func encode(to encoder: any Encoder) throws {
            try blas.encode(to: encoder)
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(config, forKey: .config)
            try c.encode(avx2, forKey: .avx2)
            try c.encode(fma, forKey: .fma)
            try c.encode(avx512SkylakeX, forKey: .avx512SkylakeX)
            try c.encodeIfPresent(gemmCheck, forKey: .gemmCheck)
        }
    }

    func run() throws {
        blas.apply()
        let cpu = BLASCoreSelection.CPUFeatures.current
        var info = Info(
            blas: .current, config: BLAS.config, avx2: cpu.avx2, fma: cpu.fma,
            avx512SkylakeX: cpu.avx512SkylakeX)
        if checkGemm { info.gemmCheck = GEMMCheck.run() }
        if json {
            printJSONLine(info)
        } else {
            print(info.blas.line)
            print("config: \(info.config)")
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
