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
        try Self.writeReports(from: logs, to: output) { printNote($0) }
    }

    static func writeReports(from logs: [String], to output: String, log: (String) -> Void) throws {
        let records = ReportBuilder.merge(logs.map { RunStore(path: $0).records(warn: log) })
        guard !records.isEmpty else {
            log("no finished runs in \(logs.joined(separator: ", ")): nothing to report")
            return
        }
        let written = try ReportBuilder(records: records).write(to: output)
        log("wrote \(written.count) report files to \(output)/ (\(written.map { URL(fileURLWithPath: $0).lastPathComponent }.joined(separator: ", ")))")
    }
}
