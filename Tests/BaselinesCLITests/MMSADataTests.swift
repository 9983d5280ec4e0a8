import Foundation
import Testing

/// The shipped CH-SIMS spec end to end on a CH-SIMS-shaped MMSA fixture (NumPy-written, 6/3/3
/// clips): `--data` names the pickle, the epoch is selected on its valid split, the test split
/// is reported, and the main table sets the paper's CH-SIMS rows (Table VII) beside the runs.
@Suite struct MMSADataTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// A fresh folder holding a copy of an MMSA fixture, so that the cache written beside the
    /// file stays in it; the caller removes the folder.
    static func copy(_ fixture: String, into prefix: String) throws -> (dir: URL, data: URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let data = dir.appendingPathComponent(fixture)
        try FileManager.default.copyItem(
            at: root.appendingPathComponent("Tests/DatasetsTests/Fixtures/mmsa/\(fixture)"),
            to: data)
        return (dir, data)
    }

    @Test func chsimsSpecRunsOnAnMMSAFile() throws {
        let (dir, data) = try Self.copy("sims_unaligned.pkl", into: "chsims")
        defer { try? FileManager.default.removeItem(at: dir) }
        let output = try ExecutableRunner.run([
            "run", "--spec", Self.root.appendingPathComponent("experiments/chsims.json").path,
            "--data", data.path, "--seeds", "1", "--epochs", "2",
            "--results", dir.appendingPathComponent("runs.jsonl").path,
            "--reports", dir.appendingPathComponent("report").path,
        ])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stderr.contains("reading the MMSA-format file"))
        #expect(output.stderr.contains("1 audio value(s) of −inf set to 0, as MMSA does"))
        #expect(
            FileManager.default.fileExists(
                atPath: dir.appendingPathComponent("sims_unaligned_fusion_cache.h5").path))

        let lines = try String(
            contentsOf: dir.appendingPathComponent("runs.jsonl"), encoding: .utf8
        )
        .split(separator: "\n")
        #expect(lines.count == 8)
        let testIDs = ["video_4$_$1", "video_5$_$0", "video_5$_$1"]
        for line in lines {
            let record = try #require(
                try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let model = record["model"] as? String ?? "?"
            #expect(record["task"] as? String == "sims-3")
            #expect(record["dataName"] as? String == "CH-SIMS", "\(model)")
            #expect(record["reportedSplit"] as? String == "test", "\(model)")
            let predictions = try #require(record["predictions"] as? [String: Int])
            #expect(predictions.keys.sorted() == testIDs, "\(model) reports the test split")
            if model != "majority" && model != "prior" {
                // Selected on the valid split (3 clips), trained on the 6 training clips.
                #expect(record["innerFoldClips"] as? Int == 3, "\(model)")
                #expect(record["trainClips"] as? Int == 6, "\(model)")
                #expect(record["failure"] == nil, "\(model)")
            }
        }
        let main = try String(
            contentsOf: dir.appendingPathComponent("report/table_main_sims-3.tex"), encoding: .utf8)
        #expect(main.contains("CH-SIMS, test split"))
        #expect(main.contains("OmniMER All Aux (Hybrid) $^\\dagger$"))
        #expect(
            main.contains(
                "on the data set's validation split (3 clips); the test split is evaluated once"))
        #expect(main.contains("Tables VII and VIII"))
        #expect(main.contains("0.652"), "Hybrid's macro-F1, quoted")
        // CH-SIMS's per-modality labels feed the cross-modal conflict analysis.
        let conflict = try String(
            contentsOf: dir.appendingPathComponent("report/table_conflict_sims-3.tex"),
            encoding: .utf8)
        #expect(conflict.contains("regression\\_labels\\_T/A/V") && conflict.contains("test clips"))
        // MMSA's published classification results, quoted for context (results/result-stat.md).
        #expect(main.contains("MISA 67.05/60.98") && main.contains("MFN 67.57/n/r"))
    }

    /// `chsims-mmsa.json` on the CH-SIMS-shaped file: the models run under MMSA's data
    /// handling with the file's own padded lengths (MulT unpooled, its text projection pads
    /// nothing) and the rows say so.
    @Test func chsimsUnderTheMMSAProtocol() throws {
        let (dir, data) = try Self.copy("sims_unaligned.pkl", into: "chsims-mmsa")
        defer { try? FileManager.default.removeItem(at: dir) }
        let output = try ExecutableRunner.run([
            "run", "--spec", Self.root.appendingPathComponent("experiments/chsims-mmsa.json").path,
            "--data", data.path, "--seeds", "1", "--epochs", "1", "--models", "ef-lstm", "mult",
            "misa", "--results", dir.appendingPathComponent("runs.jsonl").path,
            "--reports", dir.appendingPathComponent("report").path,
        ])
        #expect(output.status == 0, "\(output.stderr)")
        let main = try String(
            contentsOf: dir.appendingPathComponent("report/table_main_sims-3.tex"), encoding: .utf8)
        for model in ["EF-LSTM", "MulT", "MISA"] {
            #expect(main.contains("\(model) (MMSA protocol)"), "\(model)")
        }
        #expect(
            main.contains(
                "rows marked (MMSA protocol) in the file's units (not standardised, as MMSA) see MMSA 2.2.1's data handling"
            ))
        #expect(!main.contains("padding is masked everywhere"))
    }

    /// The cache written beside an MMSA file reads back as the same data set (tasks, name, the
    /// test split, labels left out): a second grid from the cache gives the same predictions;
    /// `prepare` and `inspect` show the data set's own tasks.
    @Test func anMMSACacheRoundTrips() throws {
        let (dir, data) = try Self.copy("mosi_aligned.pkl", into: "mmsa-cache")
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = dir.appendingPathComponent("spec.json")
        try
            #"{"models": ["majority", "lf-dnn"], "tasks": ["cmu-2-non0", "cmu-7"], "modalities": ["TAV"], "seeds": [1], "training": {"epochs": 2}}"#
            .write(to: spec, atomically: true, encoding: .utf8)
        func run(_ log: String) throws -> [[String: Any]] {
            let output = try ExecutableRunner.run([
                "run", "--spec", spec.path, "--data", data.path, "--quiet",
                "--results", dir.appendingPathComponent(log).path,
                "--reports", dir.appendingPathComponent("report-\(log)").path,
            ])
            #expect(output.status == 0, "\(output.stderr)")
            return try String(contentsOf: dir.appendingPathComponent(log), encoding: .utf8)
                .split(separator: "\n").map {
                    try #require(
                        try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
                }
        }
        let first = try run("a.jsonl")
        let second = try run("b.jsonl")
        #expect(first.count == 4 && second.count == 4)
        for (a, b) in zip(first, second) {
            #expect(a["predictions"] as? [String: Int] == b["predictions"] as? [String: Int])
            #expect(a["dataName"] as? String == "CMU-MOSI/MOSEI")
        }
        // The non-0 task leaves out the clips scored exactly 0: one of the six training clips
        // and one of the three valid clips (none of the test clips).
        let non0 = try #require(
            first.first {
                $0["task"] as? String == "cmu-2-non0" && $0["model"] as? String == "lf-dnn"
            })
        #expect(non0["trainClips"] as? Int == 5 && non0["innerFoldClips"] as? Int == 2)
        let inspect = try ExecutableRunner.run([
            "inspect", data.deletingPathExtension().path + "_fusion_cache.h5",
        ])
        #expect(inspect.status == 0, "\(inspect.stderr)")
        #expect(inspect.stdout.contains("test: 3 clips"), "\(inspect.stdout)")
        #expect(inspect.stdout.contains("cmu-2-non0: negative 2, positive 3; 1 without a class"))
        let plan = try ExecutableRunner.run([
            "run", "--spec", spec.path, "--data", data.path, "--plan",
            "--results", dir.appendingPathComponent("c.jsonl").path,
        ])
        #expect(plan.status == 0, "\(plan.stderr)")
        // A grid naming another data set's task is refused before anything runs.
        let refused = try ExecutableRunner.run([
            "run", "--spec", spec.path, "--data", data.path, "--tasks", "sims-3", "--plan",
        ])
        #expect(
            refused.status != 0
                && refused.stderr.contains("task sims-3 is not a task of CMU-MOSI/MOSEI"))
    }

    /// Data named otherwise (CH-SIMS v2 shares CH-SIMS's format and tasks) never gets the
    /// paper's CH-SIMS rows beside it.
    @Test func otherDataGetNoQuotedRows() throws {
        let (dir, data) = try Self.copy("sims_unaligned.pkl", into: "simsv2")
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = dir.appendingPathComponent("spec.json")
        try
            #"{"models": ["majority", "lf-dnn"], "tasks": ["sims-3"], "modalities": ["TAV"], "seeds": [1], "training": {"epochs": 1}}"#
            .write(to: spec, atomically: true, encoding: .utf8)
        let output = try ExecutableRunner.run([
            "run", "--spec", spec.path, "--data", data.path, "--data-name", "CH-SIMS v2",
            "--quiet", "--results", dir.appendingPathComponent("runs.jsonl").path,
            "--reports", dir.appendingPathComponent("report").path,
        ])
        #expect(output.status == 0, "\(output.stderr)")
        let main = try String(
            contentsOf: dir.appendingPathComponent("report/table_main_sims-3.tex"), encoding: .utf8)
        #expect(main.contains("CH-SIMS v2, test split"))
        #expect(!main.contains("OmniMER") && !main.contains("dagger"))
    }
}
