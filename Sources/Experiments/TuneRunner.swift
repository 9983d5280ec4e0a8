import Datasets
import Foundation
import FusionModels
import Vocabulary

/// `baselines tune`: a seeded random search per model, task and modality subset of a spec with
/// `"tuning"`, then the spec's runs twice over: with the default settings and, as (tuned) rows,
/// with each search's chosen configuration.
///
/// Random search rather than successive halving: the spaces are MMSA's small discrete grids,
/// which MMSA itself searches at random; every trial is then an independent run record, so
/// trials shard over Slurm array tasks and resume like any run, in any order, with no
/// synchronisation between rungs; and early stopping on the inner fold already ends weak
/// trials early.
///
/// Protocol: trial `i` of a search draws its configuration from a generator seeded by the
/// spec's tuning seed, the model, task, subset and `i` (`SearchSpace.generator`), is trained
/// once with the spec's first seed on the training split less the inner fold (grouped by
/// source video), stops early and selects its epoch on the inner fold as any run, and is scored
/// by its inner-fold macro-F1 at that epoch. A trial never reads the reported split: the
/// trainer returns before evaluating it, and the record holds no prediction, label or video of
/// it. The best score wins; ties go to the earlier trial.
public struct TuneRunner {
    public var spec: GridSpec
    public var space: SearchSpace
    public var dataset: IndoMERDataset
    /// Where the trials are recorded (never reported as results).
    public var trialStore: RunStore
    /// Where the default and tuned runs are recorded.
    public var store: RunStore
    public var shard: (index: Int, count: Int) = (1, 1)
    public var trainer = Trainer()
    public var checkpoints = true
    public var log: (String) -> Void = { _ in }
    public var status: ((String) -> Void)?

    /// This search's identity: a hash of the tuning seed, the trial count and the search-space
    /// file's text, recorded with every trial and tuned run.
    public let search: String

    public init(
        spec: GridSpec, dataset: IndoMERDataset, trialStore: RunStore, store: RunStore
    ) throws {
        guard let tuning = spec.tuning else {
            throw SpecError(
                file: spec.name,
                message:
                    "no \"tuning\" in the spec: `baselines tune` needs {\"trials\": N, \"seed\": S, \"space\": \"search.json\"}"
            )
        }
        self.spec = spec
        self.space = try SearchSpace.load(path: tuning.spacePath)
        var h = SHA256()
        h.update(
            "\(tuning.seed)|\(tuning.trials)|"
                + ((try? String(contentsOfFile: tuning.spacePath, encoding: .utf8)) ?? ""))
        search = String(h.finalize().prefix(12))
        self.dataset = dataset
        self.trialStore = trialStore
        self.store = store
        for model in spec.models where !model.isReference && space.parameters[model] == nil {
            throw SpecError(
                file: tuning.spacePath, message: "no search space for \(model.rawValue)")
        }
    }

    /// One trial of one search.
    public struct Trial {
        public var model: ModelName
        public var task: ClassificationTask
        public var modalities: ModalitySubset
        public var index: Int
        public var values: [(key: String, value: Any)]
        /// The drawn values as canonical JSON text.
        public var parameters: String
        /// A one-run spec: the model on the task and subset with the trial seed, the values applied.
        public var spec: GridSpec
    }

    /// The searches, in grid order (task, subset, model): each trained model on each task and subset.
    public var searches: [(model: ModelName, task: ClassificationTask, modalities: ModalitySubset)]
    {
        GridSpec.unique(spec.tasks).flatMap { task in
            GridSpec.unique(spec.modalities).flatMap { subset in
                GridSpec.unique(spec.models).filter { !$0.isReference }.map {
                    (model: $0, task: task, modalities: subset)
                }
            }
        }
    }

    /// `spec` narrowed to one model, task and subset (and `seeds`).
    func narrowed(
        _ model: ModelName, _ task: ClassificationTask, _ modalities: ModalitySubset,
        seeds: [UInt64]
    ) -> GridSpec {
        var narrowed = spec
        (narrowed.models, narrowed.tasks, narrowed.modalities, narrowed.seeds) = (
            [model], [task], [modalities], seeds
        )
        narrowed.classWeights = nil
        return narrowed
    }

    /// Every trial of every search, in a fixed order: searches in grid order, trials by index.
    public func trials() throws -> [Trial] {
        let tuning = spec.tuning!
        return try searches.flatMap { search in
            try (0..<tuning.trials).map { index in
                let generator = SearchSpace.generator(
                    seed: tuning.seed, model: search.model, task: search.task,
                    modalities: search.modalities, index: index)
                let values = space.sample(search.model, generator: generator)
                let base = narrowed(
                    search.model, search.task, search.modalities, seeds: [spec.seeds[0]])
                return Trial(
                    model: search.model, task: search.task, modalities: search.modalities,
                    index: index, values: values,
                    parameters: SearchSpace.text(values),
                    spec: try SearchSpace.apply(values, to: base, model: search.model))
            }
        }
    }

    func runner(_ spec: GridSpec, _ store: RunStore, tuning: RunRecord.Tuning?) -> GridRunner {
        var runner = GridRunner(spec: spec, dataset: dataset, store: store)
        runner.tuning = tuning
        runner.trainer = trainer
        runner.checkpoints = checkpoints
        runner.log = log
        runner.status = status
        return runner
    }

    func trialRunner(_ trial: Trial) -> GridRunner {
        var r = runner(
            trial.spec, trialStore,
            tuning: .init(
                role: .trial, trial: trial.index, parameters: trial.parameters, score: 0,
                search: search))
        r.announce = false
        return r
    }

    /// Trains this shard's trials (trial k of the list goes to shard k mod n: a search's trials
    /// cost alike, so position balances them) that the trial log
    /// does not hold yet.
    public func runTrials() throws {
        let all = try trials()
        let mine = all.enumerated().filter { $0.offset % shard.count == shard.index - 1 }.map(
            \.element)
        let recorded = Set(trialStore.records().map(\.runID))
        let missing = mine.filter { t in !recorded.contains(trialRunner(t).runID(t.spec.runs[0]).id)
        }
        log(
            "tune: \(all.count) trials in \(searches.count) search(es) of \(spec.tuning!.trials); \(mine.count) in this shard, \(mine.count - missing.count) already in \(trialStore.path), \(missing.count) to train"
        )
        for trial in missing { try trialRunner(trial).run() }
    }

    /// The chosen trial of one search.
    public struct Choice {
        public var trial: Trial
        public var score: Double
        public var trials: Int
    }

    /// The best recorded trial of every search; an error naming what is missing when a search's
    /// trials are not all recorded (a shard still running, or the trials not run yet).
    public func choices() throws -> [Choice] {
        let records = Dictionary(
            trialStore.records().filter { $0.isTrial && $0.codeVersion == GridRunner.codeVersion }
                .map { ($0.runID, $0) },
            uniquingKeysWith: { a, b in a.failed ? b : a })
        var result: [Choice] = []
        var missing: [String] = []
        let all = try trials()
        for search in searches {
            let mine = all.filter {
                $0.model == search.model && $0.task == search.task
                    && $0.modalities == search.modalities
            }
            var best: (Trial, Double)?
            for trial in mine {
                guard let record = records[trialRunner(trial).runID(trial.spec.runs[0]).id] else {
                    missing.append(
                        "\(search.model.rawValue) \(search.task.name) \(search.modalities.letters) trial \(trial.index)"
                    )
                    continue
                }
                guard !record.failed, let score = record.tuning?.score else { continue }
                if best == nil || score > best!.1 { best = (trial, score) }
            }
            if let best {
                result.append(Choice(trial: best.0, score: best.1, trials: mine.count))
            } else if !mine.isEmpty {
                log(
                    "tune: every trial of \(search.model.displayName) \(search.task.name) \(search.modalities.letters) failed: no (tuned) rows for it"
                )
            }
        }
        guard missing.isEmpty else {
            throw SpecError(
                file: trialStore.path,
                message:
                    "\(missing.count) trial(s) not recorded yet, e.g. \(missing.prefix(3).joined(separator: "; ")): run `baselines tune --phase trials` (every shard) first"
            )
        }
        return result
    }

    /// Trains (this shard of) the spec's runs with their default settings and, for every search,
    /// the spec's seeds with its chosen configuration; returns the records of both.
    @discardableResult
    public func runFinal() throws -> [RunRecord] {
        let chosen = try choices()
        var plain = runner(spec, store, tuning: nil)
        plain.shard = shard
        var records = try plain.run()
        for choice in chosen {
            let t = choice.trial
            let tunedSpec = try SearchSpace.apply(
                t.values, to: narrowed(t.model, t.task, t.modalities, seeds: spec.seeds),
                model: t.model)
            var tuned = runner(
                tunedSpec, store,
                tuning: .init(
                    role: .tuned, trial: t.index, parameters: t.parameters, score: choice.score,
                    trials: choice.trials, search: search))
            tuned.shard = shard
            log(
                "tune: \(t.model.displayName) \(t.task.name) \(t.modalities.letters): trial \(t.index) chosen (inner-fold macro-F1 \(String(format: "%.3f", choice.score)) of \(choice.trials) trials): \(t.parameters)"
            )
            records += try tuned.run()
        }
        return records
    }
}
