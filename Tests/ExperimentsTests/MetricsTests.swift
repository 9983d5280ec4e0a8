import Experiments
import Foundation
import Testing

/// Metrics against scikit-learn (`Tests/Fixtures/Reference/make_metric_fixtures.py`), to 1e-9.
@Suite struct MetricsTests {
    struct Case: Decodable {
        let name: String
        let classes: Int
        let truth: [Int]
        let predictions: [Int]
        let accuracy: Double
        let macro_f1: Double
        let weighted_f1: Double
        let precision: [Double]
        let recall: [Double]
        let f1: [Double]
        let support: [Int]
        let confusion: [[Int]]
    }

    struct File: Decodable { let cases: [Case] }

    @Test func agreeWithScikitLearn() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/metrics.json")
        let file = try JSONDecoder().decode(File.self, from: Data(contentsOf: url))
        #expect(file.cases.count == 4)
        for c in file.cases {
            let m = ClassificationMetrics(truth: c.truth, predictions: c.predictions, classes: c.classes)
            #expect(Swift.abs(m.accuracy - c.accuracy) < 1e-9, "\(c.name) accuracy")
            #expect(Swift.abs(m.macroF1 - c.macro_f1) < 1e-9, "\(c.name) macro-F1 \(m.macroF1) vs \(c.macro_f1)")
            #expect(Swift.abs(m.weightedF1 - c.weighted_f1) < 1e-9, "\(c.name) weighted-F1")
            for k in 0..<c.classes {
                #expect(Swift.abs(m.perClass[k].precision - c.precision[k]) < 1e-9, "\(c.name) precision \(k)")
                #expect(Swift.abs(m.perClass[k].recall - c.recall[k]) < 1e-9, "\(c.name) recall \(k)")
                #expect(Swift.abs(m.perClass[k].f1 - c.f1[k]) < 1e-9, "\(c.name) f1 \(k)")
                #expect(m.perClass[k].support == c.support[k], "\(c.name) support \(k)")
            }
            #expect(m.confusion == c.confusion, "\(c.name) confusion")
        }
    }

    @Test func bootstrapIntervalAndStatistics() {
        #expect(Statistics.sampleStd([1, 2, 3, 4]) == (5.0 / 3).squareRoot())
        #expect(Statistics.sampleStd([7]) == 0)
        let samples = Statistics.resamples(clips: 10, count: 1000, seed: 1)
        #expect(samples.count == 1000 && samples.allSatisfy { $0.count == 10 && $0.allSatisfy { (0..<10).contains($0) } })
        #expect(Statistics.resamples(clips: 10, count: 5, seed: 1) == Array(samples.prefix(5)), "seeded")
        let (lo, hi) = Statistics.interval95((0...1000).map(Double.init))
        #expect(lo == 25 && hi == 975)
    }
}
