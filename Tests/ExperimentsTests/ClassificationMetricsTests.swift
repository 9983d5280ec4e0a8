import Autograd
import Experiments
import Foundation
import Testing

/// Metrics against scikit-learn (`Tests/Fixtures/Reference/make_metric_fixtures.py`), to 1e-9.
@Suite struct ClassificationMetricsTests {
    struct Case: Decodable {
        let name: String
        let classes: Int
        let truth: [Int]
        let predictions: [Int]
        let accuracy: Double
        let macroF1: Double
        let weightedF1: Double
        let precision: [Double]
        let recall: [Double]
        let f1: [Double]
        let support: [Int]
        let confusion: [[Int]]
        enum CodingKeys: String, CodingKey {
            case name, classes, truth, predictions, accuracy, precision, recall, f1, support
            case confusion
            case macroF1 = "macro_f1"
            case weightedF1 = "weighted_f1"
        }
    }

    struct File: Decodable { let cases: [Case] }

    @Test func agreeWithScikitLearn() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/metrics.json")
        let file = try JSONDecoder().decode(File.self, from: Data(contentsOf: url))
        #expect(file.cases.count == 4)
        for c in file.cases {
            let m = ClassificationMetrics(
                truth: c.truth, predictions: c.predictions, classes: c.classes)
            #expect(Swift.abs(m.accuracy - c.accuracy) < 1e-9, "\(c.name) accuracy")
            #expect(
                Swift.abs(m.macroF1 - c.macroF1) < 1e-9,
                "\(c.name) macro-F1 \(m.macroF1) vs \(c.macroF1)")
            #expect(Swift.abs(m.weightedF1 - c.weightedF1) < 1e-9, "\(c.name) weighted-F1")
            for k in 0..<c.classes {
                #expect(
                    Swift.abs(m.perClass[k].precision - c.precision[k]) < 1e-9,
                    "\(c.name) precision \(k)")
                #expect(
                    Swift.abs(m.perClass[k].recall - c.recall[k]) < 1e-9, "\(c.name) recall \(k)")
                #expect(Swift.abs(m.perClass[k].f1 - c.f1[k]) < 1e-9, "\(c.name) f1 \(k)")
                #expect(m.perClass[k].support == c.support[k], "\(c.name) support \(k)")
            }
            #expect(m.confusion == c.confusion, "\(c.name) confusion")
        }
    }

    @Test func sampleStandardDeviation() {
        #expect(Statistics.sampleStd([1, 2, 3, 4]) == (5.0 / 3).squareRoot())
        #expect(Statistics.sampleStd([7]) == 0)
    }

    /// scikit-learn's balanced accuracy leaves out a class with no true clip (worked by hand:
    /// recalls 2/3 and 1, the third class absent).
    @Test func balancedAccuracyIsTheMeanRecallOverClassesPresent() {
        let m = ClassificationMetrics(confusion: [[2, 1, 0], [0, 3, 0], [0, 0, 0]])
        #expect(Swift.abs(m.balancedAccuracy - (2.0 / 3 + 1) / 2) < 1e-12)
        #expect(
            m
                == ClassificationMetrics(
                    truth: [0, 0, 0, 1, 1, 1], predictions: [0, 0, 1, 1, 1, 1], classes: 3))
    }

    @Test func bootstrapDrawsPercentilesAndHolm() {
        let draws = Bootstrap.draws(units: 10, resamples: 1000, seed: 1)
        #expect(
            draws.count == 1000
                && draws.allSatisfy { $0.count == 10 && $0.allSatisfy { (0..<10).contains($0) } })
        #expect(
            Bootstrap.draws(units: 10, resamples: 5, seed: 1) == Array(draws.prefix(5)), "seeded")
        #expect(Bootstrap.counts([[0, 2, 2]], units: 3) == [[1, 0, 2]])
        // Lemire's method is also what the standard library's `Int.random(in:using:)` uses.
        let (ours, library) = (Generator(seed: 9), Generator(seed: 9))
        var rng = library
        for n in [1, 2, 3, 34, 356, 1 << 40] {
            #expect(Bootstrap.index(below: n, using: ours) == Int.random(in: 0..<n, using: &rng))
        }
        // Uniform: 30,000 draws below 3 fall within 4 sigma of 10,000 each.
        let generator = Generator(seed: 3)
        var counts = [0, 0, 0]
        for _ in 0..<30_000 { counts[Bootstrap.index(below: 3, using: generator)] += 1 }
        #expect(counts.allSatisfy { Swift.abs(Double($0) - 10_000) < 4 * 81.65 }, "\(counts)")
        // numpy.percentile's linear rule, by hand.
        #expect(Bootstrap.percentile([4, 1, 3, 2], 25) == 1.75)
        #expect(
            Bootstrap.interval95((0...1000).map(Double.init))
                == Bootstrap.ClosedInterval(low: 25, high: 975))
        // Holm, by hand: 0.01·4, 0.03·3, max(0.04·2, 0.09), 0.20·1.
        let adjusted = Bootstrap.holm([0.01, 0.04, 0.03, 0.20])
        for (a, b) in zip(adjusted, [0.04, 0.09, 0.09, 0.20]) { #expect(Swift.abs(a - b) < 1e-12) }
        // Paired: d = (1, 1, 1, -1): one resample at or below 0, so 2·(1 + 1)/(4 + 1).
        #expect(Bootstrap.pairedPValue(best: [1, 1, 1, 1], other: [0, 0, 0, 2]) == 0.8)
        #expect(
            Bootstrap.pairedPValue(best: [1, 2, 3], other: [1, 2, 3]) == 1,
            "a model equal to the best")
    }
}
