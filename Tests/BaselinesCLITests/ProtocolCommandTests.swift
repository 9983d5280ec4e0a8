import Foundation
import Testing

/// `run --protocol mmsa`: the setting reaches every record, its rows are marked and kept apart
/// from true-length rows in one log, and `eval` rebuilds a run under its protocol.
@Suite struct ProtocolCommandTests {
    @Test func mmsaRunsAreRecordedMarkedAndEvaluatedUnderTheirProtocol() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "protocol-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = [
            "--synthetic-size", "tiny", "--cache", dir.appendingPathComponent("tiny.h5").path,
        ]
        let runs = dir.appendingPathComponent("runs.jsonl").path
        let out = dir.appendingPathComponent("out").path
        let grid = [
            "run", "--spec", EvalCommandTests.spec, "--models", "majority", "ef-lstm", "misa",
            "--tasks", "sentiment", "--seeds", "1", "--modalities", "TAV", "--epochs", "1",
            "--results", runs, "--reports", out, "--quiet", "--save-checkpoints",
        ]
        for protocolArguments in [
            [], ["--protocol", "mmsa"], ["--protocol", "mmsa-standardized"],
        ] {
            let output = try ExecutableRunner.run(grid + protocolArguments + data)
            #expect(output.status == 0, "\(output.stderr)")
        }
        let records = try String(contentsOfFile: runs, encoding: .utf8).split(separator: "\n")
            .map {
                try #require(
                    try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
        func setting(_ record: [String: Any]) throws -> String? {
            let training = try #require(record["training"] as? String)
            let object = try JSONSerialization.jsonObject(with: Data(training.utf8))
            return (object as? [String: Any])?["dataProtocol"] as? String
        }
        let trained = records.filter { ($0["model"] as? String) != "majority" }
        #expect(
            try trained.map(setting) == [
                "true-lengths", "true-lengths", "mmsa", "mmsa", "mmsa-standardized",
                "mmsa-standardized",
            ])
        let tables = try String(contentsOfFile: "\(out)/tables.md", encoding: .utf8)
        for row in [
            "| EF-LSTM |", "| EF-LSTM (MMSA protocol) |", "| MISA |", "| MISA (MMSA protocol) |",
            "| MISA (MMSA protocol, standardised) |",
        ] {
            #expect(tables.contains(row), "\(row)")
        }
        #expect(
            tables.contains(
                "rows marked (MMSA protocol) in the file's units (not standardised, as MMSA) and rows marked (MMSA protocol, standardised) on the standardised features see MMSA 2.2.1's data handling"
            ))
        let csv = try String(contentsOfFile: "\(out)/results.csv", encoding: .utf8)
        #expect(csv.contains("\nef-lstm+mmsa,sentiment,TAV,all,macro_f1,"))
        #expect(csv.contains("\nef-lstm,sentiment,TAV,all,macro_f1,"))
        #expect(csv.contains("\nef-lstm+mmsa-standardized,sentiment,TAV,all,macro_f1,"))
        // Saved weights of an MMSA-protocol run (EF-LSTM's BatchNorm over time is part of
        // them) load only into the model rebuilt under that protocol.
        for record in trained where try setting(record) == "mmsa" {
            let id = try #require(record["runID"] as? String)
            let evaluated = try ExecutableRunner.run(
                ["eval", "--checkpoint", "\(runs).weights/\(id).h5", "--results", runs] + data)
            #expect(evaluated.status == 0, "\(evaluated.stderr)")
            let again = try ExecutableRunner.json(evaluated)
            #expect(
                again["predictions"] as? [String: Int] == record["predictions"] as? [String: Int],
                "\(record["model"] ?? "")")
        }
    }
}
