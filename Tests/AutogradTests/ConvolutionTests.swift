import Autograd
import TestSupport
import Testing

@Suite struct ConvolutionTests {
    /// Direct convolution by the definition, in Double.
    func naiveConv1d(
        _ x: Tensor, _ w: Tensor, _ bias: Tensor?, padding: Int, stride: Int
    ) -> [Double] {
        let (b, c, l) = (x.shape[0], x.shape[1], x.shape[2])
        let (o, k) = (w.shape[0], w.shape[2])
        let lOut = (l + 2 * padding - k) / stride + 1
        var out: [Double] = []
        for bi in 0..<b {
            for oi in 0..<o {
                for t in 0..<lOut {
                    var s = Double(bias?.scalars[oi] ?? 0)
                    for ci in 0..<c {
                        for j in 0..<k {
                            let p = t * stride + j - padding
                            if p >= 0 && p < l {
                                s +=
                                    Double(x.scalars[(bi * c + ci) * l + p])
                                    * Double(w.scalars[(oi * c + ci) * k + j])
                            }
                        }
                    }
                    out.append(s)
                }
            }
        }
        return out
    }

    @Test(arguments: [(1, 0, 1), (3, 1, 1), (5, 2, 1), (3, 0, 2), (5, 1, 2)])
    func conv1dMatchesDefinition(_ k: Int, _ padding: Int, _ stride: Int) {
        let x = randomTensor([2, 3, 9], seed: 1)
        let w = randomTensor([4, 3, k], seed: 2)
        let bias = randomTensor([4], seed: 3)
        let y = Tensor.conv1d(x, weight: w, bias: bias, padding: padding, stride: stride)
        let lOut = (9 + 2 * padding - k) / stride + 1
        #expect(y.shape == [2, 4, lOut])
        expectClose(
            y.scalars, naiveConv1d(x, w, bias, padding: padding, stride: stride), rtol: 1e-5,
            atol: 1e-6)
        checkGradients([x, w, bias], "conv1d k\(k) p\(padding) s\(stride)") {
            Tensor.conv1d($0[0], weight: $0[1], bias: $0[2], padding: padding, stride: stride)
        }
        let noBias = Tensor.conv1d(x, weight: w, padding: padding, stride: stride)
        expectClose(
            noBias.scalars, naiveConv1d(x, w, nil, padding: padding, stride: stride), rtol: 1e-5,
            atol: 1e-6)
    }
}
