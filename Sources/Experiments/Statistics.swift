import Autograd
import Foundation

/// Summary statistics for reports.
public enum Statistics {
    public static func mean(_ x: [Double]) -> Double { x.isEmpty ? .nan : x.reduce(0, +) / Double(x.count) }

    /// Sample standard deviation (n − 1); 0 for a single value.
    public static func sampleStd(_ x: [Double]) -> Double {
        guard x.count > 1 else { return 0 }
        let m = mean(x)
        return (x.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(x.count - 1)).squareRoot()
    }

    /// Bootstrap resamples of `clips` indices, drawn with replacement from a seeded generator.
    /// Using one set for every model makes comparisons paired.
    public static func resamples(clips: Int, count: Int = 1000, seed: UInt64 = 2024) -> [[Int]] {
        let generator = Generator(seed: seed)
        return (0..<count).map { _ in (0..<clips).map { _ in generator.int(below: clips) } }
    }

    /// The central 95% of sorted bootstrap values.
    public static func interval95(_ sorted: [Double]) -> (low: Double, high: Double) {
        guard !sorted.isEmpty else { return (.nan, .nan) }
        let lo = sorted[Int((Double(sorted.count - 1) * 0.025).rounded())]
        let hi = sorted[Int((Double(sorted.count - 1) * 0.975).rounded())]
        return (lo, hi)
    }
}
