import Autograd
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The vectorised `exp`, logistic and `tanh` against libm over the whole useful range.
@Suite struct VectorMathTests {
    /// Every 1009th float from −100 to 100 (about 130,000 values, all exponents, through both
    /// the vector lanes and the scalar tail; debug builds run SIMD code slowly).
    static func samples() -> [Float] {
        var xs: [Float] = []
        var x: Float = -100
        while x < 100 {
            xs.append(x)
            x = Float(bitPattern: x < 0 ? x.bitPattern &- 1009 : x.bitPattern &+ 1009)
            if x == 0 || x.bitPattern == 0x8000_0000 { x = Float.leastNonzeroMagnitude }
        }
        return xs
    }

    static func apply(_ f: (VectorMath.Vector) -> VectorMath.Vector, to xs: [Float]) -> [Float] {
        var ys = [Float](repeating: 0, count: xs.count)
        xs.withUnsafeBufferPointer { src in
            ys.withUnsafeMutableBufferPointer {
                VectorMath.map(src.baseAddress!, $0.baseAddress!, count: xs.count, f)
            }
        }
        return ys
    }

    @Test func expMatchesLibmToTwoUlp() {
        let xs = Self.samples()
        var worst: Float = 0
        for (x, y) in zip(xs, Self.apply(VectorMath.exp, to: xs)) {
            let r = expf(x)
            if r >= Float.leastNormalMagnitude && r.isFinite { worst = max(worst, abs(y - r) / r) }
            if r < Float.leastNormalMagnitude {
                #expect(y <= Float.leastNormalMagnitude, "exp(\(x)) = \(y)")
            }
        }
        #expect(worst <= 2 * Float.ulpOfOne, "largest relative error \(worst)")
    }

    @Test func tanhAndSigmoidMatchLibm() {
        let xs = Self.samples()
        var worstTanh: Float = 0
        var worstSigmoid: Float = 0
        for (x, y) in zip(xs, Self.apply(VectorMath.tanh, to: xs)) where tanhf(x) != 0 {
            worstTanh = max(worstTanh, abs(y - tanhf(x)) / abs(tanhf(x)))
        }
        for (x, y) in zip(xs, Self.apply(VectorMath.sigmoid, to: xs)) {
            let s = 1 / (1 + expf(-x))
            worstSigmoid = max(worstSigmoid, abs(y - s) / max(s, Float.leastNormalMagnitude))
        }
        #expect(worstTanh <= 4 * Float.ulpOfOne, "tanh: largest relative error \(worstTanh)")
        #expect(
            worstSigmoid <= 4 * Float.ulpOfOne, "sigmoid: largest relative error \(worstSigmoid)")
    }

    @Test func edgeCases() {
        #expect(VectorMath.exp(Float.nan).isNaN)
        #expect(VectorMath.exp(Float.infinity) == .infinity)
        #expect(VectorMath.exp(-Float.infinity) == 0)
        #expect(VectorMath.exp(89) == .infinity)
        #expect(VectorMath.exp(88.7).isFinite)
        #expect(VectorMath.exp(0) == 1)
        #expect(VectorMath.tanh(Float.nan).isNaN)
        #expect(VectorMath.tanh(40) == 1 && VectorMath.tanh(-40) == -1)
        #expect(VectorMath.tanh(1e-30) == 1e-30)
        #expect(VectorMath.sigmoid(100) == 1 && VectorMath.sigmoid(-200) < 1e-37)
    }
}
