/// Which BLAS and kernels ran: what every run record, benchmark line and `baselines info`
/// carries, read from the runtime in one place.
public struct BLASInfo: Codable, Equatable, Sendable {
    /// OpenBLAS's version (`0.3.21`).
    public var openblas: String
    /// The kernel set OpenBLAS runs (`Haswell`, `Zen`).
    public var core: String
    /// Why that kernel set (`detected by OpenBLAS`, `OPENBLAS_CORETYPE=Haswell set by the user`).
    public var coreSource: String
    public var threads: Int
    /// Our own C kernels' variant and why (`avx2 (detected)`); absent in run records written
    /// before they existed.
    public var kernels: String?

    public init(openblas: String, core: String, coreSource: String, threads: Int, kernels: String?)
    {
        self.openblas = openblas
        self.core = core
        self.coreSource = coreSource
        self.threads = threads
        self.kernels = kernels
    }

    /// What runs now.
    public static var current: BLASInfo {
        BLASInfo(
            openblas: BLAS.version, core: BLAS.coreName, coreSource: BLASCoreSelection.provenance,
            threads: BLAS.threads, kernels: InstructionSet.summary)
    }

    /// `OpenBLAS 0.3.21, core Haswell (detected by OpenBLAS), 2 thread(s); own kernels avx2
    /// (detected)`: the line that logs and benchmarks print.
    public var line: String {
        "OpenBLAS \(openblas), core \(core) (\(coreSource)), \(threads) thread(s); own kernels "
            + (kernels ?? "not recorded")
    }
}
