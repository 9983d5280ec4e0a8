import Foundation
import Testing

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
