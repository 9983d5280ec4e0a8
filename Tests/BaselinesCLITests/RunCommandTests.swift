import Foundation
import Testing

/// `baselines run` end to end on the tiny synthetic IndoMER, killed midway and resumed.
@Suite(.serialized) struct RunCommandTests {
    static let spec = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("ExperimentsTests/Fixtures/tiny_grid.json").path

    func arguments(_ dir: URL) -> [String] {
        ["run", "--spec", Self.spec, "--synthetic-size", "tiny", "--cache", dir.appendingPathComponent("tiny.h5").path,
         "--results", dir.appendingPathComponent("runs.jsonl").path, "--reports", dir.appendingPathComponent("out").path,
         "--seeds", "1", "--quiet"]
    }

    func lines(_ dir: URL) -> [String] {
        ((try? String(contentsOf: dir.appendingPathComponent("runs.jsonl"), encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    @Test func killedGridResumesToTheSameTables() throws {
        let whole = FileManager.default.temporaryDirectory.appendingPathComponent("whole-\(UUID().uuidString)")
        let killed = FileManager.default.temporaryDirectory.appendingPathComponent("killed-\(UUID().uuidString)")
        defer {
            try? FileManager.default.removeItem(at: whole)
            try? FileManager.default.removeItem(at: killed)
        }
        for dir in [whole, killed] { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) }
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
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["runID"] as? String
        }
        #expect(ids.count == 16 && Set(ids).count == 16, "every run once, none duplicated")
        for name in ["table_main_sentiment.tex", "table_ablation_emotion.tex", "table_perclass_emotion.tex", "results.csv"] {
            let a = try String(contentsOf: whole.appendingPathComponent("out/\(name)"), encoding: .utf8)
            let b = try String(contentsOf: killed.appendingPathComponent("out/\(name)"), encoding: .utf8)
            #expect(a == b, "\(name) after kill and resume differs from the uninterrupted grid")
        }
    }

    @Test func anEmptyFolderTrainsAndAFinishedGridSaysSoFirst() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fresh-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // The tiny grid less --quiet, on two models and one task: 2 x 2 subsets x 1 seed = 4 runs.
        let small = arguments(dir).filter { $0 != "--quiet" } + ["--models", "majority", "lf-dnn", "--tasks", "sentiment"]
        let first = try ExecutableRunner.run(small)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("grid: 4 runs in this shard, all to train"), "\(first.stderr)")
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

    @Test func badSpecFailsBeforeAnyTraining() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = dir.appendingPathComponent("bad.json").path
        try #"{"models": ["tfn", "bert"], "tasks": ["sentiment"], "modalities": ["TAV"], "seeds": [1]}"#.write(toFile: spec, atomically: true, encoding: .utf8)
        let output = try ExecutableRunner.run(["run", "--spec", spec, "--synthetic-size", "tiny", "--cache", dir.appendingPathComponent("c.h5").path, "--results", dir.appendingPathComponent("r.jsonl").path])
        #expect(output.status != 0)
        #expect(output.stderr.contains("unknown model 'bert'"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("r.jsonl").path))
        let flag = try ExecutableRunner.run(["run", "--modalities", "TQ"])
        #expect(flag.status != 0 && flag.stderr.contains("TQ"))
    }
}
