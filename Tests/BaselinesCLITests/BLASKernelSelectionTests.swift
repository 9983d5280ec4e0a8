import Autograd
import Foundation
import Testing

/// The kernel-selection rules, run through the real executable as a child process (the
/// choice happens before `main` can change anything, so it cannot be tested in-process).
@Suite struct BLASKernelSelectionTests {
    let core = BLASCoreSelection.coreVariable
    let marker = BLASCoreSelection.markerVariable

    /// The core OpenBLAS picks on its own here: the marker stops our selection from acting.
    func naturalCore() throws -> String {
        let output = try ExecutableRunner.run(
            ["info", "--json"], set: [marker: "test"], unset: [core])
        return try #require(ExecutableRunner.json(output)["core"] as? String)
    }

    @Test func unsetVariableGivesTheFastestCorrectCore() throws {
        let natural = try naturalCore()
        // What the rules expect on *this* CPU, from cpuid (not from the model number).
        let expected = BLASCoreSelection.upgrade(from: natural, features: .current) ?? natural
        let output = try ExecutableRunner.run(
            ["info", "--json", "--check-gemm"], unset: [core, marker])
        #expect(output.status == 0, "\(output.stderr)")
        let info = try ExecutableRunner.json(output)
        #expect(info["core"] as? String == expected)
        // Products under the selected kernels agree with the double-precision oracle.
        let check = try #require(info["gemmCheck"] as? [String: Any])
        #expect(check["passed"] as? Bool == true, "\(check)")
    }

    @Test func aValueTheUserSetIsRespected() throws {
        let output = try ExecutableRunner.run(
            ["info", "--json", "--check-gemm"], set: [core: "Prescott"], unset: [marker])
        #expect(output.status == 0, "\(output.stderr)")
        let info = try ExecutableRunner.json(output)
        #expect(info["core"] as? String == "Prescott")
        #expect((info["coreSource"] as? String)?.contains("set by the user") == true)
        #expect((info["gemmCheck"] as? [String: Any])?["passed"] as? Bool == true)
    }

    @Test func blasCoreFlagChoosesExplicitly() throws {
        let output = try ExecutableRunner.run(
            ["info", "--json", "--blas-core", "Prescott"], unset: [core, marker])
        let info = try ExecutableRunner.json(output)
        #expect(info["core"] as? String == "Prescott")
        #expect((info["coreSource"] as? String)?.contains("--blas-core") == true)
    }

    @Test func upgradeRules() {
        let avx512 = BLASCoreSelection.CPUFeatures(avx2: true, fma: true, avx512SkylakeX: true)
        let avx2 = BLASCoreSelection.CPUFeatures(avx2: true, fma: true, avx512SkylakeX: false)
        let old = BLASCoreSelection.CPUFeatures(avx2: false, fma: false, avx512SkylakeX: false)
        #expect(BLASCoreSelection.upgrade(from: "Prescott", features: avx512) == "SkylakeX")
        #expect(BLASCoreSelection.upgrade(from: "Prescott", features: avx2) == "Haswell")
        #expect(BLASCoreSelection.upgrade(from: "Prescott", features: old) == nil)
        // A CPU that OpenBLAS recognised is left alone.
        #expect(BLASCoreSelection.upgrade(from: "Zen", features: avx2) == nil)
        #expect(BLASCoreSelection.upgrade(from: "SkylakeX", features: avx512) == nil)
        #expect(BLASCoreSelection.upgrade(from: "Haswell", features: avx512) == nil)
    }
}
