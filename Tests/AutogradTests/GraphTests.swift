import Autograd
import TestSupport
import Testing

@Suite struct GraphTests {
    @Test func gradientsAccumulateOverReuse() {
        let x = Tensor([2, -3], shape: [2], requiresGrad: true)
        // y = Σ (x·x + 3x) → dy/dx = 2x + 3
        let y = (x * x + x * 3).sum()
        y.backward()
        #expect(x.grad?.scalars == [7, -3])
        // A second backward adds to the leaf's gradient, as in PyTorch.
        (x * 2).sum().backward()
        #expect(x.grad?.scalars == [9, -1])
    }

    @Test func detachAndNoGradStopGradients() {
        let x = Tensor([1, 2], shape: [2], requiresGrad: true)
        let y = (x * x.detached()).sum()
        y.backward()
        #expect(x.grad?.scalars == [1, 2])
        let z = noGrad { x * 3 }
        #expect(!z.requiresGrad)
    }

    @Test func constantsGetNoGradient() {
        let x = Tensor([1, 2], shape: [2], requiresGrad: true)
        let c = Tensor([5, 5], shape: [2])
        (x * c).sum().backward()
        #expect(c.grad == nil)
        #expect(x.grad?.scalars == [5, 5])
    }

    @Test func backwardReleasesTheGraph() {
        let x = Tensor([1, 2, 3], shape: [3], requiresGrad: true)
        weak var intermediate: Tensor?
        var loss: Tensor?
        do {
            let h = (x * 2).tanh()
            intermediate = h
            loss = h.sum()
        }
        #expect(intermediate != nil, "the graph holds the intermediate before backward")
        loss?.backward()
        #expect(intermediate == nil, "backward released the intermediate")
        #expect(x.grad != nil)
    }

    @Test func deepGraphsDoNotOverflowTheStack() {
        // 20,000 sequential ops, as an unrolled LSTM over a long clip makes.
        let x = Tensor([0.5], shape: [1], requiresGrad: true)
        var h = x
        for _ in 0..<20_000 { h = h * 1.0001 }
        h.sum().backward()
        expectClose(x.grad!.scalars, [Double(Float(1.0001)).pow(20_000)], rtol: 1e-3)
        var g = x
        for _ in 0..<20_000 { g = g + 1 }
        g.releaseGraph()
    }

    @Test func sameSeedSameBits() {
        func run(seed: UInt64) -> [Float] {
            let generator = Generator(seed: seed)
            let w = Tensor.normal([4, 3], std: 0.5, generator: generator, requiresGrad: true)
            let b = Tensor.uniform(
                [3], low: -0.1, high: 0.1, generator: generator, requiresGrad: true)
            let x = Tensor.normal([8, 4], generator: generator)
            var losses: [Float] = []
            for _ in 0..<5 {
                let h = (x.matmul(w) + b).dropout(0.5, training: true, generator: generator)
                let loss = Tensor.crossEntropy(logits: h, targets: [0, 1, 2, 0, 1, 2, 0, 1])
                losses.append(loss.item)
                loss.backward()
                noGrad {
                    for p in [w, b] {
                        let step = p.grad! * 0.1
                        p.withUnsafeMutableBufferPointer { v in
                            step.withUnsafeBufferPointer { s in for i in v.indices { v[i] -= s[i] }
                            }
                        }
                        p.grad = nil
                    }
                }
            }
            return losses + w.scalars + b.scalars
        }
        #expect(run(seed: 42) == run(seed: 42))
        #expect(run(seed: 42) != run(seed: 43))
    }
}

extension Double {
    func pow(_ n: Int) -> Double { (0..<n).reduce(1.0) { r, _ in r * self } }
}
