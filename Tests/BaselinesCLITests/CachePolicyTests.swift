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
