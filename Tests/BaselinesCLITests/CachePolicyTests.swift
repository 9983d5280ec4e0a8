import Foundation
import Testing

/// The feature cache is used only for the data it was built from, is never left half-written,
/// and serves runs on the modalities it holds; flags and duplicate grid entries parse strictly.
@Suite(.serialized) struct CachePolicyTests {
    static func directory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "cache-policy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A tiny grid of the majority reference only (instant), on `modalities`.
    func run(_ dir: URL, cache: String, _ extra: [String] = []) throws -> ExecutableRunner.Output {
        try ExecutableRunner.run(
            [
                "run", "--spec", RunCommandTests.spec, "--synthetic-size", "tiny", "--cache", cache,
                "--models", "majority",
                "--results", dir.appendingPathComponent("runs.jsonl").path, "--reports",
                dir.appendingPathComponent("out").path,
            ] + extra,
            unset: ["INDOMER_DATA"])
    }

    @Test func aCacheFromOtherDataIsRefused() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cache = dir.appendingPathComponent("seed1.h5").path
        let first = try run(dir, cache: cache, ["--synthetic-seed", "1"])
        #expect(first.status == 0, "\(first.stderr)")
        let otherSeed = try run(dir, cache: cache, ["--synthetic-seed", "2"])
        #expect(otherSeed.status != 0)
        #expect(
            otherSeed.stderr.contains("a synthetic IndoMER of other settings"),
            "\(otherSeed.stderr)")
        let release = dir.appendingPathComponent("release")
        try FileManager.default.createDirectory(at: release, withIntermediateDirectories: true)
        let withData = try run(
            dir, cache: cache, ["--synthetic-seed", "1", "--data", release.path])
        #expect(withData.status != 0)
        #expect(
            withData.stderr.contains(
                "holds the SYNTHETIC IndoMER, not the release in \(release.path)"),
            "\(withData.stderr)")
        #expect(
            !withData.stderr.contains("no --data"),
            "no message contradicts the --data that was passed")
    }

    @Test func aPartialCacheIsRebuilt() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cache = dir.appendingPathComponent("tiny.h5").path
        // What an interrupted prepare of an older version left: the first bytes of an HDF5 file.
        _ = FileManager.default.createFile(
            atPath: cache,
            contents: Data([0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0]))
        let output = try run(dir, cache: cache)
        #expect(output.status == 0, "\(output.stderr)")
        #expect(
            output.stderr.contains("is unusable") && output.stderr.contains("rebuilding it"),
            "\(output.stderr)")
        let again = try run(dir, cache: cache)
        #expect(again.stderr.contains("using the feature cache"), "\(again.stderr)")
    }

    @Test func aKilledPrepareLeavesNothingInThePlaceOfTheCache() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cache = dir.appendingPathComponent("full.h5").path
        let process = Process()
        process.executableURL = ExecutableRunner.executable
        process.arguments = ["prepare", "--cache", cache]
        process.environment = ProcessInfo.processInfo.environment.filter {
            $0.key != "INDOMER_DATA"
        }
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // Kill it while the cache is being written (the partial file exists), or after 60 s.
        let deadline = Date().addingTimeInterval(60)
        func partial() -> Bool {
            ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).contains {
                $0.contains(".partial-")
            }
        }
        while !partial() && Date() < deadline && process.isRunning { usleep(5_000) }
        let killedWhileWriting = partial()
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(killedWhileWriting, "the kill landed while the cache was written")
        #expect(
            !FileManager.default.fileExists(atPath: cache),
            "no partial cache where a run would read it")
    }

    @Test func aCacheOfSomeModalitiesServesRunsOnThem() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cache = dir.appendingPathComponent("text.h5").path
        let prepared = try ExecutableRunner.run(
            ["prepare", "--synthetic-size", "tiny", "--cache", cache, "--modalities", "text"],
            unset: ["INDOMER_DATA"])
        #expect(prepared.status == 0, "\(prepared.stderr)")
        let text = try run(dir, cache: cache, ["--modalities", "T"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stderr.contains("using the feature cache"), "\(text.stderr)")
        let withAudio = try run(dir, cache: cache, ["--modalities", "TA"])
        #expect(withAudio.status == 0, "\(withAudio.stderr)")
        #expect(
            withAudio.stderr.contains("has no audio features; rebuilding it with text, audio"),
            "\(withAudio.stderr)")
    }

    @Test func duplicatesInTheGridRunOnceAndShardsParseStrictly() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cache = dir.appendingPathComponent("tiny.h5").path
        let output = try run(
            dir, cache: cache,
            ["--seeds", "1", "1", "1", "--modalities", "TAV", "VAT", "--tasks", "sentiment"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(
            output.stderr.contains("listed more than once, run once: modality subset TAV; seed 1"),
            "\(output.stderr)")
        let lines = try String(
            contentsOf: dir.appendingPathComponent("runs.jsonl"), encoding: .utf8
        ).split(separator: "\n")
        #expect(lines.count == 1)
        for bad in ["1/x/2", "1/", "/2", "0/2", "3/2", "1/2/"] {
            let refused = try run(dir, cache: cache, ["--shard", bad])
            #expect(
                refused.status != 0 && refused.stderr.contains("--shard \(bad)"),
                "\(bad): \(refused.stderr)")
        }
    }
}

/// Results of other data or code are kept, never reused, and reported apart.
@Suite(.serialized) struct ResultGroupTests {
    @Test func otherDataAndOtherCodeAreReportedApartAndNotReused() throws {
        let dir = try CachePolicyTests.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let helper = CachePolicyTests()
        for seed in ["1", "2"] {
            let output = try helper.run(
                dir, cache: dir.appendingPathComponent("s\(seed).h5").path,
                ["--synthetic-seed", seed, "--tasks", "sentiment", "--seeds", "1"])
            #expect(output.status == 0, "\(output.stderr)")
        }
        let log = dir.appendingPathComponent("runs.jsonl")
        let report = try ExecutableRunner.run([
            "report", log.path, "--output", dir.appendingPathComponent("both").path,
        ])
        #expect(report.status == 0, "\(report.stderr)")
        #expect(
            report.stderr.contains("hold 2 groups of different grids, data or code"),
            "\(report.stderr)")
        let folders = try FileManager.default.contentsOfDirectory(
            atPath: dir.appendingPathComponent("both").path
        ).filter { $0.hasPrefix("tiny_grid-synthetic-") }
        #expect(folders.count == 2, "\(folders)")

        // A record of older code is kept but not reused: the run is trained again.
        var text = try String(contentsOf: log, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"codeVersion\":\"", with: "\"codeVersion\":\"old-")
        try text.write(to: log, atomically: true, encoding: .utf8)
        let rerun = try helper.run(
            dir, cache: dir.appendingPathComponent("s1.h5").path,
            ["--synthetic-seed", "1", "--tasks", "sentiment", "--seeds", "1"])
        #expect(
            rerun.stderr.contains("come from other code") && rerun.stderr.contains("all to train"),
            "\(rerun.stderr)")

        // Two grids on one data set: two groups, never one mean.
        let other = dir.appendingPathComponent("other_grid.json")
        try FileManager.default.copyItem(atPath: RunCommandTests.spec, toPath: other.path)
        let second = try ExecutableRunner.run(
            [
                "run", "--spec", other.path, "--synthetic-size", "tiny", "--cache",
                dir.appendingPathComponent("s1.h5").path, "--synthetic-seed", "1",
                "--models", "majority", "--tasks", "sentiment", "--seeds", "1", "--results",
                log.path, "--reports", dir.appendingPathComponent("grids").path,
            ],
            unset: ["INDOMER_DATA"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(
            second.stderr.contains("all to train"),
            "a run of another grid is not shared: \(second.stderr)")
        let grids = try FileManager.default.contentsOfDirectory(
            atPath: dir.appendingPathComponent("grids").path)
        #expect(
            grids.contains { $0.hasPrefix("other_grid-synthetic-") }
                && grids.contains { $0.hasPrefix("tiny_grid-synthetic-") }, "\(grids)")
        #expect(
            second.stderr.contains("for the newest group, other_grid-"),
            "the grid just run is the one at the top: \(second.stderr)")

        let missing = try ExecutableRunner.run([
            "report", dir.appendingPathComponent("none.jsonl").path,
        ])
        #expect(missing.status != 0 && missing.stderr.contains("no such run log"))
    }
}

/// Two processes on one run log record every run exactly once.
@Suite(.serialized) struct ConcurrentGridTests {
    @Test func twoGridsOnOneStoreRecordEveryRunOnce() throws {
        let dir = try CachePolicyTests.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let arguments = [
            "run", "--spec", RunCommandTests.spec, "--synthetic-size", "tiny", "--cache",
            dir.appendingPathComponent("tiny.h5").path,
            "--results", dir.appendingPathComponent("runs.jsonl").path, "--seeds", "1", "2",
        ]
        let processes = (0..<2).map { k in
            let p = Process()
            p.executableURL = ExecutableRunner.executable
            p.arguments = arguments + ["--reports", dir.appendingPathComponent("out\(k)").path]
            p.environment = ProcessInfo.processInfo.environment.filter { $0.key != "INDOMER_DATA" }
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            return p
        }
        for p in processes { try p.run() }
        for p in processes { p.waitUntilExit() }
        #expect(processes.allSatisfy { $0.terminationStatus == 0 })
        let ids = try String(contentsOf: dir.appendingPathComponent("runs.jsonl"), encoding: .utf8)
            .split(separator: "\n").map { line in
                (try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any])["runID"]
                    as! String
            }
        #expect(Set(ids).count == ids.count, "no run recorded twice (\(ids.count) records)")
        // Alone, the same grid has this many runs.
        let alone = try ExecutableRunner.run(
            ["run", "--plan", "--json"] + Array(arguments.dropFirst()), unset: ["INDOMER_DATA"])
        #expect(ids.count == alone.stdout.split(separator: "\n").count, "every run recorded")
    }
}
