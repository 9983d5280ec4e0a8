import ArgumentParser
import Experiments
import Foundation

/// `baselines report runs.jsonl...`: merges run logs and writes the tables.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Merge run logs (e.g. from shards) and write LaTeX, CSV and Markdown tables.")

    @Argument(help: "Run logs (default results/runs.jsonl).") var logs: [String] = ["results/runs.jsonl"]
    @Option(help: "Where the tables go.") var output = "results"

    func run() throws {
        for log in logs where !FileManager.default.fileExists(atPath: log) {
            printNote("error: \(log): no such run log")
            throw ExitCode.failure
        }
        guard try Self.writeReports(from: logs, to: output, log: { printNote($0) }) else {
            printNote("error: no run records in \(logs.joined(separator: ", ")): nothing to report")
            throw ExitCode.failure
        }
    }

    /// Writes the tables; false when the logs hold no record. Records of different grids, data
    /// or code are never reported together: each such group gets its own folder
    /// (`<output>/<grid>-<data>-<fingerprint>-code-<version>/`), one line each says so, and
    /// one group is also written to `output` itself: that of `grid` when given (the grid just
    /// run), else the newest record's.
    @discardableResult
    static func writeReports(from logs: [String], to output: String, grid: String? = nil, log: (String) -> Void) throws -> Bool {
        let records = ReportBuilder.merge(logs.map { RunStore(path: $0).records(warn: log) })
        guard let last = records.last else { return false }
        func key(_ r: RunRecord) -> String {
            "\(r.grid ?? "grid")-\(r.synthetic ? "synthetic" : "release")-\(r.dataFingerprint.prefix(12))-code-\(r.codeVersion ?? r.gitCommit)"
        }
        let newest = grid.flatMap { g in records.last { $0.grid == g && $0.codeVersion == GridRunner.codeVersion } } ?? last
        var order: [String] = []
        var groups: [String: [RunRecord]] = [:]
        for r in records {
            if groups[key(r)] == nil { order.append(key(r)) }
            groups[key(r), default: []].append(r)
        }
        if order.count > 1 {
            log("the run logs hold \(order.count) groups of different grids, data or code; each is reported on its own:")
            for k in order {
                let folder = "\(output)/\(k)"
                _ = try ReportBuilder(records: groups[k]!).write(to: folder)
                log("  \(groups[k]!.count) record(s) of \(k) -> \(folder)/")
            }
        }
        let builder = ReportBuilder(records: groups[key(newest)]!)
        let written = try builder.write(to: output)
        if !builder.omitted.isEmpty {
            log("note: \(builder.omitted.count) finished run(s) of this group are in no table: their rows were run again with newer settings (each row shows only its newest settings, never a mean over both)")
        }
        log("wrote \(written.count) report files to \(output)/\(order.count > 1 ? " for the newest group, \(key(newest))" : "") (\(written.map { URL(fileURLWithPath: $0).lastPathComponent }.joined(separator: ", ")))")
        return true
    }
}
