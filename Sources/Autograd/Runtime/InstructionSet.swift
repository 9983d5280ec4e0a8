internal import CPlatform

#if canImport(Glibc)
    import Glibc
#endif

/// Which compiled variant of our own C kernels (`Sources/CKernels`) runs.
///
/// Swift compiles its SIMD code for baseline x86-64 (SSE) and has no per-function target
/// attributes, so the few loops that dominate a model's time are C bodies compiled twice: for
/// AVX2 + FMA and generic. The fastest one the CPU supports is chosen at start-up, unless
/// `INDOMER_KERNELS=generic` (or `avx2`) says otherwise; `avx2` on a CPU without it is refused
/// (the provenance says so) and generic runs. The two variants can differ in the last bits
/// (fused multiply-add rounds once), so run records and benchmarks name the one that ran.
public enum InstructionSet: String, Sendable, CaseIterable {
    case avx2
    case generic

    public static let environmentVariable = "INDOMER_KERNELS"

    /// The best variant this CPU runs.
    public static var supported: InstructionSet {
        let f = BLASCoreSelection.CPUFeatures.current
        return f.avx2 && f.fma ? .avx2 : .generic
    }

    /// What records and benchmarks print: the variant in use and why, e.g. `avx2 (detected)`.
    public static var summary: String { "\(active.rawValue) (\(provenance))" }

    /// The variant in use: the calling thread's inside `withVariant`, else the run's, set once
    /// at start-up. Ops read it when they are built, on the calling thread.
    public static var active: InstructionSet {
        let choice = Int(cplatform_kernel_choice())
        return choice > 0 ? allCases[choice - 1] : runVariant
    }

    nonisolated(unsafe) private static var runVariant: InstructionSet = initial()

    /// Runs `body` with `variant` as the active one on this thread only, so that tests can
    /// compare the variants while other suites run beside them.
    public static func withVariant<T>(
        _ variant: InstructionSet, _ body: () throws -> T
    ) rethrows -> T {
        let saved = cplatform_kernel_choice()
        cplatform_set_kernel_choice(Int32(allCases.firstIndex(of: variant)! + 1))
        defer { cplatform_set_kernel_choice(saved) }
        return try body()
    }

    /// Why `active` has its start-up value: `detected`, or `INDOMER_KERNELS=...` (and whether
    /// it could be honoured).
    nonisolated(unsafe) public static private(set) var provenance = "detected"

    private static func initial() -> InstructionSet {
        guard let raw = getenv(environmentVariable).map({ String(cString: $0) }), !raw.isEmpty
        else { return supported }
        provenance = "\(environmentVariable)=\(raw)"
        switch InstructionSet(rawValue: raw.lowercased()) {
        case .generic: return .generic
        case .avx2 where supported == .avx2: return .avx2
        default:
            provenance +=
                " not run here (this CPU runs: \(supported == .avx2 ? "avx2, " : "")generic)"
            return supported
        }
    }
}
