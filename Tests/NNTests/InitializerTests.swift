import Autograd
import Foundation
import HDF5
import NN
import TestSupport
import Testing
import Vocabulary

@Suite struct InitializerTests {
    @Test func linearDefaultBoundsAndXavierBounds() {
        let g = Generator(seed: 1)
        let w = Linear(100, 50, generator: g).weight.scalars
        #expect(w.allSatisfy { Swift.abs($0) <= 0.1 })
        #expect(w.map { Swift.abs($0) }.max()! > 0.09, "uses the whole range")
        let x = Init.xavierUniform([30, 20], generator: g).scalars
        let bound = Float((6.0 / 50).squareRoot())
        #expect(x.allSatisfy { Swift.abs($0) <= bound })
        // Variance of U(−a, a) is a²/3.
        let variance = x.map { Double($0 * $0) }.reduce(0, +) / Double(x.count)
        #expect(Swift.abs(variance - Double(bound * bound) / 3) < 0.2 * Double(bound * bound) / 3)
    }

    @Test(arguments: [[6, 4], [4, 6], [5, 5], [4, 2, 3]])
    func orthogonalHasOrthonormalRowsOrColumns(_ shape: [Int]) {
        let q = Init.orthogonal(shape, gain: 2, generator: Generator(seed: 3))
        let rows = shape[0]
        let cols = shape.dropFirst().reduce(1, *)
        let m = q.reshape([rows, cols])
        // QᵀQ = g²I when tall, QQᵀ = g²I when wide.
        let gram =
            rows >= cols
            ? Tensor.matmul(m, m, transposeA: true) : Tensor.matmul(m, m, transposeB: true)
        let n = Swift.min(rows, cols)
        let identity = (0..<(n * n)).map { $0 / n == $0 % n ? 4.0 : 0.0 }
        expectClose(
            gram.scalars, identity, rtol: 1e-5, atol: 1e-5, "Gram matrix of orthogonal \(shape)")
    }
}
