internal import CPlatform
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Makes sure OpenBLAS runs the fastest correct kernel set for this CPU.
///
/// Debian's OpenBLAS 0.3.21 (DYNAMIC_ARCH) does not recognise recent CPU models and falls back
/// to its generic Prescott kernels, about 5x slower than the AVX-512 (SkylakeX) kernels that
/// the same library carries. It reads `OPENBLAS_CORETYPE` once, when it is loaded, which for
/// a program linked against it is before `main`.
///
/// The choice made here: **re-exec** the program with the variable set, rather than `dlopen`
/// the library after setting it. `dlopen` would mean not linking OpenBLAS at all and calling
/// every routine through a function pointer looked up at run time, in every target and test;
/// a re-exec costs one extra process start (milliseconds) at launch, keeps ordinary linking,
/// and hands the child exactly the environment a user would have written by hand.
///
/// Rules, in order:
/// 1. `--blas-core NAME` on the command line: that core, always (an explicit choice).
/// 2. `OPENBLAS_CORETYPE` already set by the user: never overridden.
/// 3. The active core is a generic fallback and the CPU (per `cpuid`, with the OS saving the
///    registers, per `xgetbv`) supports the AVX-512 subsets SkylakeX uses (F, CD, BW, DQ, VL):
///    SkylakeX. With only AVX2 and FMA: Haswell. Otherwise, or when OpenBLAS detected the CPU
///    itself, nothing changes.
public enum BLASCoreSelection {
    /// Set in the child of a re-exec; its value says why the core was chosen.
    public static let markerVariable = "INDOMER_BLAS_CORE_SOURCE"
    public static let coreVariable = "OPENBLAS_CORETYPE"

    /// Kernel sets that OpenBLAS uses when it does not know the CPU, or that predate AVX2.
    public static let genericCores: Set<String> = [
        "Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Atom", "Katmai", "Coppermine",
        "Northwood", "Banias", "Generic", "Unknown",
    ]

    /// What the CPU can run, from `cpuid`.
    public struct CPUFeatures: Sendable, Equatable {
        public var avx2: Bool
        public var fma: Bool
        /// AVX-512 F, CD, BW, DQ and VL together: what OpenBLAS's SkylakeX kernels need.
        public var avx512SkylakeX: Bool

        public init(avx2: Bool, fma: Bool, avx512SkylakeX: Bool) {
            self.avx2 = avx2
            self.fma = fma
            self.avx512SkylakeX = avx512SkylakeX
        }

        public static var current: CPUFeatures {
            let f = cplatform_read_features()
            return CPUFeatures(
                avx2: f.avx2 != 0, fma: f.fma != 0,
                avx512SkylakeX: f.avx512f != 0 && f.avx512cd != 0 && f.avx512bw != 0
                    && f.avx512dq != 0 && f.avx512vl != 0)
        }
    }

    /// The core that rule 3 picks for a library that chose `activeCore` on a CPU with
    /// `features`, or nil to leave it alone.
    public static func upgrade(from activeCore: String, features: CPUFeatures) -> String? {
        guard genericCores.contains(activeCore) else { return nil }
        if features.avx512SkylakeX { return "SkylakeX" }
        if features.avx2 && features.fma { return "Haswell" }
        return nil
    }

    /// Applies the rules; when a different core is needed, replaces this process with itself
    /// under the right environment (and does not return). Call first thing in `main`.
    public static func ensureFastKernels(arguments: [String] = CommandLine.arguments) {
        let environment = ProcessInfo.processInfo.environment
        guard environment[markerVariable] == nil else { return }  // we are the re-exec'd child
        if let requested = requestedCore(in: arguments) {
            if environment[coreVariable] == requested && BLAS.coreName == requested { return }
            reexec(core: requested, source: "--blas-core", arguments: arguments)
            return
        }
        if environment[coreVariable] != nil { return }
        if let better = upgrade(from: BLAS.coreName, features: .current) {
            reexec(core: better, source: "auto:\(BLAS.coreName)", arguments: arguments)
        }
    }

    /// How the active core came to be, for benchmarks and run records.
    public static var provenance: String {
        let environment = ProcessInfo.processInfo.environment
        if let source = environment[markerVariable] {
            if source.hasPrefix("auto:") {
                return "auto-selected over \(source.dropFirst(5)) from cpuid"
            }
            return "chosen with \(source)"
        }
        if let value = environment[coreVariable] {
            return "OPENBLAS_CORETYPE=\(value) set by the user"
        }
        return "detected by OpenBLAS"
    }

    /// The value of `--blas-core NAME` or `--blas-core=NAME`, if given.
    static func requestedCore(in arguments: [String]) -> String? {
        for (i, argument) in arguments.enumerated() {
            if argument == "--blas-core", i + 1 < arguments.count { return arguments[i + 1] }
            if argument.hasPrefix("--blas-core=") {
                return String(argument.dropFirst("--blas-core=".count))
            }
        }
        return nil
    }

    private static func reexec(core: String, source: String, arguments: [String]) {
        setenv(coreVariable, core, 1)
        setenv(markerVariable, source, 1)
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        argv.append(nil)
        execv("/proc/self/exe", &argv)
        // execv returned: it failed. Carry on with the kernels we have rather than stop.
        unsetenv(coreVariable)
        unsetenv(markerVariable)
        let reason = String(cString: strerror(errno))
        FileHandle.standardError.write(
            "warning: could not restart with OPENBLAS_CORETYPE=\(core) (\(reason));"
                .appending(" continuing with \(BLAS.coreName)\n").data(using: .utf8)!)
    }
}
