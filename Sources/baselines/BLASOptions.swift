import ArgumentParser
import Autograd
import Foundation

/// Options every command that computes shares: BLAS threads and kernel set.
struct BLASOptions: ParsableArguments {
    @Option(help: "Threads for matrix products and parallel loops (default 2, or the grid spec's).")
    var threads: Int?

    @Option(
        name: .customLong("blas-core"),
        help: ArgumentHelp(
            "OpenBLAS kernel set (e.g. SkylakeX, Haswell, Prescott).",
            discussion:
                "Default: what OpenBLAS detects, upgraded from a generic fallback when cpuid shows AVX-512 or AVX2. OPENBLAS_CORETYPE, when set, is respected."
        ))
    var blasCore: String?

    func validate() throws {
        if let threads, threads < 1 {
            throw ValidationError("--threads must be at least 1, not \(threads)")
        }
    }

    /// Applies the thread count and warns when a requested core did not take.
    func apply(defaultThreads: Int = 2) {
        BLAS.threads = threads ?? defaultThreads
        if let blasCore, blasCore.lowercased() != BLAS.coreName.lowercased() {
            printWarning(
                "--blas-core \(blasCore) was not taken by OpenBLAS; running \(BLAS.coreName)")
        }
    }
}
