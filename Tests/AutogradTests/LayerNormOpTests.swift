import Autograd
import TestSupport
import Testing

@Suite struct LayerNormOpTests {
    /// The same normalisation from primitive ops.
    func composed(_ x: Tensor, _ weight: Tensor, _ bias: Tensor, eps: Float) -> Tensor {
        let centered = x - x.mean(axes: [-1], keepDims: true)
        let variance = (centered * centered).mean(axes: [-1], keepDims: true)
        return centered / (variance + eps).sqrt() * weight + bias
    }

    /// Widths with and without a SIMD tail; 150 rows span several blocks of the parameter sums.
    @Test(arguments: [(rows: 3, width: 5), (rows: 150, width: 13), (rows: 2, width: 16)])
    func fusedLayerNormMatchesComposedOps(_ size: (rows: Int, width: Int)) {
        let x = randomTensor([size.rows, 1, size.width], low: -2, high: 2, seed: 11)
        let weight = randomTensor([size.width], low: 0.5, high: 1.5, seed: 12)
        let bias = randomTensor([size.width], seed: 13)
        let fused = Tensor.layerNorm(x, weight: weight, bias: bias, eps: 1e-5)
        expectClose(
            fused.scalars, composed(x, weight, bias, eps: 1e-5).scalars, rtol: 1e-5, atol: 1e-5,
            "forward \(size)")
        // Gradients against the composed ops (exact) and, on the small case, finite differences.
        for t in [x, weight, bias] { t.requiresGrad = true }
        let upstream = randomTensor(x.shape, seed: 14)
        (Tensor.layerNorm(x, weight: weight, bias: bias, eps: 1e-5) * upstream).sum().backward()
        let fusedGrads = [x, weight, bias].map { $0.grad!.scalars }
        for t in [x, weight, bias] { t.grad = nil }
        (composed(x, weight, bias, eps: 1e-5) * upstream).sum().backward()
        for (t, g) in zip([x, weight, bias], fusedGrads) {
            expectClose(g, t.grad!.scalars, rtol: 1e-4, atol: 1e-5, "gradient \(t.shape) \(size)")
        }
        if size.rows * size.width < 100 {
            checkGradients([x, weight, bias], "layer norm \(size)") {
                Tensor.layerNorm($0[0], weight: $0[1], bias: $0[2], eps: 1e-5)
            }
        }
    }

    @Test func parameterGradientsDoNotDependOnThreads() {
        let x = randomTensor([4096, 64], seed: 21)  // 256K elements: split across threads
        let (weight, bias) = (randomTensor([64], seed: 22), randomTensor([64], seed: 23))
        var results: [[Float]] = []
        for threads in [1, 2] {
            BLAS.withThreads(threads) {
                for t in [weight, bias] {
                    t.requiresGrad = true
                    t.grad = nil
                }
                (Tensor.layerNorm(x, weight: weight, bias: bias, eps: 1e-5) * x).sum().backward()
                results.append(weight.grad!.scalars + bias.grad!.scalars)
            }
        }
        #expect(results[0] == results[1])
    }
}
