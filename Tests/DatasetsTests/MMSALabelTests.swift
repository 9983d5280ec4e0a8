import Datasets
import Foundation
import Testing
import Vocabulary

/// The label-to-class mapping of MMSA's data sets against MMSA 2.2.1's own metric functions
/// (`Tests/Fixtures/Reference/make_mmsa_label_fixtures.py`: each value classified by MMSA's
/// `MetricsTop`, bin edges, halves and their float32 neighbours included).
@Suite struct MMSALabelTests {
    struct Case: Decodable {
        let task: String
        let score: Double
        let `class`: Int
    }
    struct File: Decodable { let cases: [Case] }

    @Test func everyScoreGetsMMSAsClass() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/mmsa_labels.json")
        let file = try JSONDecoder().decode(File.self, from: Data(contentsOf: url))
        #expect(file.cases.count > 1000)
        var checked: [String: Int] = [:]
        for c in file.cases {
            let task = try #require(ClassificationTask(named: c.task), "\(c.task)")
            let got = MMSALabels.classIndex(ofScore: Float(c.score), task: task)
            #expect(got == c.class, "\(c.task) score \(Float(c.score)): \(String(describing: got))")
            checked[c.task, default: 0] += 1
        }
        #expect(
            Set(checked.keys) == Set((ClassificationTask.sims + ClassificationTask.cmu).map(\.name))
        )
    }

    /// What the metric functions cannot show (they drop such clips before classifying):
    /// a label of exactly 0 has no negative-or-positive class, and NaN has none anywhere.
    @Test func labelsMMSALeavesOut() {
        #expect(MMSALabels.classIndex(ofLabel: 0, task: .cmuNon0) == nil)
        #expect(MMSALabels.classIndex(ofLabel: -0.0, task: .cmuNon0) == nil)
        #expect(MMSALabels.classIndex(ofLabel: 0, task: .cmuHas0) == 1)
        #expect(MMSALabels.classIndex(ofLabel: 0.2, task: .cmuNon0) == 1)
        for task in ClassificationTask.sims + ClassificationTask.cmu {
            #expect(MMSALabels.classIndex(ofLabel: .nan, task: task) == nil)
        }
        #expect(MMSALabels.classIndex(ofLabel: 1, task: .sentiment) == nil)
    }
}
