/// Vectorised `exp`, logistic and `tanh` on eight floats at a time, and loops that apply
/// them (or any SIMD function) over buffers.
///
/// libm's `expf`/`tanhf` are scalar calls: they were a fifth of MulT's training step (softmax)
/// and most of an LSTM cell's time. These are the Cephes single-precision approximations
/// (max relative error about 2 ulp for `exp`; `tanh` keeps full relative accuracy near 0 with
/// its odd polynomial), written with Swift's SIMD types so that the optimiser emits vector
/// instructions on any x86-64 or ARM CPU without target flags.
///
/// Edge cases: `exp` of NaN is NaN, of x > 88.72 is +inf, of x < -87.33 is 0 (no
/// subnormal results); `sigmoid` and `tanh` saturate to exactly 0/1 and ±1.
///
/// ### References
/// - S. L. Moshier, Cephes Math Library, `expf.c` and `tanhf.c` (https://www.netlib.org/cephes/).
public enum VectorMath {
    public typealias Vector = SIMD8<Float>

    @inline(__always)
    public static func exp(_ x: Vector) -> Vector {
        // (Comparisons and `replacing` compile to vector instructions; the generic
        // `clamped`/`pointwiseMin` were out-of-line calls.)
        var clamped = x.replacing(with: -87.33654, where: x .< -87.33654)
        clamped.replace(with: 88.72283, where: clamped .> 88.72283)
        // n = round(x / ln 2) by adding 1.5·2²³ (the sum's last mantissa bits then hold n);
        // r = x − n·ln 2 in two parts so that r stays exact.
        let shifter = Vector(repeating: 12_582_912)
        let k = clamped * 1.442_695_04 + shifter
        let n = k - shifter
        let r = clamped - n * 0.693_359_375 - n * -2.121_944_40e-4
        var p = Vector(repeating: 1.987_569_150_0e-4)
        p = p * r + 1.398_199_950_7e-3
        p = p * r + 8.333_451_907_3e-3
        p = p * r + 4.166_579_589_4e-2
        p = p * r + 1.666_666_545_9e-1
        p = p * r + 5.000_000_120_1e-1
        p = p * (r * r) + r + 1
        // 2ⁿ as 2^⌊n/2⌋ · 2^(n−⌊n/2⌋) from exponent bits: n runs over −126 ... 128
        // after clamping, and each half stays a normal float.
        let n32 = unsafeBitCast(k, to: SIMD8<Int32>.self) &- 0x4B40_0000
        let half = n32 &>> 1
        let scale1 = unsafeBitCast((half &+ 127) &<< 23, to: Vector.self)
        let scale2 = unsafeBitCast((n32 &- half &+ 127) &<< 23, to: Vector.self)
        var result = p * scale1 * scale2
        result.replace(with: 0, where: x .< -87.33654)
        result.replace(with: .infinity, where: x .> 88.72283)
        result.replace(with: x, where: x .!= x)
        return result
    }

    /// `1 / (1 + e^−x)`.
    @inline(__always)
    public static func sigmoid(_ x: Vector) -> Vector { 1 / (1 + exp(-x)) }

    @inline(__always)
    public static func tanh(_ x: Vector) -> Vector {
        let magnitude = x.replacing(with: -x, where: x .< 0)
        // |x| ≥ 0.625: 1 − 2 / (e^{2|x|} + 1), with the sign put back.
        let large = 1 - 2 / (exp(2 * magnitude) + 1)
        let signedLarge = large.replacing(with: -large, where: x .< 0)
        // |x| < 0.625: x + x³·P(x²).
        let z = x * x
        var p = Vector(repeating: -5.704_988_727_45e-3)
        p = p * z + 2.063_908_879_54e-2
        p = p * z - 5.373_971_555_31e-2
        p = p * z + 1.333_144_220_36e-1
        p = p * z - 3.333_328_194_22e-1
        let small = p * z * x + x
        return small.replacing(with: signedLarge, where: magnitude .>= 0.625)
    }

    /// Scalar versions (through one vector lane), for loops' tails and single values.
    @inline(__always) public static func exp(_ x: Float) -> Float { exp(Vector(repeating: x))[0] }
    @inline(__always) public static func sigmoid(_ x: Float) -> Float {
        sigmoid(Vector(repeating: x))[0]
    }
    @inline(__always) public static func tanh(_ x: Float) -> Float { tanh(Vector(repeating: x))[0] }

    @inline(__always)
    public static func load(_ p: UnsafePointer<Float>) -> Vector {
        UnsafeRawPointer(p).loadUnaligned(as: Vector.self)
    }

    @inline(__always)
    public static func store(_ v: Vector, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vector.self)
    }

    /// `dst[i] = f(src[i])` for `i < count`, eight at a time (`src` and `dst` may be equal).
    /// The tail goes through a zero-padded vector.
    @inline(__always)
    public static func map(
        _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, count: Int,
        _ f: (Vector) -> Vector
    ) {
        var i = 0
        while i + 8 <= count {
            store(f(load(src + i)), dst + i)
            i += 8
        }
        if i < count {
            var tail = Vector()
            for j in 0..<(count - i) { tail[j] = src[i + j] }
            let y = f(tail)
            for j in 0..<(count - i) { dst[i + j] = y[j] }
        }
    }
}
