import Autograd
import Foundation
import Testing

/// `MultiplyAdds.counting`: the work one caller starts, counted by hand, whatever other threads
/// do meanwhile, including the GEMMs its parallel loops run on the pool's workers.
@Suite struct MultiplyAddsTests {
    @Test func aCountIsTheCallersWorkOnly() async throws {
        let a = Tensor((0..<20).map(Float.init), shape: [4, 5])
        let b = Tensor((0..<30).map(Float.init), shape: [5, 6])
        // Another thread multiplying all along.
        let noise = Task.detached {
            let x = Tensor.ones([64, 64])
            for _ in 0..<200 { _ = Tensor.matmul(x, x) }
        }
        for _ in 0..<50 {
            let (_, count) = MultiplyAdds.counting { Tensor.matmul(a, b) }
            #expect(count == 4 * 6 * 5)
        }
        await noise.value
    }

    /// A product run in chunks on two threads (a loop of the pool) counts on the caller.
    @Test func workersCountForTheirCaller() {
        let (_, count) = MultiplyAdds.counting {
            BLAS.withThreads(2) {
                Parallel.forEachChunk(of: 2) { _ in
                    let x = Tensor.ones([8, 3])
                    _ = Tensor.matmul(x, x, transposeB: true)  // 8 x 8 x 3
                }
            }
        }
        #expect(count == 2 * 8 * 8 * 3)
    }
}
