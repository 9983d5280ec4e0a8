import Datasets
import Experiments
import Foundation
import Testing
import Vocabulary

/// Tables from a small committed run log (`Fixtures/runs.jsonl`, from `Fixtures/tiny_grid.json`)
/// against committed golden files (`Fixtures/golden/`).
@Suite struct ReportTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    @Test func tablesMatchTheGoldenFiles() throws {
        let records = RunStore(path: Self.fixtures.appendingPathComponent("runs.jsonl").path)
            .records()
        #expect(records.count == 32)
        let out = TemporaryFolder("report")
        let written = try ReportBuilder(records: ReportBuilder.merge([records])).write(to: out.path)
        let golden = Self.fixtures.appendingPathComponent("golden")
        let expected = try FileManager.default.contentsOfDirectory(atPath: golden.path).filter {
            $0 != "runs.jsonl"
        }.sorted()
        #expect(written.map { URL(fileURLWithPath: $0).lastPathComponent }.sorted() == expected)
        for name in expected {
            let actual = try String(contentsOf: out.appendingPathComponent(name), encoding: .utf8)
            if name.hasSuffix(".tex") {
                let ascii = actual.unicodeScalars.allSatisfy { $0.isASCII }
                #expect(ascii, "\(name): LaTeX without inputenc's Unicode gaps")
            }
            let wanted = try String(
                contentsOf: golden.appendingPathComponent(name), encoding: .utf8)
            #expect(actual == wanted, "\(name) differs from its golden file")
        }
    }

    /// The class-weighting axis gives its own rows, and a row averages only runs of one
    /// setting: runs of older settings (another config hash) are left out, not averaged in.
    @Test func classWeightedRunsAndOtherSettingsAreNeverAveragedIn() throws {
        let records = RunStore(path: Self.fixtures.appendingPathComponent("runs.jsonl").path)
            .records()
        let lfdnn = records.filter {
            $0.model == .lfDNN && $0.task == .sentiment && $0.modalities == "TAV"
        }
        #expect(lfdnn.count == 2)
        func variant(_ r: RunRecord, weighted: Bool, hash: String, macroF1: Double) -> RunRecord {
            var v = r
            var settings =
                try! JSONSerialization.jsonObject(with: Data(r.training.utf8)) as! [String: Any]
            settings["classWeights"] = weighted
            v.training = String(
                decoding: try! JSONSerialization.data(
                    withJSONObject: settings, options: [.sortedKeys]), as: UTF8.self)
            v.configHash = hash
            v.runID = "\(r.runID)-\(hash)"
            v.metrics!.macroF1 = macroF1
            return v
        }
        // An older setting first (macro-F1 0.9), then the class-weighted runs (0.7 and 0.5).
        let older = lfdnn.map { variant($0, weighted: false, hash: "older", macroF1: 0.9) }
        let weighted = [
            variant(lfdnn[0], weighted: true, hash: "cw", macroF1: 0.7),
            variant(lfdnn[1], weighted: true, hash: "cw", macroF1: 0.5),
        ]
        let out = TemporaryFolder("report")
        _ = try ReportBuilder(records: older + records + weighted).write(to: out.path)
        let markdown = try String(
            contentsOf: out.appendingPathComponent("tables.md"), encoding: .utf8)
        let sentiment = markdown.components(separatedBy: "**Per-class F1, sentiment")[0]
        // Hand-computed: mean of 0.7 and 0.5 = 0.600, sample std = 0.141.
        #expect(sentiment.contains("| LF-DNN (class-weighted) | "), "its own row")
        let row = try #require(
            sentiment.split(separator: "\n").first { $0.hasPrefix("| LF-DNN (class-weighted) |") })
        #expect(row.contains("0.600 ± 0.141"), "\(row)")
        // The unweighted row is the fixture's two runs alone (the golden table's values), not the
        // older 0.9.
        let plain = try #require(
            sentiment.split(separator: "\n").first { $0.hasPrefix("| LF-DNN |") })
        let expected = String(
            format: "%.3f ± %.3f", (lfdnn[0].metrics!.macroF1 + lfdnn[1].metrics!.macroF1) / 2,
            Swift.abs(lfdnn[0].metrics!.macroF1 - lfdnn[1].metrics!.macroF1) / 2.0.squareRoot())
        #expect(plain.contains(expected), "\(plain) should hold \(expected)")
        #expect(!plain.contains("0.900"))
    }

    /// Every OmniMER cell of the generated tables (main and per-class, LaTeX and Markdown)
    /// equals the transcription of the paper's Tables III-VI (`Fixtures/omnimer-paper.md`, a
    /// copy of the project's reference file), parsed here independently of `PaperNumbers`.
    @Test func everyOmniMERValueIsThePapers() throws {
        let paper = try String(
            contentsOf: Self.fixtures.appendingPathComponent("omnimer-paper.md"), encoding: .utf8)
        func section(_ title: String) -> [[String]] {
            let body = paper.components(separatedBy: "## \(title)")[1].components(
                separatedBy: "\n## ")[0]
            return body.split(separator: "\n").filter {
                $0.hasPrefix("| ") && !$0.hasPrefix("| ---")
            }
            .map { $0.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) } }
            .dropFirst().map { $0 }
        }
        let names = [
            "Base": "OmniMER Base", "Base + Text Aux": "OmniMER + Text Aux",
            "Base + Video Aux": "OmniMER + Video Aux",
            "Base + Visual Aux": "OmniMER + Video Aux", "Base + Audio Aux": "OmniMER + Audio Aux",
            "All Aux (Multi-stage)": "OmniMER All Aux (Multi-stage)",
            "All Aux (Hybrid)": "OmniMER All Aux (Hybrid)",
        ]
        let records = RunStore(path: Self.fixtures.appendingPathComponent("runs.jsonl").path)
            .records()
        let out = TemporaryFolder("report")
        _ = try ReportBuilder(records: records).write(to: out.path)
        let markdown = try String(
            contentsOf: out.appendingPathComponent("tables.md"), encoding: .utf8)
        var checked = 0
        for (task, main, perClass) in [
            (ClassificationTask.sentiment, "Table III", "Table V"),
            (.emotion, "Table IV", "Table VI"),
        ] {
            let mainTeX = try String(
                contentsOf: out.appendingPathComponent("table_main_\(task.name).tex"),
                encoding: .utf8)
            let classTeX = try String(
                contentsOf: out.appendingPathComponent("table_perclass_\(task.name).tex"),
                encoding: .utf8)
            for row in section(main) {
                let name = try #require(names[row[0]], "row \(row[0])")
                // The paper reports no balanced accuracy (n/r).
                #expect(
                    markdown.contains("| \(name) † | \(row[1]) | n/r | \(row[2]) | \(row[3]) |"),
                    "\(task) \(name) main, Markdown")
                #expect(
                    mainTeX.contains(
                        "\(name) $^\\dagger$ & \(row[1]) & n/r & \(row[2]) & \(row[3])"),
                    "\(task) \(name) main, LaTeX")
                checked += 3
            }
            // Per class: the paper's rows are classes, its columns the six OmniMER rows.
            let table = section(perClass)
            let order = [
                "Base", "Base + Text Aux", "Base + Video Aux", "Base + Audio Aux",
                "All Aux (Multi-stage)", "All Aux (Hybrid)",
            ]
            for (column, paperName) in order.enumerated() {
                let values = task.classNames.map { cls in
                    table.first { $0[0].lowercased().hasPrefix(cls) }.map {
                        Double($0[column + 1])!
                    }
                }.map { String(format: "%.3f", $0!) }
                let name = names[paperName]!
                #expect(
                    markdown.contains("| \(name) † | \(values.joined(separator: " | ")) |"),
                    "\(task) \(name) per class, Markdown")
                #expect(
                    classTeX.contains("\(name) $^\\dagger$ & \(values.joined(separator: " & "))"),
                    "\(task) \(name) per class, LaTeX")
                checked += values.count
            }
        }
        #expect(checked == 36 + 6 * 3 + 6 * 7, "every main and per-class value")
    }

    @Test func tablesStateTheirDataAndQuoteThePaperApart() throws {
        let records = RunStore(path: Self.fixtures.appendingPathComponent("runs.jsonl").path)
            .records()
        let out = TemporaryFolder("report")
        _ = try ReportBuilder(records: records).write(to: out.path)
        let main = try String(
            contentsOf: out.appendingPathComponent("table_main_emotion.tex"), encoding: .utf8)
        #expect(
            main.contains("SYNTHETIC IndoMER")
                && main.contains("fingerprint \(records[0].dataFingerprint.prefix(12))"))
        // Emotion: 0.454 is Multi-stage's macro-F1; Hybrid's row is 0.739 / 0.315 / 0.693
        // (Table IV).
        #expect(main.contains("OmniMER All Aux (Hybrid) $^\\dagger$ & 0.739 & n/r & 0.315 & 0.693"))
        #expect(
            main.contains("OmniMER All Aux (Multi-stage) $^\\dagger$ & 0.711 & n/r & 0.454 & 0.706")
        )
        #expect(main.contains("\\textbf{"), "the best value is bold")
        #expect(main.contains("zero\\_division=0"))
        let perClass = try String(
            contentsOf: out.appendingPathComponent("table_perclass_emotion.tex"), encoding: .utf8)
        #expect(perClass.contains("(n="), "per-class supports are shown")
        let csv = try String(contentsOf: out.appendingPathComponent("results.csv"), encoding: .utf8)
        #expect(
            csv.hasPrefix(
                "model,task,modalities,clip_group,metric,mean,std,seeds,"
                    + "video_ci_low,video_ci_high,clip_ci_low,clip_ci_high,p_vs_best,p_holm,"
                    + "videos,clips,synthetic,fingerprint\n"
            ))
        #expect(csv.contains("lf-dnn,emotion,TAV,all,macro_f1,"))
        #expect(
            csv.contains("lf-dnn,emotion,TAV,all-agree,macro_f1,"), "the conflict analysis's groups"
        )
    }

    /// A row run again with other settings shows only the newest; the older runs are counted
    /// as omitted (and `report` says so), never averaged in.
    @Test func runsOfOlderSettingsAreOmittedAndCounted() throws {
        var records = RunStore(path: Self.fixtures.appendingPathComponent("runs.jsonl").path)
            .records()
        #expect(ReportBuilder(records: ReportBuilder.merge([records])).omitted.isEmpty)
        let target = try #require(records.firstIndex { $0.model == .lfDNN && $0.seed == 1 })
        var older = records[target]
        older.runID = "older-settings"
        older.configHash = "0123456789abcdef"
        records.insert(older, at: 0)
        let builder = ReportBuilder(records: ReportBuilder.merge([records]))
        #expect(builder.omitted.map(\.runID) == ["older-settings"])
    }

    /// Records of two grids on one data set are two groups: `groups` splits them and `write`
    /// refuses the mix, naming both, instead of averaging them.
    @Test func twoGridsAreNeverReportedTogether() throws {
        let records = RunStore(path: Self.fixtures.appendingPathComponent("runs.jsonl").path)
            .records()
        let other = records.map { r in
            var r = r
            r.grid = "paper"
            r.runID += "-paper"
            return r
        }
        let groups = ReportBuilder.groups(records + other)
        #expect(groups.count == 2 && groups.map(\.records.count) == [32, 32])
        let out = TemporaryFolder("report")
        #expect(throws: ReportBuilder.MixedGroups.self) {
            try ReportBuilder(records: records + other).write(to: out.path)
        }
        do {
            _ = try ReportBuilder(records: records + other).write(to: out.path)
        } catch let error as ReportBuilder.MixedGroups {
            #expect(
                error.groups == groups.map(\.key) && error.description.contains("paper-synthetic"))
        }
    }

    /// Captions state what the records say: the inner fold, patience, epochs trained and kept,
    /// the selection metric and pooling, not constants of the report code.
    @Test func captionsComeFromTheRecords() throws {
        let records = RunStore(path: Self.fixtures.appendingPathComponent("runs.jsonl").path)
            .records().map { r in
                var r = r
                guard r.model == .efLSTM else { return r }
                var settings =
                    try! JSONSerialization.jsonObject(with: Data(r.training.utf8)) as! [String: Any]
                settings["innerFold"] = 0.2
                settings["patience"] = 5
                settings["selection"] = "loss"
                r.training = String(
                    decoding: try! JSONSerialization.data(
                        withJSONObject: settings, options: [.sortedKeys]), as: UTF8.self)
                r.hyperparameters = #"{"audioPool":3}"#
                r.epochs = 7
                r.bestEpoch = 6
                return r
            }
        let out = TemporaryFolder("report")
        _ = try ReportBuilder(records: records).write(to: out.path)
        let main = try String(
            contentsOf: out.appendingPathComponent("table_main_sentiment.tex"), encoding: .utf8)
        #expect(main.contains("15\\% or 20\\% of the training split"), "both inner folds")
        #expect(main.contains("the lowest inner-fold loss or the best inner-fold macro-F1"))
        // The fixture's other trained runs ran 2 epochs; their kept epochs, with EF-LSTM's 6.
        let kept =
            records.filter {
                $0.model == .lfDNN && $0.task == .sentiment && $0.modalities == "TAV"
            }.map(\.bestEpoch) + [6]
        #expect(
            main.contains("patience 5--8") && main.contains("kept epoch \(kept.min()!)--6")
                && main.contains("trained 2--7 epochs"))
        #expect(main.contains("EF-LSTM averages audio in windows of 3 frames"))
        #expect(main.contains("seeds 1, 2 (mean"))
    }
}
