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
