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
