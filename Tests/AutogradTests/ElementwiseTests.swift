import Autograd
import Foundation
import TestSupport
import Testing

/// Forward values against Foundation's functions and gradients by finite differences, on
/// shapes that broadcast in every direction.
@Suite struct ElementwiseTests {
    static let broadcastPairs: [([Int], [Int])] = [
        ([2, 3], [2, 3]), ([2, 3], [3]), ([4, 1, 3], [2, 1]), ([1], [2, 3]),
        ([2, 1, 3], [1, 4, 1]),
    ]

    @Test(arguments: broadcastPairs)
    func binaryOperatorsBroadcastAndDifferentiate(_ sa: [Int], _ sb: [Int]) {
        let a = randomTensor(sa, seed: 1)
        // Keep the divisor away from zero.
        let b = randomTensor(sb, low: 0.5, high: 1.5, seed: 2)
        let ops: [(String, (Tensor, Tensor) -> Tensor, (Float, Float) -> Float)] = [
            ("+", { $0 + $1 }, +), ("-", { $0 - $1 }, -), ("*", { $0 * $1 }, *),
            ("/", { $0 / $1 }, /),
        ]
        for (name, op, scalarOp) in ops {
            let y = op(a, b)
            let shape = broadcastShape(sa, sb)
            #expect(y.shape == shape, "\(name) shape")
            let ea = expandNaive(a, to: shape)
            let eb = expandNaive(b, to: shape)
            expectClose(y.scalars, zip(ea, eb).map { scalarOp($0, $1) }, name)
            checkGradients([a, b], "\(name) \(sa) \(sb)") { op($0[0], $0[1]) }
        }
    }

    @Test func scalarOperands() {
        let x = randomTensor([2, 3], low: 0.5, high: 2)
        expectClose((x + 2).scalars, x.scalars.map { $0 + 2 })
        expectClose((3 - x).scalars, x.scalars.map { 3 - $0 })
        expectClose((x * 4).scalars, x.scalars.map { $0 * 4 })
        expectClose((2 / x).scalars, x.scalars.map { 2 / $0 })
        expectClose((-x).scalars, x.scalars.map { -$0 })
        checkGradients([x], "x + s") { $0[0] + 2 }
        checkGradients([x], "s - x") { 3 - $0[0] }
        checkGradients([x], "x * s") { $0[0] * 4 }
        checkGradients([x], "s / x") { 2 / $0[0] }
        checkGradients([x], "x / s") { $0[0] / 4 }
        checkGradients([x], "-x") { -$0[0] }
    }

    static let unary:
        [(String, @Sendable (Tensor) -> Tensor, @Sendable (Float) -> Float, Float, Float)] = [
            ("exp", { $0.exp() }, { Foundation.exp($0) }, -2, 2),
            ("log", { $0.log() }, { Foundation.log($0) }, 0.5, 3),
            ("sqrt", { $0.sqrt() }, { $0.squareRoot() }, 0.5, 3),
            ("pow 3", { $0.pow(3) }, { Foundation.pow($0, 3) }, -2, 2),
            ("pow -0.5", { $0.pow(-0.5) }, { Foundation.pow($0, -0.5) }, 0.5, 2),
            ("abs", { $0.abs() }, { Swift.abs($0) }, -2, 2),
            ("tanh", { $0.tanh() }, { Foundation.tanh($0) }, -2, 2),
            ("sigmoid", { $0.sigmoid() }, { 1 / (1 + Foundation.exp(-$0)) }, -4, 4),
            ("relu", { $0.relu() }, { Swift.max($0, 0) }, -2, 2),
            (
                "clamp", { $0.clamp(min: -0.5, max: 0.7) }, { Swift.min(Swift.max($0, -0.5), 0.7) },
                -2, 2
            ),
        ]

    @Test(arguments: 0..<unary.count)
    func unaryFunctions(_ index: Int) {
        let (name, op, reference, low, high) = Self.unary[index]
        var x = randomTensor([3, 5], low: low, high: high, seed: 3)
        // Keep finite-difference steps off the kinks of abs, relu and clamp.
        x = Tensor(
            x.scalars.map { v in
                [0, -0.5, 0.7].contains { Swift.abs(v - $0) < 0.03 } ? v + 0.06 : v
            }, shape: x.shape)
        expectClose(op(x).scalars, x.scalars.map(reference), rtol: 1e-5, atol: 1e-6, name)
        checkGradients([x], name) { op($0[0]) }
    }

    @Test func sigmoidStaysFiniteForLargeInputs() {
        let y = Tensor([-100, -30, 0, 30, 100], shape: [5]).sigmoid().scalars
        #expect(y.allSatisfy { $0.isFinite })
        expectClose(y, [0, 9.357623e-14, 0.5, 1, 1], rtol: 1e-5, atol: 1e-7)
    }

    @Test func whereAndMaskedFill() {
        let condition = Tensor([1, 0, 1, 0, 0, 1], shape: [2, 3])
        let a = randomTensor([2, 3], seed: 4)
        let b = randomTensor([3], seed: 5)
        let y = Tensor.where(condition, a, b)
        let expected = (0..<6).map {
            condition.scalars[$0] != 0 ? a.scalars[$0] : b.scalars[$0 % 3]
        }
        expectClose(y.scalars, expected)
        checkGradients([a, b], "where") { Tensor.where(condition, $0[0], $0[1]) }

        let filled = a.maskedFill(Tensor([1, 0, 0], shape: [3]), -.infinity)
        #expect(filled.scalars[0] == -.infinity && filled.scalars[3] == -.infinity)
        #expect(filled.scalars[1] == a.scalars[1])
        checkGradients([a], "maskedFill") { $0[0].maskedFill(Tensor([0, 1, 0], shape: [3]), 7) }
    }

    @Test func infiniteUntakenBranchGivesNoNaN() {
        let y = Tensor.where(
            Tensor([1, 0], shape: [2]), Tensor([1, 2], shape: [2]), Tensor.full([2], -.infinity))
        #expect(y.scalars == [1, -.infinity])
    }
}

/// Broadcast shape, written independently of the library's.
func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int] {
    let rank = max(a.count, b.count)
    let pa = [Int](repeating: 1, count: rank - a.count) + a
    let pb = [Int](repeating: 1, count: rank - b.count) + b
    return zip(pa, pb).map { max($0, $1) }
}

/// `t` repeated to `shape` by explicit index arithmetic.
func expandNaive(_ t: Tensor, to shape: [Int]) -> [Float] {
    let padded = [Int](repeating: 1, count: shape.count - t.rank) + t.shape
    let values = t.scalars
    let total = shape.reduce(1, *)
    return (0..<total).map { flat in
        var rest = flat
        var source = 0
        var step = 1
        var index = [Int](repeating: 0, count: shape.count)
        for d in stride(from: shape.count - 1, through: 0, by: -1) {
            index[d] = rest % shape[d]
            rest /= shape[d]
        }
        for d in stride(from: shape.count - 1, through: 0, by: -1) {
            source += (padded[d] == 1 ? 0 : index[d]) * step
            step *= padded[d]
        }
        return values[source]
    }
}
