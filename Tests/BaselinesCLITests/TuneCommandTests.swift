import Foundation
import Testing

/// `baselines tune` end to end on the tiny synthetic IndoMER: the final phase refuses to choose
/// before every trial is recorded, trials run in two shards, and the final phase trains the
/// default and tuned runs and writes the tuning table.
@Suite struct TuneCommandTests {
    @Test func phasesAndShards() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tune-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let space =
            #"{"ef-lstm": {"hidden": {"choice": [4, 8]}, "#
            + #""training.learningRate": {"logUniform": [0.001, 0.01]}}}"#
        try space.write(
            to: dir.appendingPathComponent("space.json"), atomically: true, encoding: .utf8)
        try #"""
        {"models": ["majority", "ef-lstm"], "tasks": ["sentiment"], "modalities": ["TAV"], \#
        "seeds": [1, 2], "threads": 1,
         "training": {"epochs": 2, "patience": 2, "batchSize": 16}, \#
        "perModel": {"ef-lstm": {"hyperparameters": {"layers": 1}}},
         "tuning": {"trials": 3, "seed": 9, "space": "space.json"}}
        """#.write(to: dir.appendingPathComponent("tune.json"), atomically: true, encoding: .utf8)
        func tune(_ extra: [String]) throws -> ExecutableRunner.Output {
            try ExecutableRunner.run(
                [
                    "tune", "--spec", dir.appendingPathComponent("tune.json").path,
                    "--synthetic-size", "tiny",
                    "--cache", dir.appendingPathComponent("tiny.h5").path,
                    "--trials-log", dir.appendingPathComponent("trials.jsonl").path,
                    "--results", dir.appendingPathComponent("runs.jsonl").path,
                    "--reports", dir.appendingPathComponent("out").path,
                ] + extra)
        }
        let early = try tune(["--phase", "final"])
        #expect(early.status != 0 && early.stderr.contains("not recorded yet"), "\(early.stderr)")
        for shard in ["1/2", "2/2"] {
            let out = try tune(["--phase", "trials", "--shard", shard])
            #expect(out.status == 0, "\(out.stderr)")
        }
        let trials = try String(
            contentsOf: dir.appendingPathComponent("trials.jsonl"), encoding: .utf8
        ).split(separator: "\n")
        #expect(trials.count == 3)
        let final = try tune(["--phase", "final"])
        #expect(final.status == 0, "\(final.stderr)")
        #expect(final.stderr.contains("chosen"), "\(final.stderr)")
        let runs = try String(contentsOf: dir.appendingPathComponent("runs.jsonl"), encoding: .utf8)
            .split(separator: "\n")
        #expect(runs.count == 2 + 2 + 2, "majority, ef-lstm default and tuned, two seeds each")
        let table = try String(
            contentsOf: dir.appendingPathComponent("out/table_main_sentiment.tex"), encoding: .utf8)
        #expect(
            table.contains("EF-LSTM (tuned)")
                && FileManager.default.fileExists(
                    atPath: dir.appendingPathComponent("out/table_tuning.tex").path)
        )
    }

    /// A trial killed with SIGKILL in the middle of an epoch resumes from its checkpoint like a
    /// run and records exactly what the uninterrupted trial records.
    @Test func killedTrialResumes() throws {
        let dirs = ["whole", "killed"].map {
            FileManager.default.temporaryDirectory.appendingPathComponent(
                "tune-\($0)-\(UUID().uuidString)")
        }
        defer { for dir in dirs { try? FileManager.default.removeItem(at: dir) } }
        func arguments(_ dir: URL) -> [String] {
            [
                "tune", "--spec", dir.appendingPathComponent("tune.json").path, "--phase", "trials",
                "--synthetic-size", "tiny",
                "--cache", dir.appendingPathComponent("tiny.h5").path, "--trials-log",
                dir.appendingPathComponent("trials.jsonl").path,
                "--results", dir.appendingPathComponent("runs.jsonl").path, "--reports",
                dir.appendingPathComponent("out").path,
            ]
        }
        for dir in dirs {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let space =
                #"{"ef-lstm": {"hidden": {"choice": [24]}, "#
                + #""training.learningRate": {"choice": [0.003]}}}"#
            try space.write(
                to: dir.appendingPathComponent("space.json"), atomically: true, encoding: .utf8)
            let spec =
                #"{"models": ["ef-lstm"], "tasks": ["emotion"], "modalities": ["TAV"], "#
                + #""seeds": [3], "threads": 1, "#
                + #""training": {"epochs": 40, "patience": 40, "batchSize": 8}, "#
                + #""perModel": {"ef-lstm": {"hyperparameters": {"layers": 2}}}, "#
                + #""tuning": {"trials": 1, "seed": 1, "space": "space.json"}}"#
            try spec.write(
                to: dir.appendingPathComponent("tune.json"), atomically: true, encoding: .utf8)
        }
        let whole = try ExecutableRunner.run(arguments(dirs[0]) + ["--quiet"])
        #expect(whole.status == 0, "\(whole.stderr)")
        try ExecutableRunner.killAfterFirstCheckpoint(
            arguments(dirs[1]) + ["--quiet"],
            checkpoints: dirs[1].appendingPathComponent("trials.jsonl.checkpoints"))
        #expect(
            !FileManager.default.fileExists(
                atPath: dirs[1].appendingPathComponent("trials.jsonl").path),
            "killed before the trial was recorded")
        let resumed = try ExecutableRunner.run(arguments(dirs[1]))
        #expect(
            resumed.status == 0
                && (resumed.stdout + resumed.stderr).contains("resumed after epoch"),
            "\(resumed.stderr)")
        let records = try dirs.map { dir -> [String: Any] in
            let text = try String(
                contentsOf: dir.appendingPathComponent("trials.jsonl"), encoding: .utf8)
            return try #require(
                try JSONSerialization.jsonObject(with: Data(text.split(separator: "\n")[0].utf8))
                    as? [String: Any])
        }
        #expect((records[1]["resumedAfterEpoch"] as? Int ?? 0) >= 1)
        for key in ["tuning", "curve", "bestEpoch", "runID"] {
            let encoded = try records.map {
                try JSONSerialization.data(
                    withJSONObject: ["v": $0[key] as Any], options: [.sortedKeys])
            }
            #expect(
                records[0][key] != nil && encoded[0] == encoded[1],
                "\(key) differs after the trial resumed")
        }
    }
}
