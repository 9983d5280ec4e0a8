import Autograd
import TestSupport
import Testing

@Suite struct DropoutTests {
    @Test func dropoutZeroesAndScales() {
        let x = Tensor.ones([10_000])
        let y = x.dropout(0.3, training: true, generator: Generator(seed: 1)).scalars
        let kept = y.filter { $0 != 0 }
        #expect(kept.allSatisfy { Swift.abs($0 - 1 / 0.7) < 1e-6 })
        // 3,000 expected zeros; ±5σ with σ = √(10⁴·0.3·0.7) ≈ 46.
        #expect(Swift.abs(y.count - kept.count - 3000) < 230)
        #expect(x.dropout(0.3, training: false, generator: Generator(seed: 1)).scalars == x.scalars)
    }

    @Test func dropoutGradientUsesTheSameMask() {
        let x = randomTensor([4, 5])
        // The same generator seed in every evaluation gives the same mask, so f is deterministic.
        checkGradients([x], "dropout") {
            $0[0].dropout(0.4, training: true, generator: Generator(seed: 9))
        }
        // The gradient is the mask itself, redrawn from the seed in the backward pass.
        let big = Tensor.ones([1_000_003], requiresGrad: true)  // split across threads, with a tail
        let y = big.dropout(0.25, training: true, generator: Generator(seed: 4))
        y.sum().backward()
        #expect(big.grad!.scalars == y.scalars)
    }

    /// Both kernel variants, one thread or two, draw the same mask; another seed draws another;
    /// and each of p = 0.1, 0.5 drops its share (±5σ).
    @Test func maskDependsOnlyOnTheSeedAndIndex() {
        let x = Tensor.ones([600_001])
        var masks: [[Float]] = []
        for variant in InstructionSet.allCases
        where variant == .generic || InstructionSet.supported == .avx2 {
            for threads in [1, 2] {
                InstructionSet.withVariant(variant) {
                    BLAS.withThreads(threads) {
                        masks.append(
                            x.dropout(0.3, training: true, generator: Generator(seed: 5)).scalars)
                    }
                }
            }
        }
        for other in masks.dropFirst() { #expect(other == masks[0]) }
        #expect(x.dropout(0.3, training: true, generator: Generator(seed: 6)).scalars != masks[0])
        for p: Float in [0.1, 0.5] {
            let dropped = Double(
                x.dropout(p, training: true, generator: Generator(seed: 7)).scalars.filter {
                    $0 == 0
                }.count)
            let (n, q) = (Double(x.count), Double(p))
            #expect(
                Swift.abs(dropped - n * q) < 5 * (n * q * (1 - q)).squareRoot(),
                "p = \(p): dropped \(dropped) of \(n)")
        }
    }
}
