import Autograd

/// Selects OpenBLAS's fast kernels (which may restart the process) before anything else runs,
/// then hands the command line to the argument parser.
@main
enum Entry {
    static func main() async {
        BLASCoreSelection.ensureFastKernels()
        await Baselines.main()
    }
}
