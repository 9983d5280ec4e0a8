import Autograd
import Datasets
import Experiments
import Foundation
import FusionModels
import Synchronization
import Testing
import Vocabulary

/// A small grid on the tiny synthetic IndoMER, with small models, so the tests stay fast.
enum TinyGrid {
    static let dataset = SyntheticIndoMER.generate(.tiny)

    static let specJSON = """
        {
          "models": ["majority", "prior", "lf-dnn", "ef-lstm"],
          "tasks": ["sentiment", "emotion"],
          "modalities": ["TAV", "A"],
          "seeds": [1, 2],
          "training": { "epochs": 2, "batchSize": 16 },
          "perModel": {
            "lf-dnn": { "hyperparameters": { "hidden": { "text": 8, "audio": 4, "video": 8 }, \
        "textOut": 8, "postFusion": 8 } },
            "ef-lstm": { "hyperparameters": { "hidden": 8, "layers": 1 }, \
        "training": { "learningRate": 0.005 } }
          }
        }
        """

    static func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "grid-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func spec(_ json: String = specJSON, in dir: URL) throws -> GridSpec {
        let path = dir.appendingPathComponent("spec.json").path
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        return try GridSpec.load(path: path)
    }

    /// `spec` run on the tiny data into a fresh log `<name>.jsonl` in `dir`.
    static func run(_ spec: GridSpec, in dir: URL, log name: String) throws -> [RunRecord] {
        try GridRunner(
            spec: spec, dataset: dataset,
            store: RunStore(path: dir.appendingPathComponent("\(name).jsonl").path)
        ).run()
    }

    /// The parts of a record that a rerun must reproduce exactly.
    static func essence(_ r: RunRecord) -> String {
        let predictions = r.predictions.sorted { $0.key < $1.key }.map(\.value)
        let curve = r.curve.map(\.foldMacroF1)
        return "\(r.runID) \(r.metrics!.macroF1) \(r.metrics!.accuracy) \(r.metrics!.confusion) "
            + "\(predictions) \(curve) \(r.bestEpoch)"
    }
}

@Suite(.serialized) struct GridTests {
    @Test func sameSeedSameDataSameMetrics() throws {
        let dir = try TinyGrid.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var spec = try TinyGrid.spec(in: dir)
        spec.tasks = [.sentiment]
        spec.modalities = [.all]
        spec.seeds = [3]
        let first = try TinyGrid.run(spec, in: dir, log: "a")
        let second = try TinyGrid.run(spec, in: dir, log: "b")
        #expect(first.count == 4)
        #expect(first.map(TinyGrid.essence) == second.map(TinyGrid.essence))
    }

    @Test func shardsMergedEqualTheWholeGridAndItsReports() throws {
        let dir = try TinyGrid.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var spec = try TinyGrid.spec(in: dir)
        spec.seeds = [1]
        let whole = try TinyGrid.run(spec, in: dir, log: "whole")
        var shards: [[RunRecord]] = []
        for i in 1...3 {
            var runner = GridRunner(
                spec: spec, dataset: TinyGrid.dataset,
                store: RunStore(path: dir.appendingPathComponent("shard\(i).jsonl").path))
            runner.shard = (i, 3)
            shards.append(try runner.run())
        }
        #expect(shards.map(\.count).reduce(0, +) == whole.count)
        #expect(
            Set(shards.flatMap { $0.map(\.runID) }).count == whole.count, "shards do not overlap")
        let merged = ReportBuilder.merge(shards)
        #expect(merged.map(TinyGrid.essence) == ReportBuilder.merge([whole]).map(TinyGrid.essence))
        // Reports from merged shards equal reports from the whole run, but for what each run
        // measured of its machine (the efficiency table): wall time, memory, and the thread
        // count, which suites running beside this one may change for a while.
        func unmeasured(_ records: [RunRecord]) -> [RunRecord] {
            records.map { r in
                var r = r
                r.wallSeconds = 0
                r.peakResidentBytes = nil
                r.blas = whole[0].blas
                return r
            }
        }
        let a = dir.appendingPathComponent("report-whole").path
        let b = dir.appendingPathComponent("report-shards").path
        let files = try ReportBuilder(records: unmeasured(ReportBuilder.merge([whole]))).write(
            to: a)
        _ = try ReportBuilder(records: unmeasured(merged)).write(to: b)
        for file in files {
            let name = URL(fileURLWithPath: file).lastPathComponent
            #expect(
                FileManager.default.contents(atPath: file)
                    == FileManager.default.contents(atPath: "\(b)/\(name)"), "\(name)")
        }
    }

    @Test func rerunSkipsFinishedRunsAndNeverDuplicates() throws {
        let dir = try TinyGrid.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var spec = try TinyGrid.spec(in: dir)
        spec.modalities = ["A"]
        spec.seeds = [1]
        let store = RunStore(path: dir.appendingPathComponent("runs.jsonl").path)
        let first = try GridRunner(spec: spec, dataset: TinyGrid.dataset, store: store).run()
        // A torn last line, as a kill during a write would leave.
        let handle = try #require(FileHandle(forWritingAtPath: store.path))
        handle.seekToEndOfFile()
        handle.write(Data("{\"runID\": \"torn".utf8))
        try handle.close()
        let second = try GridRunner(spec: spec, dataset: TinyGrid.dataset, store: store).run()
        #expect(first.map(TinyGrid.essence) == second.map(TinyGrid.essence))
        #expect(store.records().count == first.count, "nothing appended twice")
        #expect(Set(store.records().map(\.runID)).count == first.count)
    }

    @Test func officialValidationClipsAreOnlyEverReported() throws {
        let seen = Mutex<[String: Set<String>]>([:])
        var trainer = Trainer()
        trainer.observer = { phase, ids in seen.withLock { $0[phase, default: []].formUnion(ids) } }
        var training = TrainingConfig()
        training.epochs = 2
        training.batchSize = 16
        var configs = ModelConfigurations()
        configs.lfDNN.hidden = PerModality(text: 8, audio: 4, video: 8)
        configs.lfDNN.textOut = 8
        _ = try trainer.train(
            .lfDNN, configurations: configs, training: training, dataset: TinyGrid.dataset,
            task: .emotion, modalities: Modality.allCases, seed: 5)
        let data = TinyGrid.dataset
        let validation = Set(data.indices(in: .val).map { data.clips[$0].id })
        let phases = seen.withLock { $0 }
        #expect(phases["train"]!.isDisjoint(with: validation))
        #expect(phases["select"]!.isDisjoint(with: validation))
        #expect(phases["report"] == validation)
        // The inner fold shares no source video with the clips trained on.
        let videos = { (ids: Set<String>) in
            Set(data.clips.filter { ids.contains($0.id) }.map(\.sourceVideo))
        }
        #expect(videos(phases["train"]!).isDisjoint(with: videos(phases["select"]!)))
    }

    @Test func innerFoldIsAboutFifteenPercentByVideo() {
        var config = SyntheticIndoMER.Configuration.tiny
        config.clipFraction = 1
        let data = SyntheticIndoMER.generate(config)
        let (train, fold) = InnerFold.split(data, task: .emotion, seed: 1111)
        #expect(train.count + fold.count == 1588)
        #expect(
            Double(fold.count) / 1588 > 0.12 && Double(fold.count) / 1588 < 0.18,
            "fold \(fold.count)")
        #expect(
            Set(train.map { data.clips[$0].sourceVideo }).isDisjoint(
                with: fold.map { data.clips[$0].sourceVideo }))
        // Stratified as far as groups allow: the big classes are represented near 15%.
        for c in [4, 5, 3] {
            let share =
                Double(fold.filter { data.clips[$0].emotion == c }.count)
                / Double((train + fold).filter { data.clips[$0].emotion == c }.count)
            #expect(share > 0.08 && share < 0.25, "class \(c): \(share)")
        }
    }
}

@Suite struct SpecTests {
    func expectSpecError(
        _ json: String, _ fragments: [String], sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let dir = try TinyGrid.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(sourceLocation: sourceLocation) {
            try TinyGrid.spec(json, in: dir)
        } throws: { error in
            fragments.allSatisfy { "\(error)".contains($0) }
        }
    }

    @Test func badSpecsFailWithTheProblemNamed() throws {
        let base = #""tasks": ["sentiment"], "modalities": ["TAV"], "seeds": [1]"#
        try expectSpecError(#"{"models": ["tfnn"], \#(base)}"#, ["unknown model 'tfnn'"])
        try expectSpecError(
            #"{"models": ["tfn"], "tasks": ["sentiment"], "modalities": [""], "seeds": [1]}"#,
            ["empty modality subset"])
        try expectSpecError(
            #"{"models": ["tfn"], "tasks": ["sentiment"], "modalities": ["TX"], "seeds": [1]}"#,
            ["'TX'"])
        try expectSpecError(
            #"{"models": ["tfn"], \#(base), "epochs": 3}"#, ["unknown key 'epochs'"])
        try expectSpecError(
            #"{"models": ["tfn"], \#(base), "training": {"learningRat": 0.1}}"#,
            ["unknown key 'training.learningRat'"])
        try expectSpecError(
            #"{"models": ["mult"], \#(base), "#
                + #""perModel": {"mult": {"hyperparameters": {"dimm": 4}}}}"#,
            ["unknown key 'perModel.mult.hyperparameters.dimm'"])
        try expectSpecError(
            #"{"models": ["mult"], \#(base), "perModel": {"mulx": {}}}"#, ["unknown model 'mulx'"])
        try expectSpecError(#"{"models": [], \#(base)}"#, ["'models' must be a non-empty list"])
        try expectSpecError(
            #"{"tasks": ["sentiment"], "modalities": ["TAV"], "seeds": [1]}"#, ["missing 'models'"])
        try expectSpecError(
            #"{"models": ["tfn"], "tasks": ["anger"], "modalities": ["TAV"], "seeds": [1]}"#,
            ["unknown task 'anger'"])
    }

    @Test func shippedSpecsLoadAndInherit() throws {
        let experiments = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
                "experiments")
        let main = try GridSpec.load(path: experiments.appendingPathComponent("default.json").path)
        #expect(
            main.models.count == 8 && main.tasks.count == 2
                && main.modalities == [.all] && main.seeds == [1111])
        // models.json's schedule comes through (MulT's clip, EF-LSTM's weight decay) under
        // default.json's documented deviations (EF-LSTM's rate, MulT without accumulation).
        #expect(
            main.training[.mult]!.clipValue == 0.6 && main.training[.efLSTM]!.weightDecay == 0.001)
        #expect(
            main.training[.efLSTM]!.learningRate == 0.002 && main.training[.mult]!.accumulation == 1
        )
        #expect(
            main.hyperparameters.efLSTM.layers == 1 && main.hyperparameters.efLSTM.dropout == 0.2,
            "one layer in the smoke grid")
        #expect(main.training[.misa]!.epochs == 3 && main.training[.lfDNN]!.epochs == 8)
        #expect(
            main.hyperparameters.misa.simWeight == 0.1,
            "the smoke grid's CMD weight (default.json's description says why)")
        #expect(
            main.training[.lfDNN]!.selection == .macroF1 && !main.training[.lfDNN]!.classWeights)
        let paper = try GridSpec.load(path: experiments.appendingPathComponent("paper.json").path)
        #expect(
            paper.seeds == [1111, 1112, 1113, 1114, 1115] && paper.training[.mult]!.clipValue == 0.6
        )
        #expect(
            paper.hyperparameters.efLSTM.layers == 3, "MMSA's sims EF-LSTM for reported numbers")
        #expect(
            paper.hyperparameters.misa.simWeight == 1, "MMSA's sims CMD weight for reported numbers"
        )
        let ablation = try GridSpec.load(
            path: experiments.appendingPathComponent("ablation.json").path)
        #expect(ablation.modalities.count == 7 && ablation.seeds.count == 3)
        #expect(ablation.runs.count == 8 * 2 * 7 * 3)
    }
}
