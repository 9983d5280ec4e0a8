import Datasets
import Experiments
import Foundation
import Testing
import Vocabulary

/// A run that diverges is recorded as failed and the grid goes on; data that cannot be
/// trained is refused before the first run.
@Suite(.serialized) struct ReliabilityTests {
    static let specJSON = """
        {
          "models": ["majority", "lf-dnn"],
          "tasks": ["sentiment"],
          "modalities": ["TAV", "T"],
          "seeds": [1],
          "training": { "epochs": 2, "batchSize": 16 },
          "perModel": { "lf-dnn": { "hyperparameters": { "hidden": { "text": 8, "audio": 4, \
        "video": 8 }, "textOut": 8, "postFusion": 8 } } }
        }
        """

    /// The tiny synthetic set with one NaN in a training clip's audio: every run that sees
    /// audio gets a NaN loss in its first epoch; text-only runs are unaffected.
    static var poisoned: IndoMERDataset {
        var d = TinyGrid.dataset
        let clip = d.indices(in: .train)[0]
        d.features[.audio]!.data[d.features[.audio]!.offsets[clip] * d.features[.audio]!.dim] = .nan
        return d
    }

    @Test func aDivergingRunIsRecordedAsFailedAndTheGridGoesOn() throws {
        let dir = try TinyGrid.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = try TinyGrid.spec(Self.specJSON, in: dir)
        let store = RunStore(path: dir.appendingPathComponent("runs.jsonl").path)
        var lines: [String] = []
        var runner = GridRunner(spec: spec, dataset: Self.poisoned, store: store)
        runner.log = { lines.append($0) }
        let records = try runner.run()
        #expect(records.count == 4, "every run is recorded, the failed one too")
        let failed = records.filter(\.failed)
        #expect(failed.map { "\($0.model) \($0.modalities)" } == ["lf-dnn TAV"])
        #expect(
            failed.first?.failure?.epoch == 1
                && failed.first?.failure?.reason.contains("non-finite") == true,
            "\(failed.first?.failure as Any)")
        #expect(failed.first?.metrics == nil)
        #expect(
            records.first { $0.model == .lfDNN && $0.modalities == "T" }?.metrics != nil,
            "the grid went on after the failure")
        #expect(lines.contains { $0.contains("FAILED") })
        // The store reads back (NaN in the curve is written as a string).
        #expect(store.records().count == 4)

        // The report shows it in its own table and never in the means.
        let reports = dir.appendingPathComponent("reports").path
        _ = try ReportBuilder(records: store.records()).write(to: reports)
        let table = try String(contentsOfFile: "\(reports)/table_failed_runs.tex", encoding: .utf8)
        #expect(table.contains("LF-DNN") && table.contains("TAV") && table.contains("non-finite"))
        #expect(table.contains("-{}-retry-failed"), "the flag is not typeset as an en dash")
        let main = try String(contentsOfFile: "\(reports)/tables.md", encoding: .utf8)
        #expect(main.contains("Runs recorded as failed"))

        // A rerun does not retry it; --retry-failed does.
        lines = []
        _ = try runner.run()
        #expect(store.records().count == 4)
        #expect(
            lines.contains {
                $0.contains("1 run(s) recorded as failed") && $0.contains("--retry-failed")
            }, "\(lines)")
        runner.retryFailed = true
        _ = try runner.run()
        #expect(store.records().count == 5, "the failed run was trained again (and failed again)")
    }

    @Test func aTrainingSplitFromOneSourceVideoIsRefusedBeforeTraining() throws {
        let dir = try TinyGrid.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var data = TinyGrid.dataset
        for i in data.indices(in: .train) { data.clips[i].sourceVideo = "clip_1_Vlog" }
        let store = RunStore(path: dir.appendingPathComponent("runs.jsonl").path)
        let runner = GridRunner(
            spec: try TinyGrid.spec(Self.specJSON, in: dir), dataset: data, store: store)
        #expect {
            try runner.run()
        } throws: {
            "\($0)".contains("come from 1 source video(s)") && "\($0)".contains("needs at least 2")
        }
        #expect(store.records().isEmpty, "nothing was trained")
    }
}
