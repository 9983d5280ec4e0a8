import Autograd
import Datasets
import Experiments
import Foundation
import FusionModels
import Testing
import Vocabulary

/// The robustness evaluation: the conditions, MultiBench's summaries (worked by hand), records
/// that repeat exactly, and training-time modality dropout.
@Suite(.serialized) struct RobustnessTests {
    @Test func standardConditionsPerSubset() {
        let tav = RobustnessCondition.standard(for: Modality.allCases)
        #expect(tav.count == 3 + 3 + 3 * 5 + 3)
        #expect(
            tav.filter { $0.kind == .removed }.map(\.modalities) == [
                "T", "A", "V", "TA", "TV", "AV",
            ])
        let text = RobustnessCondition.standard(for: [.text])
        #expect(
            text.count == 5 + 3 && !text.contains { $0.kind == .removed },
            "a unimodal run loses nothing")
        #expect(
            RobustnessCondition.standard(for: [.text, .audio]).filter { $0.kind == .removed }.count
                == 2)
        #expect(Set(tav.map(\.name)).count == tav.count, "names (and so seeds) are distinct")
        // Seeds come from the name; noise levels of one modality share theirs (the same draws,
        // scaled).
        let noise = tav.filter { $0.kind == .noise }
        #expect(Set(noise.filter { $0.modalities == "A" }.map(\.perturbation.seed)).count == 1)
        #expect(
            Set(noise.map(\.perturbation.seed)).count == 3
                && tav[0].perturbation.seed != tav[1].perturbation.seed)
    }

    /// By hand: area 0.5·(0.6 + 0.5)/2 + 0.5·(0.5 + 0.2)/2 = 0.45; the shifted late-fusion
    /// curve is (0.6, 0.55, 0.4), so the excess sums to 0 − 0.05 − 0.2 = −0.25.
    @Test func multiBenchSummaries() {
        #expect(
            Swift.abs(
                RobustnessSummary.relative(levels: [0, 0.5, 1], scores: [0.6, 0.5, 0.2]) - 0.45)
                < 1e-12)
        let effective = RobustnessSummary.effective(
            scores: [0.6, 0.5, 0.2], lateFusion: [0.5, 0.45, 0.3])
        #expect(Swift.abs(effective + 0.25) < 1e-12)
        #expect(
            RobustnessSummary.effective(scores: [0.5, 0.45, 0.3], lateFusion: [0.5, 0.45, 0.3]) == 0
        )
    }

    static let spec = """
        {
          "models": ["majority", "lf-dnn", "ef-lstm", "mult"],
          "tasks": ["sentiment"],
          "modalities": ["TAV", "A"],
          "seeds": [1],
          "training": { "epochs": 2, "batchSize": 16, "robustness": true },
          "perModel": {
            "lf-dnn": { "hyperparameters": { "hidden": { "text": 8, "audio": 4, "video": 8 }, \
        "textOut": 8, "postFusion": 8 } },
            "ef-lstm": { "hyperparameters": { "hidden": 8, "layers": 1 } },
            "mult": { "hyperparameters": { "dim": 8, "heads": 2, "layers": 1 } }
          }
        }
        """

    /// Every condition is recorded with finite metrics, and a second grid on another store
    /// records exactly the same (the perturbations are seeded); the report writes its tables.
    @Test func recordsRepeatExactlyAndReport() throws {
        let dir = try TinyGrid.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = try TinyGrid.spec(Self.spec, in: dir)
        let first = try TinyGrid.run(spec, in: dir, log: "a")
        let second = try TinyGrid.run(spec, in: dir, log: "b")
        for (a, b) in zip(first, second) where a.model != .majority {
            let conditions = try #require(a.robustness)
            let modalities = a.modalities.members
            #expect(conditions.map(\.condition) == RobustnessCondition.standard(for: modalities))
            #expect(conditions.allSatisfy { $0.metrics.macroF1.isFinite })
            #expect(a.robustness == b.robustness, "\(a.model) \(a.modalities)")
        }
        #expect(
            first.first { $0.model == .majority }?.robustness == nil,
            "references are not evaluated")
        let out = dir.appendingPathComponent("report").path
        let written = try ReportBuilder(records: ReportBuilder.merge([first])).write(to: out)
        let names = written.map { URL(fileURLWithPath: $0).lastPathComponent }
        #expect(
            [
                "table_robustness_sentiment.tex", "table_noise_sentiment.tex",
                "figure_noise_sentiment.tex", "robustness.csv",
            ]
            .allSatisfy(names.contains))
        let csv = try String(contentsOfFile: "\(out)/robustness.csv", encoding: .utf8)
        #expect(csv.contains("lf-dnn,sentiment,TAV,remove A,removed,A,1.0,macro_f1,"))
    }

    /// Modality dropout trains differently from none, repeats exactly, and never drops every
    /// modality of a clip.
    @Test func modalityDropoutIsSeededAndKeepsAModality() throws {
        let g = Generator(seed: 5)
        let all = Modality.allCases
        var counts: [Int] = [0, 0, 0, 0]
        for _ in 0..<2000 {
            counts[Trainer.droppedModalities(all, rates: [0.9, 0.9, 0.9], g).count] += 1
        }
        #expect(counts[3] == 0 && counts[0] > 0 && counts[2] > 0, "\(counts)")
        let dir = try TinyGrid.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var spec = try TinyGrid.spec(in: dir)
        spec.models = [.lfDNN]
        spec.tasks = [.sentiment]
        spec.modalities = [ModalitySubset(all)]
        spec.seeds = [1]
        let plain = try TinyGrid.run(spec, in: dir, log: "p")
        spec.training[.lfDNN]!.modalityDropout = PerModality(text: 0.3, audio: 0.5, video: 0.5)
        let dropped = try TinyGrid.run(spec, in: dir, log: "d")
        let again = try TinyGrid.run(spec, in: dir, log: "e")
        #expect(plain[0].curve.map(\.trainLoss) != dropped[0].curve.map(\.trainLoss))
        #expect(dropped.map(TinyGrid.essence) == again.map(TinyGrid.essence))
        #expect(plain[0].runID != dropped[0].runID, "the rate is part of the run's settings")
    }
}
