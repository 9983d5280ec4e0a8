import Foundation
import Testing

/// `baselines run` end to end on the tiny synthetic IndoMER, killed midway and resumed.
@Suite(.serialized) struct RunCommandTests {
    static let spec = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("ExperimentsTests/Fixtures/tiny_grid.json").path

    func arguments(_ dir: URL) -> [String] {
        [
            "run", "--spec", Self.spec, "--synthetic-size", "tiny", "--cache",
            dir.appendingPathComponent("tiny.h5").path,
            "--results", dir.appendingPathComponent("runs.jsonl").path, "--reports",
            dir.appendingPathComponent("out").path,
            "--seeds", "1", "--quiet",
        ]
    }

    func lines(_ dir: URL) -> [String] {
        ((try? String(contentsOf: dir.appendingPathComponent("runs.jsonl"), encoding: .utf8)) ?? "")
            .split(separator: "\n").map(String.init)
    }

    @Test func killedGridResumesToTheSameTables() throws {
        let whole = FileManager.default.temporaryDirectory.appendingPathComponent(
            "whole-\(UUID().uuidString)")
        let killed = FileManager.default.temporaryDirectory.appendingPathComponent(
            "killed-\(UUID().uuidString)")
        defer {
            try? FileManager.default.removeItem(at: whole)
            try? FileManager.default.removeItem(at: killed)
        }
        for dir in [whole, killed] {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        }
        let output = try ExecutableRunner.run(arguments(whole))
        #expect(output.status == 0, "\(output.stderr)")

        // Start the same grid and SIGKILL it once a few runs are recorded.
        let process = Process()
        process.executableURL = ExecutableRunner.executable
        process.arguments = arguments(killed)
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while lines(killed).count < 5 && Date() < deadline && process.isRunning { usleep(20_000) }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let before = lines(killed).count
        #expect(before >= 5 && before < 16, "killed after \(before) of 16 runs")

        let resumed = try ExecutableRunner.run(arguments(killed))
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let ids = lines(killed).compactMap { line -> String? in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["runID"]
                as? String
        }
        #expect(ids.count == 16 && Set(ids).count == 16, "every run once, none duplicated")
        for name in [
            "table_main_sentiment.tex", "table_ablation_emotion.tex", "table_perclass_emotion.tex",
            "results.csv",
        ] {
            let a = try String(
                contentsOf: whole.appendingPathComponent("out/\(name)"), encoding: .utf8)
            let b = try String(
                contentsOf: killed.appendingPathComponent("out/\(name)"), encoding: .utf8)
            #expect(a == b, "\(name) after kill and resume differs from the uninterrupted grid")
        }
    }

    /// One long run killed with SIGKILL in the middle of an epoch: the rerun resumes from the
    /// last epoch's checkpoint (at most one epoch recomputed) and records exactly what the
    /// uninterrupted run records; the checkpoint is gone once the run is recorded.
    @Test func runKilledMidEpochResumesFromItsCheckpoint() throws {
        let spec = """
            {"models": ["ef-lstm"], "tasks": ["emotion"], "modalities": ["TAV"], \
            "seeds": [3], "threads": 1,
             "training": {"epochs": 40, "patience": 40, "batchSize": 8},
             "perModel": {"ef-lstm": {"hyperparameters": {"hidden": 24, "layers": 2, \
            "dropout": 0.2}, "training": {"learningRate": 0.003}}}}
            """
        func arguments(_ dir: URL) -> [String] {
            [
                "run", "--spec", dir.appendingPathComponent("long.json").path, "--synthetic-size",
                "tiny",
                "--cache", dir.appendingPathComponent("tiny.h5").path, "--results",
                dir.appendingPathComponent("runs.jsonl").path,
                "--reports", dir.appendingPathComponent("out").path,
            ]
        }
        let dirs = ["whole", "killed"].map {
            FileManager.default.temporaryDirectory.appendingPathComponent(
                "\($0)-\(UUID().uuidString)")
        }
        defer { for dir in dirs { try? FileManager.default.removeItem(at: dir) } }
        for dir in dirs {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try spec.write(
                to: dir.appendingPathComponent("long.json"), atomically: true, encoding: .utf8)
        }
        let whole = try ExecutableRunner.run(arguments(dirs[0]) + ["--quiet"])
        #expect(whole.status == 0, "\(whole.stderr)")

        let checkpoints = dirs[1].appendingPathComponent("runs.jsonl.checkpoints")
        try ExecutableRunner.killAfterFirstCheckpoint(
            arguments(dirs[1]) + ["--quiet"], checkpoints: checkpoints)
        #expect(lines(dirs[1]).isEmpty, "killed before the run was recorded")
        // As if the kill had come while a checkpoint was being written: its temporary file.
        let saved = try #require(
            try FileManager.default.contentsOfDirectory(atPath: checkpoints.path).first {
                $0.hasSuffix(".h5")
            })
        try Data("partial".utf8).write(
            to: checkpoints.appendingPathComponent("\(saved).99999.partial"))

        let resumed = try ExecutableRunner.run(arguments(dirs[1]))
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let said = resumed.stdout + resumed.stderr
        #expect(said.contains("resumed after epoch"), "\(said)")
        let records = try dirs.map { dir -> [String: Any] in
            try #require(
                lines(dir).first.flatMap {
                    try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
                })
        }
        let epoch = try #require(records[1]["resumedAfterEpoch"] as? Int)
        #expect(epoch >= 1 && epoch < 40 && records[0]["resumedAfterEpoch"] == nil)
        for key in ["predictions", "metrics", "curve", "bestEpoch", "epochs", "runID"] {
            let encoded = try [records[0][key], records[1][key]].map {
                try JSONSerialization.data(withJSONObject: ["v": $0 as Any], options: [.sortedKeys])
            }
            #expect(
                records[0][key] != nil && encoded[0] == encoded[1],
                "\(key) differs after resuming from epoch \(epoch)")
        }
        let left = (try? FileManager.default.contentsOfDirectory(atPath: checkpoints.path)) ?? []
        #expect(
            left.isEmpty,
            "checkpoint (and any temporary file of the killed process) removed: \(left)")
    }

    @Test func anEmptyFolderTrainsAndAFinishedGridSaysSoFirst() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "fresh-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // The tiny grid less --quiet, on two models and one task: 2 x 2 subsets x 1 seed = 4 runs.
        let small =
            arguments(dir).filter { $0 != "--quiet" } + [
                "--models", "majority", "lf-dnn", "--tasks", "sentiment",
            ]
        let first = try ExecutableRunner.run(small)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(
            first.stderr.contains("grid: 4 runs in this shard, all to train"), "\(first.stderr)")
        #expect(!first.stderr.contains("already holds"))
        #expect(lines(dir).count == 4, "a run into an empty folder trains every run")

        let again = try ExecutableRunner.run(small)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(lines(dir).count == 4, "an identical rerun adds nothing")
        // Said before any data is read or any table written: within the first lines.
        let head = again.stderr.split(separator: "\n").prefix(3).joined(separator: "\n")
        #expect(head.contains("runs.jsonl already holds 4 finished run(s)"), "\(again.stderr)")
        #expect(again.stderr.contains("4 already in") && again.stderr.contains("0 to train"))
        #expect(again.stderr.contains("nothing to train") && again.stderr.contains("move"))
    }

    /// `--plan` trains nothing and prints what the runner then does: the same runs (ids) with
    /// the same resolved settings as the records the run writes.
    @Test func planPrintsWhatTheRunnerThenDoes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "plan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let small =
            arguments(dir) + ["--models", "prior", "lf-dnn", "ef-lstm", "--tasks", "emotion"]
        let plan = try ExecutableRunner.run(small + ["--plan", "--json"])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(lines(dir).isEmpty, "--plan trains nothing")
        let planned = plan.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(planned.count == 6, "3 models x 2 subsets x 1 seed: \(plan.stdout)")
        #expect(
            planned.filter { $0["model"] as? String != "prior" }.allSatisfy {
                ($0["estimatedSeconds"] as? Double ?? 0) > 0
            })
        let table = try ExecutableRunner.run(small + ["--plan"])
        #expect(table.stdout.contains("6 runs, 6 to train"), "\(table.stdout)")
        let run = try ExecutableRunner.run(small)
        #expect(run.status == 0, "\(run.stderr)")
        let records = lines(dir).compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(
            Set(records.compactMap { $0["runID"] as? String })
                == Set(planned.compactMap { $0["runID"] as? String }))
        for p in planned {
            let record = try #require(
                records.first { $0["runID"] as? String == p["runID"] as? String })
            let recorded =
                try JSONSerialization.jsonObject(with: Data((record["training"] as! String).utf8))
                as! NSDictionary
            #expect(recorded == (p["training"] as! NSDictionary), "\(p["model"]!) settings")
        }
        let after = try ExecutableRunner.run(small + ["--plan"])
        #expect(
            after.stdout.contains("6 runs, 0 to train")
                && after.stdout.contains("(recorded: skipped)"))
    }

    @Test func badSpecFailsBeforeAnyTraining() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = dir.appendingPathComponent("bad.json").path
        let badSpec =
            #"{"models": ["tfn", "bert"], "tasks": ["sentiment"], "#
            + #""modalities": ["TAV"], "seeds": [1]}"#
        try badSpec.write(toFile: spec, atomically: true, encoding: .utf8)
        let output = try ExecutableRunner.run([
            "run", "--spec", spec, "--synthetic-size", "tiny", "--cache",
            dir.appendingPathComponent("c.h5").path, "--results",
            dir.appendingPathComponent("r.jsonl").path,
        ])
        #expect(output.status != 0)
        #expect(output.stderr.contains("unknown model 'bert'"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("r.jsonl").path))
        let flag = try ExecutableRunner.run(["run", "--modalities", "TQ"])
        #expect(flag.status != 0 && flag.stderr.contains("TQ"))
        let json = try ExecutableRunner.run(["run", "--json"])
        #expect(json.status != 0 && json.stderr.contains("--json goes with --plan"))
    }
}
