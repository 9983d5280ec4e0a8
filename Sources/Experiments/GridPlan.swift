import Autograd
import Datasets
import Foundation
import FusionModels
import NN
import Vocabulary

/// What a grid will do, before it does it: every run with its resolved settings, whether the
/// results file already holds it, and an estimate of its training time (`baselines run --plan`).
public struct GridPlan {
    public struct PlannedRun: Codable, Sendable {
        public var runID: String
        public var model: ModelName
        public var task: ClassificationTask
        public var modalities: ModalitySubset
        public var seed: UInt64
        /// The resolved training settings, exactly as the run will record them.
        public var training: TrainingConfig
        public var alreadyRecorded: Bool
        /// Optimizer steps per epoch: ⌈training clips / batch⌉ mini-batches in groups of
        /// `accumulation` (0 for the references).
        public var stepsPerEpoch: Int
        /// Upper bound: every epoch up to the cap (early stopping may end the run sooner) and
        /// every robustness evaluation, from a short timing of this model's training step and
        /// inference on this data.
        public var estimatedSeconds: Double
    }

    public var runs: [PlannedRun]

    /// Measured seconds per training mini-batch and per inference clip of one model setting.
    struct Timing {
        var trainBatch: Double
        var inferClip: Double
    }

    /// Times each distinct (model, task, modalities, batch size) once: two training steps after
    /// one warm-up, and one inference pass, on the first training clips.
    public init(runner: GridRunner, timing: Bool = true) {
        let recorded = Set(runner.store.records().map(\.runID))
        let dataset = runner.dataset
        var timings: [String: Timing] = [:]
        var planned: [PlannedRun] = []
        for run in runner.shardRuns {
            let training = runner.trainingConfig(run)
            let (id, _) = runner.runID(run)
            let (trainClips, foldClips) = InnerFold.split(
                dataset, task: run.task, fraction: training.innerFold, seed: run.seed)
            let (trainCount, foldCount) = (trainClips.count, foldClips.count)
            var steps = 0
            var seconds = 0.0
            if let kind = run.model.fusionModel {
                let batches = (trainCount + training.batchSize - 1) / training.batchSize
                steps = (batches + training.accumulation - 1) / training.accumulation
                if timing {
                    let key =
                        "\(kind.rawValue)|\(run.task.name)|\(run.modalities)|\(training.batchSize)"
                    let t =
                        timings[key]
                        ?? Self.time(kind, runner: runner, run: run, training: training)
                    timings[key] = t
                    let perEpoch = Double(batches) * t.trainBatch + Double(foldCount) * t.inferClip
                    // The evaluation once, plus once per robustness condition.
                    let evaluations =
                        1
                        + (training.robustness
                            ? RobustnessCondition.standard(for: run.modalities.members).count : 0)
                    seconds =
                        Double(training.epochs) * perEpoch + Double(
                            evaluations
                                * dataset.indices(in: dataset.reportedSplit, for: run.task).count)
                        * t.inferClip
                }
            }
            planned.append(
                PlannedRun(
                    runID: id, model: run.model, task: run.task, modalities: run.modalities,
                    seed: run.seed, training: training, alreadyRecorded: recorded.contains(id),
                    stepsPerEpoch: steps,
                    estimatedSeconds: seconds))
        }
        runs = planned
    }

    /// The plan's estimate of one epoch of `run` (training mini-batches and the inner-fold
    /// evaluation), from its short timing; what `--plan` multiplies by the epoch cap.
    public static func estimatedEpochSeconds(runner: GridRunner, run: GridSpec.Run) -> Double {
        guard let kind = run.model.fusionModel else { return 0 }
        let training = runner.trainingConfig(run)
        let (trainClips, foldClips) = InnerFold.split(
            runner.dataset, task: run.task, fraction: training.innerFold, seed: run.seed)
        let t = time(kind, runner: runner, run: run, training: training)
        let batches = (trainClips.count + training.batchSize - 1) / training.batchSize
        return Double(batches) * t.trainBatch + Double(foldClips.count) * t.inferClip
    }

    static func time(
        _ kind: ModelName, runner: GridRunner, run: GridSpec.Run, training: TrainingConfig
    ) -> Timing {
        let dataset = runner.dataset
        let problem = FusionProblem(
            dataset, modalities: run.modalities.members, task: run.task,
            inputProtocol: training.dataProtocol)
        let model = runner.spec.hyperparameters.make(
            kind, problem: problem, generator: Generator(seed: run.seed))
        let batcher = Batcher(
            dataset: dataset, modalities: run.modalities.members, task: run.task,
            needs: model.inputNeeds)
        let optimizer = Adam(
            parameters: model.namedParameters(), learningRate: training.learningRate)
        let clips = Array(dataset.indices(in: .train, for: run.task).prefix(training.batchSize))
        let batch = batcher.batch(clips)
        model.train()
        let step = TrainingStep(model: model, optimizer: optimizer, training: training)
        step(batch)
        let start = Date()
        for _ in 0..<2 { step(batch) }
        let trainBatch = Date().timeIntervalSince(start) / 2
        model.eval()
        let inferStart = Date()
        noGrad { _ = model(batch) }
        return Timing(
            trainBatch: trainBatch,
            inferClip: Date().timeIntervalSince(inferStart) / Double(clips.count))
    }

    /// A table for the terminal: one line per run, then the total.
    public var table: String {
        var lines = [
            "model     task       mod  seed   epochs patience batch accum lr       schedule        clip        select   weights  mod-drop     robust steps/ep  estimate"
        ]
        for r in runs {
            let t = r.training
            let schedule =
                t.plateauPatience > 0
                ? "plateau \(t.plateauFactor)/\(t.plateauPatience)" : "constant"
            let clip =
                t.clipValue > 0
                ? "value \(t.clipValue)" : t.clipNorm > 0 ? "norm \(t.clipNorm)" : "none"
            let estimate =
                r.model.isReference ? "-" : Self.duration(r.estimatedSeconds)
            let rates = Modality.allCases.filter { t.modalityDropout[$0] > 0 }.map {
                "\($0.letter)\(t.modalityDropout[$0])"
            }
            let conditions =
                t.robustness
                ? "\(RobustnessCondition.standard(for: r.modalities.members).count)"
                : "-"
            let fields: [(String, Int)] = [
                (r.model.rawValue, 10), (r.task.name, 11), (r.modalities.letters, 5),
                ("\(r.seed)", 7),
                ("\(t.epochs)", 7), ("\(t.patience)", 9),
                ("\(t.batchSize)", 6), ("\(t.accumulation)", 6),
                (String(format: "%g", t.learningRate), 9), (schedule, 16),
                (clip, 12), (t.selection.rawValue, 9), (t.classWeights ? "balanced" : "none", 9),
                (rates.isEmpty ? "none" : rates.joined(separator: "/"), 13), (conditions, 7),
                ("\(r.stepsPerEpoch)", 10),
            ]
            lines.append(
                fields.map { TextTable.pad($0.0, $0.1) }.joined()
                    + estimate + (r.alreadyRecorded ? " (recorded: skipped)" : ""))
        }
        let pending = runs.filter { !$0.alreadyRecorded }
        lines.append(
            "\(runs.count) runs, \(pending.count) to train; estimated at most \(Self.duration(pending.map(\.estimatedSeconds).reduce(0, +))) on this machine (every epoch up to each cap; early stopping ends runs sooner)"
        )
        return lines.joined(separator: "\n")
    }

    /// `45 s`, `12.5 min`, `3.2 h`.
    public static func duration(_ seconds: Double) -> String {
        seconds < 120
            ? "\(Int(seconds.rounded())) s"
            : seconds < 7200
                ? String(format: "%.1f min", seconds / 60)
                : String(format: "%.1f h", seconds / 3600)
    }
}
