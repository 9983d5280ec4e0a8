import Autograd
import TestSupport
import Testing

@Suite struct ReductionTests {
    @Test func sumAndMeanAlongAxes() {
        let x = Tensor.arange(24).reshape([2, 3, 4])
        #expect(x.sum().item == 276)
        #expect(x.sum(axes: [1]).shape == [2, 4])
        #expect(x.sum(axes: [1]).scalars == [12, 15, 18, 21, 48, 51, 54, 57])
        #expect(x.sum(axes: [0, 2], keepDims: true).shape == [1, 3, 1])
        #expect(x.sum(axes: [0, 2]).scalars == [60, 92, 124])
        #expect(x.mean(axes: [-1]).scalars == [1.5, 5.5, 9.5, 13.5, 17.5, 21.5])
        #expect(x.mean().item == 11.5)
        let r = randomTensor([2, 3, 4])
        checkGradients([r], "sum") { $0[0].sum() }
        checkGradients([r], "sum axes") { $0[0].sum(axes: [0, 2]) }
        checkGradients([r], "sum keep") { $0[0].sum(axes: [1], keepDims: true) }
        checkGradients([r], "mean") { $0[0].mean(axes: [1, 2]) }
    }

    @Test func sumAccumulatesInDouble() {
        // 2^24 + 1 is not representable in Float: a Float accumulator would lose the ones.
        let x = Tensor([16_777_216] + [Float](repeating: 1, count: 64), shape: [65])
        #expect(x.sum().item == 16_777_280)
    }

    @Test func maxAlongAxisAndGradientToTheMaximum() {
        let x = Tensor([1, 5, 3, 7, 2, 0], shape: [2, 3])
        #expect(x.max(axis: 1).scalars == [5, 7])
        #expect(x.max(axis: 0).scalars == [7, 5, 3])
        #expect(x.max(axes: [0, 1]).item == 7)
        // Distinct values, so no tie sits within the finite-difference step.
        let r = Tensor((0..<24).map { Float(($0 * 7) % 24) * 0.1 }, shape: [2, 3, 4])
        checkGradients([r], "max axis 1") { $0[0].max(axis: 1) }
        checkGradients([r], "max axis -1 keep") { $0[0].max(axis: -1, keepDims: true) }
        checkGradients([r], "max axes") { $0[0].max(axes: [0, 2]) }
    }

    @Test func varianceBiasedAndUnbiased() {
        let x = Tensor([1, 2, 3, 4, 10, 20, 30, 40], shape: [2, 4])
        expectClose(x.variance(axes: [1], unbiased: false).scalars, [1.25, 125])
        expectClose(x.variance(axes: [1]).scalars, [1.25 * 4 / 3, 125 * 4 / 3], rtol: 1e-6)
        checkGradients([randomTensor([3, 4])], "variance") { $0[0].variance(axes: [1]) }
        checkGradients([randomTensor([3, 4])], "variance all") {
            $0[0].variance(axes: [0, 1], unbiased: false)
        }
    }
}
