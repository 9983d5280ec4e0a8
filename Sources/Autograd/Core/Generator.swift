/// The package's seeded pseudo-random generator: xoshiro256** seeded through SplitMix64.
///
/// One generator per run draws initial weights, dropout masks and batch order, so the same
/// seed gives the same bits on every machine (the system generator is never used).
///
/// ### References
/// - Blackman & Vigna, "Scrambled linear pseudorandom number generators", 2021
///   (https://prng.di.unimi.it/xoshiro256starstar.c).
public final class Generator: RandomNumberGenerator {
    private var s: (UInt64, UInt64, UInt64, UInt64)
    /// A second normal deviate left over from the last Box–Muller pair.
    private var spareNormal: Double?

    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    public func next() -> UInt64 {
        let result = rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = rotl(s.3, 45)
        return result
    }

    @inline(__always) private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }

    /// Uniform in [0, 1) with 53 random bits.
    public func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Uniform in [0, 1) with 24 random bits, the resolution of a `Float`.
    public func uniformFloat() -> Float { Float(next() >> 40) * 0x1p-24 }

    /// A standard normal deviate (Box–Muller, both values of each pair used).
    public func normal() -> Double {
        if let z = spareNormal {
            spareNormal = nil
            return z
        }
        // 1 - u lies in (0, 1], so the logarithm is finite.
        let r = (-2 * log(1 - uniform())).squareRoot()
        let theta = 2 * Double.pi * uniform()
        spareNormal = r * sin(theta)
        return r * cos(theta)
    }

    /// An integer in `0..<upperBound`, without modulo bias.
    public func int(below upperBound: Int) -> Int {
        var rng = self  // a reference: drawing advances this generator
        return Int.random(in: 0..<upperBound, using: &rng)
    }

    /// Everything the next draws depend on, for checkpoints: restoring it makes the generator
    /// continue exactly where the saved one stood.
    public struct State: Codable, Equatable, Sendable {
        /// xoshiro256**'s four words, as hexadecimal (JSON numbers lose bits above 2⁵³).
        public var words: [String]
        public var spareNormal: Double?

        /// The four words as numbers; nil unless there are exactly four valid ones.
        public var values: [UInt64]? {
            let parsed = words.compactMap { UInt64($0, radix: 16) }
            return parsed.count == 4 && words.count == 4 ? parsed : nil
        }
    }

    public var state: State {
        get {
            State(
                words: [s.0, s.1, s.2, s.3].map { String($0, radix: 16) }, spareNormal: spareNormal)
        }
        set {
            guard let w = newValue.values else {
                preconditionFailure(
                    "generator state needs four 64-bit words, got \(newValue.words)")
            }
            s = (w[0], w[1], w[2], w[3])
            spareNormal = newValue.spareNormal
        }
    }

    /// A seed for a child generator, so that independent streams (one per model, per fold)
    /// follow from one run seed.
    public func split() -> Generator { Generator(seed: next()) }
}

#if canImport(Glibc)
    import Glibc
#endif
