import Autograd
import Foundation
import Testing

@Suite struct MemoryTests {
    /// 1,000 training steps of a small MLP: after warm-up, resident memory must not grow
    /// (each step's graph is released by backward). 1 MiB of slack absorbs allocator noise;
    /// a leaked graph grows by ~100 KiB per step (≈100 MiB here).
    @Test func trainingStepsDoNotGrowResidentMemory() throws {
        let output = try ExecutableRunner.run(["bench", "memory", "--json", "--steps", "1000"])
        #expect(output.status == 0, "\(output.stderr)")
        let result = try ExecutableRunner.json(output)
        let growth = try #require(result["growth"] as? Int)
        #expect(growth < 1 << 20, "resident memory grew by \(growth) bytes over 1,000 steps")
    }
}
