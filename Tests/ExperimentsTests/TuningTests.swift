import Autograd
import Datasets
import Experiments
import Foundation
import FusionModels
import Testing
import Vocabulary

/// `baselines tune`: search spaces, reproducible draws, the protocol guard, shards and the report.
@Suite(.serialized) struct TuningTests {
    static let experiments = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("experiments")

    /// models.json's defaults are one point of every shipped search space.
    @Test func shippedSpacesHoldTheDefaults() throws {
        let space = try SearchSpace.load(
            path: Self.experiments.appendingPathComponent("search.json").path)
        let spec = try GridSpec.load(
            path: Self.experiments.appendingPathComponent("tune.json").path)
        let all =
            try JSONSerialization.jsonObject(with: JSONEncoder().encode(spec.hyperparameters))
            as! [String: Any]
        #expect(Set(space.parameters.keys) == Set(ModelName.allCases.filter { !$0.isReference }))
        for (model, parameters) in space.parameters {
            let config = all[model.fusionModel!.rawValue] as! [String: Any]
            let training =
                try JSONSerialization.jsonObject(with: JSONEncoder().encode(spec.training[model]!))
                as! [String: Any]
            for p in parameters {
                let defaults = p.keys.map { key -> Double in
                    let value =
                        key.hasPrefix("training.")
                        ? training[String(key.dropFirst(9))] : Self.value(key, config)
                    return (value as! NSNumber).doubleValue
                }
                guard case .choice(let values) = p.distribution else {
                    Issue.record("\(model) \(p.name) is not a choice")
                    continue
                }
                let options = values.map { v in
                    ((v as? [Any]) ?? [v]).map { ($0 as! NSNumber).doubleValue }
                }
                #expect(
                    options.contains {
                        zip($0, defaults).allSatisfy { abs($0 - $1) <= 1e-6 * max(1, abs($1)) }
                    },
                    "\(model.rawValue) \(p.name): default \(defaults) not among \(options)")
            }
        }
    }

    static func value(_ path: String, _ object: [String: Any]) -> Any? {
        path.split(separator: ".").reduce(object as Any?) { ($0 as? [String: Any])?[String($1)] }
    }

    static let spaceJSON = """
        {"ef-lstm": {"training.learningRate": {"choice": [1e-7, 0.03]}, \
        "hidden": {"choice": [6, 8]},
                     "dropout": {"uniform": [0, 0.2]}, \
        "training.weightDecay": {"logUniform": [1e-6, 1e-4]}}}
        """

    static func tuneSpec(in dir: URL, trials: Int = 6) throws -> GridSpec {
        try spaceJSON.write(
            to: dir.appendingPathComponent("space.json"), atomically: true, encoding: .utf8)
        let json = """
            {"models": ["majority", "ef-lstm"], "tasks": ["sentiment"], "modalities": ["TAV"], \
            "seeds": [5, 6], "threads": 1,
             "training": {"epochs": 6, "patience": 6, "batchSize": 16, "selection": "macroF1"},
             "perModel": {"ef-lstm": {"hyperparameters": {"layers": 1}}},
             "tuning": {"trials": \(trials), "seed": 3, "space": "space.json"}}
            """
        try json.write(
            to: dir.appendingPathComponent("tune.json"), atomically: true, encoding: .utf8)
        return try GridSpec.load(
            path: dir.appendingPathComponent("tune.json").path, modelDefaults: "/nonexistent")
    }

    func runner(_ dir: URL, _ name: String, spec: GridSpec) throws -> TuneRunner {
        try TuneRunner(
            spec: spec, dataset: TinyGrid.dataset,
            trialStore: RunStore(path: dir.appendingPathComponent("\(name)-trials.jsonl").path),
            store: RunStore(path: dir.appendingPathComponent("\(name)-runs.jsonl").path))
    }

    /// The same seed draws the same trials; a trial's draw does not depend on the others.
    @Test func drawsAreReproducible() throws {
        let dir = try TinyGrid.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = try Self.tuneSpec(in: dir)
        let a = try runner(dir, "a", spec: spec).trials().map(\.parameters)
        let b = try runner(dir, "b", spec: spec).trials().map(\.parameters)
        #expect(a == b && a.count == 6 && Set(a).count > 1)
        let space = try SearchSpace.load(path: dir.appendingPathComponent("space.json").path)
        let alone = space.sample(
            .efLSTM,
            generator: SearchSpace.generator(
                seed: 3, model: .efLSTM, task: .sentiment, modalities: .all, index: 4))
        #expect(SearchSpace.text(alone) == a[4])
        var other = spec
        other.tuning!.seed = 4
        #expect(
            try runner(dir, "c", spec: other).trials().map(\.parameters) != a,
            "another seed, other draws")
    }

    /// A planted best configuration (a learning rate that learns against one that cannot) is
    /// chosen; no trial touches a clip of the reported split; shards merge into the same choice;
    /// the report has the tuned rows and the tuning table, and no trial in the results.
    @Test func searchFindsThePlantedBestAndNeverReadsTheReportedSplit() throws {
        let dir = try TinyGrid.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = try Self.tuneSpec(in: dir)
        let touched = Touched()
        var whole = try runner(dir, "whole", spec: spec)
        whole.trainer.observer = { phase, ids in touched.add(phase, ids) }
        try whole.runTrials()
        let validation = Set(
            TinyGrid.dataset.indices(in: .val).map { TinyGrid.dataset.clips[$0].id })
        #expect(!touched.phases.contains("report"), "a trial evaluated the reported split")
        #expect(
            touched.ids.isDisjoint(with: validation), "a trial touched a clip of the reported split"
        )
        #expect(!touched.ids.isEmpty)
        let trials = whole.trialStore.records()
        #expect(
            trials.count == 6
                && trials.allSatisfy {
                    $0.isTrial && $0.predictions.isEmpty && $0.truth.isEmpty && $0.metrics == nil
                })

        let choice = try #require(try whole.choices().first)
        #expect(
            choice.trial.parameters.contains("\"training.learningRate\":0.03"),
            "chose \(choice.trial.parameters)")
        let drawn = try whole.trials().filter { $0.parameters.contains("0.03") }.count
        #expect(drawn >= 1 && drawn < 6, "both learning rates drawn")

        // Two shards, the second killed before it started, then resumed: the same choice.
        var first = try runner(dir, "sharded", spec: spec)
        first.shard = (1, 2)
        try first.runTrials()
        #expect(throws: SpecError.self) { try first.choices() }
        var second = try runner(dir, "sharded", spec: spec)
        second.shard = (2, 2)
        try second.runTrials()
        let sharded = try second.choices()
        #expect(
            sharded.map(\.trial.index) == [choice.trial.index]
                && sharded.map(\.score) == [choice.score])
        try second.runTrials()
        #expect(second.trialStore.records().count == 6, "a rerun trains no trial again")

        let records = try whole.runFinal()
        #expect(
            records.contains { $0.tuning?.role == .tuned }
                && records.contains { $0.tuning == nil && $0.model == .efLSTM })
        let out = dir.appendingPathComponent("report").path
        let written = try ReportBuilder(records: ReportBuilder.merge([trials, records])).write(
            to: out)
        #expect(
            written.contains { $0.hasSuffix("table_tuning.tex") }
                && written.contains { $0.hasSuffix("figure_tuning.tex") })
        let csv = try String(contentsOfFile: "\(out)/results.csv", encoding: .utf8)
        #expect(csv.contains("ef-lstm+tuned") && csv.contains("\nef-lstm,"))
        let main = try String(contentsOfFile: "\(out)/table_main_sentiment.tex", encoding: .utf8)
        #expect(main.contains("EF-LSTM (tuned)") && main.contains("6 trials in 1 search(es)"))
        let appendix = try String(contentsOfFile: "\(out)/appendix.tex", encoding: .utf8)
        let document = try String(contentsOfFile: "\(out)/tables.tex", encoding: .utf8)
        #expect(
            appendix.contains("\\input{table_tuning}")
                && appendix.contains("\\input{figure_tuning}"))
        #expect(
            !document.contains("tuning"),
            "the search goes to the appendix, not the results document")
        let tuning = try String(contentsOfFile: "\(out)/table_tuning.tex", encoding: .utf8)
        #expect(tuning.contains("learningRate 0.03"))

        // Trials of another search (another seed) in the same log: the tuning table still
        // describes the search the tuned rows came from (6 trials, the same choice).
        var other = spec
        other.tuning!.seed = 4
        let later = try runner(dir, "whole", spec: other)
        try later.runTrials()
        let allTrials = later.trialStore.records()
        #expect(allTrials.count == 12)
        let report = ReportBuilder(records: ReportBuilder.merge([allTrials, records]))
        #expect(report.trials.count == 6 && Set(report.trials.map { $0.tuning!.search }).count == 1)
        let out2 = dir.appendingPathComponent("report2").path
        _ = try report.write(to: out2)
        let table = try String(contentsOfFile: "\(out2)/table_tuning.tex", encoding: .utf8)
        let row = try #require(table.split(separator: "\n").first { $0.hasPrefix("EF-LSTM") })
        #expect(row.contains("& 6 & 0 &") && row.contains("learningRate 0.03"), "\(row)")
    }
}

/// What the trainer's observer saw, from any thread.
final class Touched: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var phases: Set<String> = []
    private(set) var ids: Set<String> = []
    func add(_ phase: String, _ clips: [String]) {
        lock.lock()
        defer { lock.unlock() }
        phases.insert(phase)
        ids.formUnion(clips)
    }
}
