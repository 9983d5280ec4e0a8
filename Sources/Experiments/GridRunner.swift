import Autograd
import Datasets
import Foundation
import FusionModels
import Vocabulary

/// Runs a grid: every run of the spec (or of one shard) that `results/runs.jsonl` does not
/// already hold, appending each finished run at once.
public struct GridRunner {
    public var spec: GridSpec
    public var dataset: IndoMERDataset
    public var store: RunStore
    /// `(index, count)` with 1 <= index <= count: this shard takes the runs `GridShards`
    /// gives task `index − 1` of `count`, balanced by cost.
    public var shard: (index: Int, count: Int) = (1, 1)
    public var trainer = Trainer()
    /// Train again the runs recorded as failed (diverged); by default they are skipped.
    public var retryFailed = false
    public var log: (String) -> Void = { _ in }
    /// A live status line (overwritten on a terminal), or nil to print none.
    public var status: ((String) -> Void)?
    /// Whether each run saves its state after every epoch (`checkpointPath`) and resumes from
    /// it when the process was killed; the file is removed once the run is recorded.
    public var checkpoints = true
    /// Whether each trained run saves its selected weights (`weightsPath`, state-dict names),
    /// for `baselines eval`.
    public var saveWeights = false
    /// For `baselines tune`: the runs of this runner are search trials (trained and scored on
    /// the inner fold only, the reported split never read) or runs of a chosen configuration;
    /// nil for a plain grid. Its role and search, and a trial's index, are part of the run id
    /// (two trials that draw the same values are two runs).
    public var tuning: RunRecord.Tuning?
    /// Whether `run` says how many runs it has, skips and trains (off for one-run trial runners).
    public var announce = true

    public init(spec: GridSpec, dataset: IndoMERDataset, store: RunStore) {
        self.spec = spec
        self.dataset = dataset
        self.store = store
    }

    /// The runs of this shard, in grid order.
    public var shardRuns: [GridSpec.Run] {
        guard shard.count > 1 else { return spec.runs }
        let owners = GridShards.assign(costs: runCosts, count: shard.count)
        return spec.runs.enumerated().filter { owners[$0.offset] == shard.index - 1 }.map(\.element)
    }

    /// `RunCost.costs` of the spec's runs; each model setting's forward pass counted once per
    /// runner (its copies share the counts).
    public var runCosts: [Int] { RunCost.costs(self, counts: settingCosts) }
    private let settingCosts = RunCost.Counts()

    /// A run's resolved training settings: its model's, with its class-weighting axis value.
    public func trainingConfig(_ run: GridSpec.Run) -> TrainingConfig {
        var training = spec.training[run.model]!
        if let weighted = run.classWeights { training.classWeights = weighted }
        return training
    }

    /// The resolved settings of a run, as canonical JSON text: (hyperparameters, training).
    public func settings(_ run: GridSpec.Run) -> (String, String) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let training = String(
            decoding: (try? encoder.encode(trainingConfig(run))) ?? Data(), as: UTF8.self)
        guard let kind = run.model.fusionModel else { return ("{}", training) }
        let all =
            (try? JSONSerialization.jsonObject(with: encoder.encode(spec.hyperparameters)))
            as? [String: Any]
        let mine = all?[kind.rawValue] ?? [:]
        let data =
            (try? JSONSerialization.data(withJSONObject: mine, options: [.sortedKeys])) ?? Data()
        return (String(decoding: data, as: UTF8.self), training)
    }

    public func runID(_ run: GridSpec.Run) -> (id: String, configHash: String) {
        let (hyperparameters, training) = settings(run)
        var h = SHA256()
        h.update(run.model.isReference ? "reference" : hyperparameters + "|" + training)
        let configHash = String(h.finalize().prefix(16))
        var id = SHA256()
        id.update(
            "\(run.model.rawValue)|\(run.task.name)|\(run.modalities.letters)|\(run.seed)|\(configHash)|\(dataset.fingerprint)|\(Self.codeVersion)|\(spec.name)"
                + (tuning.map { t in
                    "|\(t.role.rawValue)|\(t.search ?? "")"
                        + (t.role == .trial ? "|trial \(t.trial)" : "")
                } ?? ""))
        return (String(id.finalize().prefix(16)), configHash)
    }

    /// Runs what is missing; returns the records of this shard's runs (old and new).
    @discardableResult
    public func run() throws -> [RunRecord] {
        try spec.checkTasks(of: dataset)
        let stored = store.records(warn: log)
        let otherCode = Dictionary(
            grouping: stored.filter { $0.codeVersion != Self.codeVersion },
            by: { $0.codeVersion ?? "before code versions" })
        if !otherCode.isEmpty {
            log(
                "\(otherCode.values.map(\.count).reduce(0, +)) record(s) in \(store.path) come from other code (\(otherCode.keys.sorted().joined(separator: ", "))); they are kept and reported apart, never reused as runs of this code (\(Self.codeVersion))"
            )
        }
        // A finished record wins over a failed one of the same run (a retried run has both).
        var done = Dictionary(
            stored.filter { $0.codeVersion == Self.codeVersion }.map { ($0.runID, $0) },
            uniquingKeysWith: { a, b in a.failed && !b.failed ? b : a })
        let runs = shardRuns
        if let note = spec.duplicatesNote { log("note: \(note)") }
        let missing = runs.filter { done[runID($0).id].map { retryFailed && $0.failed } ?? true }
        let failedBefore = runs.filter { done[runID($0).id]?.failed == true }.count
        if failedBefore > 0 {
            log(
                retryFailed
                    ? "\(failedBefore) run(s) recorded as failed are trained again (--retry-failed)"
                    : "\(failedBefore) run(s) recorded as failed (a loss became NaN or infinite) are not retried; pass --retry-failed to train them again"
            )
        }
        let skipped = runs.count - missing.count
        if !announce {
        } else if skipped == 0 {
            log("grid: \(runs.count) runs in this shard, all to train")
        } else {
            log(
                "grid: \(runs.count) runs in this shard; \(skipped) already in \(store.path) are skipped, \(missing.count) to train"
            )
            log(
                missing.isEmpty
                    ? "nothing to train: every run is recorded, so the tables are rewritten from \(store.path). To train again, pass --results with a new file or move \(store.path) aside"
                    : "to start over instead of resuming, pass --results with a new file or move \(store.path) aside"
            )
        }
        for run in missing where !run.model.isReference {
            let training = trainingConfig(run)
            if let problem = InnerFold.problem(
                dataset, task: run.task, fraction: training.innerFold, seed: run.seed)
            {
                throw DataError(
                    file: dataset.source,
                    message:
                        "cannot train \(run.model.displayName) on \(run.task.name) (seed \(run.seed)): \(problem)"
                )
            }
        }
        var warnedUnlocked = false
        for (number, run) in missing.enumerated() {
            let id = runID(run).id
            var claim: RunStore.Claim?
            switch store.claim(id) {
            case .claimed(let c): claim = c
            case .busy:
                log(
                    "[\(number + 1)/\(missing.count)] \(run.label): being trained by another process; skipped"
                )
                continue
            case .unlocked(let reason):
                if !warnedUnlocked {
                    log(
                        "warning: \(reason): runs are not locked, so only one process may use \(store.path)"
                    )
                }
                warnedUnlocked = true
            }
            defer { claim?.release() }
            // Another process may have finished it since this grid started.
            if let other = store.records().first(where: {
                $0.runID == id && $0.codeVersion == Self.codeVersion && (!$0.failed || !retryFailed)
            }) {
                done[id] = other
                continue
            }
            let record = execute(run, label: "[\(number + 1)/\(missing.count)]")
            try store.append(record)
            removeCheckpoint(id)
            done[record.runID] = record
            if let trial = record.tuning, trial.role == .trial, !record.failed {
                log(
                    "[\(number + 1)/\(missing.count)] \(run.label) trial \(trial.trial): inner-fold macro-F1 \(TextTable.number(trial.score)) (\(record.epochs) epochs, best \(record.bestEpoch), \(Int(record.wallSeconds)) s)"
                )
            } else if let metrics = record.metrics {
                log(
                    "[\(number + 1)/\(missing.count)] \(run.label): accuracy \(TextTable.number(metrics.accuracy)), macro-F1 \(TextTable.number(metrics.macroF1)), weighted-F1 \(TextTable.number(metrics.weightedF1)) (\(record.epochs) epochs, best \(record.bestEpoch), \(Int(record.wallSeconds)) s)"
                )
            } else {
                log(
                    "[\(number + 1)/\(missing.count)] \(run.label): FAILED, \(record.failure!.reason); recorded as failed, the grid goes on"
                )
            }
        }
        return runs.compactMap { done[runID($0).id] }
    }

    /// Where run `id` keeps its per-epoch checkpoint: `<run log>.checkpoints/<id>.h5`, beside
    /// the run log's locks, so that the process holding a run's lock is the only one writing
    /// its checkpoint.
    public func checkpointPath(_ id: String) -> String { "\(store.path).checkpoints/\(id).h5" }

    /// Where run `id` saves its selected weights: `<run log>.weights/<id>.h5`.
    public func weightsPath(_ id: String) -> String { "\(store.path).weights/\(id).h5" }

    /// `weightsPath(id)`, its folder created.
    func weightsFolder(for id: String) throws -> String {
        let path = weightsPath(id)
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true)
        return path
    }

    /// Removes run `id`'s checkpoint once the run is recorded, with any temporary file a killed
    /// process left while writing one (`<id>.h5.<pid>.partial`).
    func removeCheckpoint(_ id: String) {
        let path = checkpointPath(id)
        let folder = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        for file in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        where file.hasPrefix(name) {
            try? FileManager.default.removeItem(atPath: "\(folder)/\(file)")
        }
    }

    func execute(_ run: GridSpec.Run, label: String) -> RunRecord {
        let (id, configHash) = runID(run)
        let (hyperparameters, trainingJSON) = settings(run)
        let start = Date()
        let peakIsOwn = PeakMemory.reset()
        // A trial never reads the reported split, not even its labels.
        let validation =
            tuning?.role == .trial ? [] : dataset.indices(in: dataset.reportedSplit, for: run.task)
        let truth = validation.map { dataset.clips[$0].label(for: run.task) }
        var predictions: [Int] = []
        var failure: RunRecord.Failure?
        var curve: [RunRecord.Epoch] = []
        var bestEpoch = 0
        var parameters = 0
        var trainClips = dataset.indices(in: .train, for: run.task).count
        var foldClips = 0
        var robustness: [RobustnessResult]?
        var robustnessSeconds: Double?
        var resumedAfterEpoch: Int?
        var priorSeconds = 0.0
        var checkpointSeconds: Double?
        var tuning = self.tuning
        let trial = tuning?.role == .trial
        if let kind = run.model.fusionModel {
            let training = trainingConfig(run)
            do {
                let outcome = try trainer.train(
                    kind, configurations: spec.hyperparameters, training: training,
                    dataset: dataset, task: run.task,
                    modalities: run.modalities.members, seed: run.seed,
                    checkpointing: checkpoints
                        ? Trainer.Checkpointing(
                            path: checkpointPath(id), run: id,
                            warn: { [log] in log("\(label) \(run.label): \($0)") }) : nil,
                    reportSplit: !trial,
                    saveWeights: saveWeights && !trial ? try weightsFolder(for: id) : nil
                ) { p in
                    let perEpoch = p.seconds / Double(p.epoch)
                    let eta = perEpoch * Double(p.epochs - p.epoch)
                    status?(
                        "\(label) \(run.label): epoch \(p.epoch)/\(p.epochs), loss \(TextTable.number(p.trainLoss)), inner-fold macro-F1 \(TextTable.number(p.foldMacroF1)) (best epoch \(p.bestEpoch)), ETA ≤ \(Int(eta)) s"
                    )
                }
                predictions = validation.map { outcome.predictions[dataset.clips[$0].id]! }
                curve = outcome.curve
                if trial { tuning?.score = outcome.curve[outcome.bestEpoch - 1].foldMacroF1 }
                bestEpoch = outcome.bestEpoch
                parameters = outcome.parameters
                trainClips = outcome.trainClips
                foldClips = outcome.foldClips
                robustness = outcome.robustness.isEmpty ? nil : outcome.robustness
                robustnessSeconds = robustness == nil ? nil : outcome.robustnessSeconds
                resumedAfterEpoch = outcome.resumedAfterEpoch
                priorSeconds = outcome.priorSeconds
                checkpointSeconds = checkpoints ? outcome.checkpointSeconds : nil
                if let epoch = resumedAfterEpoch {
                    log("\(label) \(run.label): resumed after epoch \(epoch) from its checkpoint")
                }
            } catch let diverged as Trainer.Diverged {
                failure = RunRecord.Failure(epoch: diverged.epoch, reason: diverged.description)
                curve = diverged.curve
            } catch {
                failure = RunRecord.Failure(epoch: curve.count + 1, reason: "\(error)")
            }
        } else {
            predictions = References.predictions(
                run.model, dataset: dataset, task: run.task, seed: run.seed)
        }
        let metrics =
            failure == nil && !trial
            ? ClassificationMetrics(
                truth: truth, predictions: predictions, classes: run.task.classCount) : nil
        let reported = Self.reportedFields(
            dataset, validation, predictions: predictions, truth: truth)
        return RunRecord(
            runID: id, model: run.model, task: run.task, modalities: run.modalities,
            seed: run.seed, hyperparameters: hyperparameters, training: trainingJSON,
            configHash: configHash,
            dataFingerprint: dataset.fingerprint, synthetic: dataset.isSynthetic,
            dataSource: dataset.source, dataName: dataset.name,
            reportedSplit: dataset.reportedSplit,
            metrics: metrics, failure: failure, robustness: robustness,
            robustnessSeconds: robustnessSeconds,
            predictions: reported.predictions, truth: reported.truth,
            sourceVideos: reported.sourceVideos,
            sentimentLabels: trial ? nil : reported.sentimentLabels,
            curve: curve, epochs: curve.count, bestEpoch: bestEpoch, innerFoldClips: foldClips,
            trainClips: trainClips,
            parameters: parameters, wallSeconds: priorSeconds + Date().timeIntervalSince(start),
            peakResidentBytes: peakIsOwn ? PeakMemory.peakBytes() : nil,
            blas: .current,
            gitCommit: Self.gitCommit, codeVersion: Self.codeVersion, grid: spec.name,
            finishedAt: ISO8601DateFormatter().string(from: Date()),
            resumedAfterEpoch: resumedAfterEpoch, checkpointSeconds: checkpointSeconds,
            tuning: tuning)
    }

    /// The clips' sentiment labels by id, when every clip has its three modality labels.
    /// A reported split's clips as a record holds them, by clip id: predictions (as many as
    /// were made), truth and source videos, and the per-modality labels where the data have them.
    static func reportedFields(
        _ dataset: IndoMERDataset, _ clips: [Int], predictions: [Int], truth: [Int]
    ) -> (
        predictions: [String: Int], truth: [String: Int], sourceVideos: [String: String],
        sentimentLabels: [String: SentimentLabels]?
    ) {
        let ids = clips.map { dataset.clips[$0].id }
        return (
            Dictionary(uniqueKeysWithValues: zip(ids, predictions)),
            Dictionary(uniqueKeysWithValues: zip(ids, truth)),
            Dictionary(uniqueKeysWithValues: zip(ids, clips.map { dataset.clips[$0].sourceVideo })),
            sentimentLabels(dataset, clips)
        )
    }

    static func sentimentLabels(
        _ dataset: IndoMERDataset, _ clips: [Int]
    ) -> [String: SentimentLabels]? {
        let labels = clips.map { dataset.clips[$0].sentimentLabels }
        guard !labels.contains(where: { $0 == nil }) else { return nil }
        return Dictionary(
            uniqueKeysWithValues: zip(clips.map { dataset.clips[$0].id }, labels.map { $0! }))
    }

    /// The code a run's result depends on: the commit, plus a hash of the uncommitted changes
    /// to `Sources/` and `Package.swift` when there are any (`3f2a9c01b2de+1a2b3c4d`). It is
    /// part of every run id, so results of other code are never reused; outside a git
    /// checkout it is "unknown".
    public static let codeVersion: String = {
        guard gitCommit != "unknown" else { return "unknown" }
        let diff =
            git(["diff", "HEAD", "--", "Sources", "Package.swift", "Package.resolved"]) ?? ""
        guard !diff.isEmpty else { return gitCommit }
        var h = SHA256()
        h.update(diff)
        return "\(gitCommit)+\(h.finalize().prefix(8))"
    }()

    static func git(_ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return process.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
    }

    /// The commit of the working tree this runs from ("unknown" outside a git checkout).
    public static let gitCommit: String = {
        let text =
            git(["rev-parse", "--short=12", "HEAD"])?.trimmingCharacters(
                in: .whitespacesAndNewlines) ?? ""
        return text.isEmpty ? "unknown" : text
    }()
}

extension GridSpec.Run {
    /// `TFN (class-weighted) emotion TAV seed 3`, for progress lines.
    var label: String {
        "\(model.displayName)\(classWeights == true ? " (class-weighted)" : "") \(task.name) \(modalities.letters) seed \(seed)"
    }
}
