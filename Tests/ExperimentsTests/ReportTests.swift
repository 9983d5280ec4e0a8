import Experiments
import Foundation
import Testing

/// Tables from a small committed run log (`Fixtures/runs.jsonl`, from `Fixtures/tiny_grid.json`)
/// against committed golden files (`Fixtures/golden/`).
@Suite struct ReportTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    @Test func tablesMatchTheGoldenFiles() throws {
        let records = RunStore(path: Self.fixtures.appendingPathComponent("runs.jsonl").path).records()
        #expect(records.count == 32)
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("report-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let written = try ReportBuilder(records: ReportBuilder.merge([records])).write(to: out.path)
        let golden = Self.fixtures.appendingPathComponent("golden")
        let expected = try FileManager.default.contentsOfDirectory(atPath: golden.path).filter { $0 != "runs.jsonl" }.sorted()
        #expect(written.map { URL(fileURLWithPath: $0).lastPathComponent }.sorted() == expected)
        for name in expected {
            let actual = try String(contentsOf: out.appendingPathComponent(name), encoding: .utf8)
            let wanted = try String(contentsOf: golden.appendingPathComponent(name), encoding: .utf8)
            #expect(actual == wanted, "\(name) differs from its golden file")
        }
    }

    @Test func tablesStateTheirDataAndQuoteThePaperApart() throws {
        let records = RunStore(path: Self.fixtures.appendingPathComponent("runs.jsonl").path).records()
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("report-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        _ = try ReportBuilder(records: records).write(to: out.path)
        let main = try String(contentsOf: out.appendingPathComponent("table_main_emotion.tex"), encoding: .utf8)
        #expect(main.contains("SYNTHETIC IndoMER") && main.contains("fingerprint \(records[0].dataFingerprint.prefix(12))"))
        #expect(main.contains("OmniMER All Aux (Hybrid) $^\\dagger$ & n/t & 0.454 & n/t"))
        #expect(main.contains("\\textbf{"), "the best value is bold")
        #expect(main.contains("zero\\_division=0"))
        let perClass = try String(contentsOf: out.appendingPathComponent("table_perclass_emotion.tex"), encoding: .utf8)
        #expect(perClass.contains("(n="), "per-class supports are shown")
        let csv = try String(contentsOf: out.appendingPathComponent("results.csv"), encoding: .utf8)
        #expect(csv.hasPrefix("model,task,modalities,metric,mean,std,seeds,synthetic,fingerprint\n"))
        #expect(csv.contains("lf-dnn,emotion,TAV,macro_f1,"))
    }
}
