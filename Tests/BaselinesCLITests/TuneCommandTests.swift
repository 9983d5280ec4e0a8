import Foundation
import Testing

/// `baselines tune` end to end on the tiny synthetic IndoMER: the final phase refuses to choose
/// before every trial is recorded, trials run in two shards, and the final phase trains the
/// default and tuned runs and writes the tuning table.
@Suite struct TuneCommandTests {
    @Test func phasesAndShards() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tune-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try #"{"ef-lstm": {"hidden": {"choice": [4, 8]}, "training.learningRate": {"logUniform": [0.001, 0.01]}}}"#
            .write(to: dir.appendingPathComponent("space.json"), atomically: true, encoding: .utf8)
        try #"""
            {"models": ["majority", "ef-lstm"], "tasks": ["sentiment"], "modalities": ["TAV"], "seeds": [1, 2], "threads": 1,
             "training": {"epochs": 2, "patience": 2, "batchSize": 16}, "perModel": {"ef-lstm": {"hyperparameters": {"layers": 1}}},
             "tuning": {"trials": 3, "seed": 9, "space": "space.json"}}
            """#.write(to: dir.appendingPathComponent("tune.json"), atomically: true, encoding: .utf8)
        func tune(_ extra: [String]) throws -> ExecutableRunner.Output {
            try ExecutableRunner.run(
                ["tune", "--spec", dir.appendingPathComponent("tune.json").path, "--synthetic-size", "tiny",
                 "--cache", dir.appendingPathComponent("tiny.h5").path,
                 "--trials-log", dir.appendingPathComponent("trials.jsonl").path,
                 "--results", dir.appendingPathComponent("runs.jsonl").path,
                 "--reports", dir.appendingPathComponent("out").path] + extra)
        }
        let early = try tune(["--phase", "final"])
        #expect(early.status != 0 && early.stderr.contains("not recorded yet"), "\(early.stderr)")
        for shard in ["1/2", "2/2"] {
            let out = try tune(["--phase", "trials", "--shard", shard])
            #expect(out.status == 0, "\(out.stderr)")
        }
        let trials = try String(contentsOf: dir.appendingPathComponent("trials.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(trials.count == 3)
        let final = try tune(["--phase", "final"])
        #expect(final.status == 0, "\(final.stderr)")
        #expect(final.stderr.contains("chosen"), "\(final.stderr)")
        let runs = try String(contentsOf: dir.appendingPathComponent("runs.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(runs.count == 2 + 2 + 2, "majority, ef-lstm default and tuned, two seeds each")
        let table = try String(contentsOf: dir.appendingPathComponent("out/table_main_sentiment.tex"), encoding: .utf8)
        #expect(table.contains("EF-LSTM (tuned)") && FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/table_tuning.tex").path))
    }
}
