import Foundation
import Testing

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
