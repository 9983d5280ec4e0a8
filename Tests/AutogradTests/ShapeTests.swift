import Autograd
import TestSupport
import Testing

@Suite struct ShapeTests {
    @Test func reshapeSharesValuesAndInfersOneDimension() {
        let x = Tensor.arange(12)
        let y = x.reshape([3, -1])
        #expect(y.shape == [3, 4])
        #expect(y.scalars == x.scalars)
        let a = randomTensor([2, 6])
        checkGradients([a], "reshape") { $0[0].reshape([3, 4]) * $0[0].reshape([3, 4]) }
        #expect(x.unsqueeze(0).shape == [1, 12])
        #expect(x.unsqueeze(-1).shape == [12, 1])
        #expect(x.unsqueeze(1).squeeze(1).shape == [12])
    }

    @Test func permuteMovesElements() {
        let x = Tensor.arange(24).reshape([2, 3, 4])
        let y = x.permute([2, 0, 1])
        #expect(y.shape == [4, 2, 3])
        // y[k, i, j] = x[i, j, k]
        for i in 0..<2 {
            for j in 0..<3 {
                for k in 0..<4 {
                    #expect(y.scalars[k * 6 + i * 3 + j] == x.scalars[i * 12 + j * 4 + k])
                }
            }
        }
        #expect(x.transpose(0, 2).shape == [4, 3, 2])
        checkGradients([randomTensor([2, 3, 4])], "permute") { $0[0].permute([1, 2, 0]) }
        checkGradients([randomTensor([3, 5])], "transpose") { $0[0].transpose(0, 1) }
    }

    @Test func concatStackSliceSplit() {
        let a = Tensor.arange(6).reshape([2, 3])
        let b = (Tensor.arange(4) + 100).reshape([2, 2])
        let c = Tensor.concat([a, b], axis: 1)
        #expect(c.shape == [2, 5])
        #expect(c.scalars == [0, 1, 2, 100, 101, 3, 4, 5, 102, 103])
        #expect(Tensor.concat([a, a], axis: 0).scalars == a.scalars + a.scalars)
        let s = Tensor.stack([a, a * 2], axis: 1)
        #expect(s.shape == [2, 2, 3])
        #expect(s.scalars == [0, 1, 2, 0, 2, 4, 3, 4, 5, 6, 8, 10])
        #expect(c.slice(axis: 1, 1..<4).scalars == [1, 2, 100, 4, 5, 102])
        let parts = c.split(axis: 1, sizes: [3, 2])
        #expect(parts[0].scalars == a.scalars && parts[1].scalars == b.scalars)

        let x = randomTensor([2, 3], seed: 1)
        let y = randomTensor([2, 4], seed: 2)
        checkGradients([x, y], "concat") { Tensor.concat([$0[0], $0[1], $0[0]], axis: 1) }
        checkGradients([x], "stack") { Tensor.stack([$0[0], $0[0] * 3], axis: 0) }
        checkGradients([randomTensor([3, 5, 2])], "slice") { $0[0].slice(axis: 1, 1..<4) }
        checkGradients([randomTensor([4, 3])], "split") {
            let p = $0[0].split(axis: 0, sizes: [1, 3])
            return p[1] * 2 + p[0]
        }
    }

    @Test func indexSelectRepeatsAndAccumulates() {
        let x = Tensor.arange(8).reshape([4, 2])
        let y = x.indexSelect(rows: [3, 0, 3])
        #expect(y.scalars == [6, 7, 0, 1, 6, 7])
        checkGradients([randomTensor([4, 2])], "indexSelect") {
            $0[0].indexSelect(rows: [3, 0, 3, 1])
        }
        // −1 picks a row of zeros, which passes no gradient back.
        let padded = x.indexSelect(rows: [2, -1, 0])
        #expect(padded.scalars == [4, 5, 0, 0, 0, 1])
        checkGradients([randomTensor([4, 2])], "indexSelect with zero rows") {
            $0[0].indexSelect(rows: [-1, 1, -1, 1])
        }
    }

    @Test func expandRepeatsAndSumsBack() {
        let x = Tensor([1, 2], shape: [2, 1])
        #expect(x.expand(to: [2, 3]).scalars == [1, 1, 1, 2, 2, 2])
        checkGradients([randomTensor([2, 1])], "expand") { $0[0].expand(to: [3, 2, 4]) }
    }
}
