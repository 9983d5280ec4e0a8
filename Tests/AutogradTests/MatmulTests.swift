import Autograd
import TestSupport
import Testing

/// Matrix products against the plain-loop double-precision oracle, on all four transpose
/// combinations and odd, non-square shapes (which catch swapped leading dimensions).
@Suite struct MatmulTests {
    static let transposes = [(false, false), (true, false), (false, true), (true, true)]

    @Test(arguments: transposes)
    func twoDimensionalMatchesNaiveProduct(_ tA: Bool, _ tB: Bool) {
        for (m, k, n) in [(1, 1, 1), (3, 5, 7), (17, 13, 11), (64, 33, 65)] {
            let a = randomTensor(tA ? [k, m] : [m, k], seed: 1)
            let b = randomTensor(tB ? [n, k] : [k, n], seed: 2)
            let c = Tensor.matmul(a, b, transposeA: tA, transposeB: tB)
            #expect(c.shape == [m, n])
            let expected = BLAS.naiveGEMM(
                transA: tA, transB: tB, m: m, n: n, k: k, a: a.scalars, b: b.scalars)
            // Float32 products of K terms in [-1, 1]: rounding grows like √K·ε.
            expectClose(
                c.scalars, expected, rtol: 1e-5, atol: 1e-5, "\(m)x\(k)x\(n) tA \(tA) tB \(tB)")
        }
    }

    @Test(arguments: transposes)
    func gradientsForEveryTransposeCombination(_ tA: Bool, _ tB: Bool) {
        let (m, k, n) = (3, 4, 5)
        let a = randomTensor(tA ? [k, m] : [m, k], seed: 3)
        let b = randomTensor(tB ? [n, k] : [k, n], seed: 4)
        checkGradients([a, b], "matmul tA \(tA) tB \(tB)") {
            Tensor.matmul($0[0], $0[1], transposeA: tA, transposeB: tB)
        }
        let a3 = randomTensor(tA ? [2, k, m] : [2, m, k], seed: 5)
        let b3 = randomTensor(tB ? [2, n, k] : [2, k, n], seed: 6)
        checkGradients([a3, b3], "batched tA \(tA) tB \(tB)") {
            Tensor.matmul($0[0], $0[1], transposeA: tA, transposeB: tB)
        }
    }

    @Test func batchedMatchesPerSliceProducts() {
        let a = randomTensor([3, 5, 4], seed: 7)
        let b = randomTensor([3, 4, 6], seed: 8)
        let c = Tensor.matmul(a, b)
        for i in 0..<3 {
            let ai = Array(a.scalars[(i * 20)..<(i * 20 + 20)])
            let bi = Array(b.scalars[(i * 24)..<(i * 24 + 24)])
            let expected = BLAS.naiveGEMM(
                transA: false, transB: false, m: 5, n: 6, k: 4, a: ai, b: bi)
            expectClose(
                Array(c.scalars[(i * 30)..<(i * 30 + 30)]), expected, rtol: 1e-5, atol: 1e-6,
                "batch \(i)")
        }
    }

    /// A product large enough to split across threads, many small ones adding up to enough
    /// arithmetic or memory traffic (one-row products, like sequence means) to share out, and
    /// a batch too small for either: each matches the oracle on two threads; the
    /// shared-out entries (one whole single-threaded call each) also give the same bits as on
    /// one thread. A split product may not: OpenBLAS rounds an element by where the call's
    /// edges fall.
    @Test(arguments: [(1, 256, 200, 192), (16, 64, 96, 96), (32, 1, 200, 673), (3, 100, 40, 30)])
    func productsOnTwoThreads(_ batch: Int, _ m: Int, _ k: Int, _ n: Int) {
        let a = randomTensor(batch == 1 ? [m, k] : [batch, m, k], seed: 13)
        let b = randomTensor(batch == 1 ? [k, n] : [batch, k, n], seed: 14)
        let products = [1, 2].map { threads in
            BLAS.withThreads(threads) { Tensor.matmul(a, b).scalars }
        }
        if batch > 1 { #expect(products[0] == products[1], "\(batch) x \(m)x\(k)x\(n)") }
        for i in 0..<batch {
            let ai = Array(a.scalars[(i * m * k)..<((i + 1) * m * k)])
            let bi = Array(b.scalars[(i * k * n)..<((i + 1) * k * n)])
            let expected = BLAS.naiveGEMM(
                transA: false, transB: false, m: m, n: n, k: k, a: ai, b: bi)
            expectClose(
                Array(products[1][(i * m * n)..<((i + 1) * m * n)]), expected, rtol: 1e-4,
                atol: 1e-4, "entry \(i) of \(batch)")
        }
    }

    @Test func threeByTwoSharesTheWeight() {
        let x = randomTensor([2, 3, 4], seed: 9)
        let w = randomTensor([5, 4], seed: 10)
        let y = Tensor.matmul(x, w, transposeB: true)
        #expect(y.shape == [2, 3, 5])
        let expected = BLAS.naiveGEMM(
            transA: false, transB: true, m: 6, n: 5, k: 4, a: x.scalars, b: w.scalars)
        expectClose(y.scalars, expected, rtol: 1e-5, atol: 1e-6)
        checkGradients([x, w], "3-D by shared 2-D") {
            Tensor.matmul($0[0], $0[1], transposeB: true)
        }
    }

    @Test func outerProductOfBatches() {
        let a = randomTensor([2, 3], seed: 11)
        let b = randomTensor([2, 4], seed: 12)
        let y = Tensor.outer(a, b)
        #expect(y.shape == [2, 3, 4])
        var expected: [Float] = []
        for i in 0..<2 {
            for p in 0..<3 {
                for q in 0..<4 { expected.append(a.scalars[i * 3 + p] * b.scalars[i * 4 + q]) }
            }
        }
        expectClose(y.scalars, expected)
        checkGradients([a, b], "outer") { Tensor.outer($0[0], $0[1]) }
    }
}
