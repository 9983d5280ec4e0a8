import Autograd

/// Seeded bootstrap resamples, and what the reports compute from them: percentile intervals
/// and paired comparisons with Holm's correction.
///
/// The resampled unit is a source video (a cluster bootstrap: the validation split's clips
/// come from few speakers, and clips of one video are not independent) or, for comparison with
/// other papers, a clip. Every resample is drawn from one seeded generator in a documented way,
/// so a committed numpy script (`Tests/ExperimentsTests/Fixtures/report_reference/`) draws the
/// same indices and checks every interval and p-value.
///
/// ### References
/// - Efron & Tibshirani, *An Introduction to the Bootstrap*, 1993 (percentile interval, §13.3).
/// - Field & Welsh, "Bootstrapping clustered data", JRSS B 69(3), 2007 (resampling clusters).
/// - Holm, "A simple sequentially rejective multiple test procedure", Scand. J. Stat. 6, 1979.
/// - Lemire, "Fast random integer generation in an interval", ACM TOMACS 29(1), 2019.
public enum Bootstrap {
    /// The reports' generator seed and number of resamples.
    public static let seed: UInt64 = 2024
    public static let resamples = 2000

    /// An index in `0..<n`, without modulo bias (Lemire's method): the high 64 bits of
    /// `next() × n`, drawn again while the low 64 bits fall below `2^64 mod n`.
    public static func index(below n: Int, using generator: Generator) -> Int {
        precondition(n > 0, "an index below \(n)")
        let bound = UInt64(n)
        var product = generator.next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold {
                product = generator.next().multipliedFullWidth(by: bound)
            }
        }
        return Int(product.high)
    }

    /// The units each resample draws: `resamples` lists of `units` indices in `0..<units`,
    /// drawn with replacement, in order, from one generator seeded with `seed`.
    public static func draws(units: Int, resamples: Int = resamples, seed: UInt64 = seed) -> [[Int]]
    {
        guard units > 0 else { return [[Int]](repeating: [], count: resamples) }
        let generator = Generator(seed: seed)
        return (0..<resamples).map { _ in
            (0..<units).map { _ in index(below: units, using: generator) }
        }
    }

    /// How often each unit is drawn in each resample (`counts[b][u]`).
    public static func counts(_ draws: [[Int]], units: Int) -> [[Int]] {
        draws.map { draw in
            var count = [Int](repeating: 0, count: units)
            for u in draw { count[u] += 1 }
            return count
        }
    }

    /// The `q`-th percentile (0...100) of `values`, interpolated linearly between the closest
    /// ranks (numpy's default method, with its rounding: from the upper rank when the fraction
    /// is at least one half); NaN for no values.
    public static func percentile(_ values: [Double], _ q: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let position = q / 100 * Double(sorted.count - 1)
        let below = Int(position.rounded(.down))
        let (a, b) = (sorted[below], sorted[Swift.min(below + 1, sorted.count - 1)])
        let fraction = position - Double(below)
        return fraction >= 0.5 ? b - (b - a) * (1 - fraction) : a + (b - a) * fraction
    }

    /// The percentile 95% interval.
    public static func interval95(_ values: [Double]) -> ClosedInterval {
        ClosedInterval(low: percentile(values, 2.5), high: percentile(values, 97.5))
    }

    public struct ClosedInterval: Codable, Equatable, Sendable {
        public var low: Double
        public var high: Double
        public init(low: Double, high: Double) {
            self.low = low
            self.high = high
        }
    }

    /// The two-sided paired bootstrap p-value of "`other` scores as `best` does": with
    /// `d = best − other` on each shared resample, twice the smaller share of resamples on either
    /// side of 0 (each counted with +1 in numerator and denominator, so never 0), at most 1.
    public static func pairedPValue(best: [Double], other: [Double]) -> Double {
        precondition(best.count == other.count, "paired resamples")
        let differences = zip(best, other).map { $0 - $1 }
        let atOrBelow = differences.filter { $0 <= 0 }.count
        let atOrAbove = differences.filter { $0 >= 0 }.count
        let tail = Double(Swift.min(atOrBelow, atOrAbove) + 1) / Double(differences.count + 1)
        return Swift.min(1, 2 * tail)
    }

    /// Holm's step-down adjustment of `p` (in the given order): the k-th smallest p is
    /// multiplied by (m − k + 1), capped at 1, and made monotone over the smaller ones.
    public static func holm(_ p: [Double]) -> [Double] {
        let m = p.count
        let order = p.indices.sorted { (p[$0], $0) < (p[$1], $1) }
        var adjusted = [Double](repeating: 0, count: m)
        var running = 0.0
        for (k, index) in order.enumerated() {
            running = Swift.max(running, Swift.min(1, Double(m - k) * p[index]))
            adjusted[index] = running
        }
        return adjusted
    }
}
