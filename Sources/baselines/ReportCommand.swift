import ArgumentParser
import Experiments
import Foundation

/// `baselines report runs.jsonl...`: merges run logs and writes the tables.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Merge run logs (e.g. from shards) and write LaTeX, CSV and Markdown tables.")

    @Argument(help: "Run logs (default results/runs.jsonl).") var logs: [String] = [
        "results/runs.jsonl"
    ]
    @Option(help: "Where the tables go.") var output = "results"

    func run() throws {
        for log in logs where !FileManager.default.fileExists(atPath: log) {
            printNote("error: \(log): no such run log")
            throw ExitCode.failure
        }
        guard try ReportBuilder.writeReports(from: logs, to: output, log: { printNote($0) }) else {
            printNote("error: no run records in \(logs.joined(separator: ", ")): nothing to report")
            throw ExitCode.failure
        }
    }
}
