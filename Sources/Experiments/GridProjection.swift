import Datasets
import Foundation
import FusionModels
import Vocabulary

/// How long a whole grid takes, projected from one measured epoch of each model setting
/// (`baselines bench grid`): per run, its epochs times the measured epoch plus its evaluations;
/// in total on one process, and on N Slurm array tasks, each holding the runs that
/// `--shard i/N` gives it (`GridShards`, balanced by cost), so the array's wall time is its
/// slowest task's; beside it the cut by position (run k to task k mod N) that shards used
/// before, for comparison.
public struct GridProjection {
    /// One measured model setting: `model` on `modalities` with a batch size.
    public struct Setting: Hashable, Sendable {
        public var model: ModelName
        public var modalities: ModalitySubset
        public var batchSize: Int
    }

    /// One epoch (training steps and the inner-fold evaluation) and one evaluation of the
    /// reported split, measured by training the run for one epoch.
    public struct EpochTiming: Sendable {
        public var epochSeconds: Double
        public var evaluationSeconds: Double
    }

    public struct ProjectedRun: Sendable {
        public var run: GridSpec.Run
        public var setting: Setting?
        public var epochsCap: Int
        /// Evaluations of the reported split: once, plus once per robustness condition.
        public var evaluations: Int
    }

    public var runs: [ProjectedRun]
    public var timings: [Setting: EpochTiming]
    /// `RunCost`'s cost of each run (what `--shard` balances).
    public var costs: [Int]

    /// How runs are dealt to array tasks.
    public enum Cut: Sendable {
        /// `GridShards`: by cost, as `--shard` does.
        case balanced
        /// Run k to task k mod N.
        case byPosition
    }

    /// The settings of a runner's shard runs, each once, in grid order (references take none).
    public static func settings(_ runner: GridRunner) -> [Setting] {
        var seen: Set<Setting> = []
        return runner.shardRuns.compactMap { run in
            guard let kind = run.model.fusionModel else { return nil }
            let setting = Setting(
                model: kind, modalities: run.modalities,
                batchSize: runner.trainingConfig(run).batchSize)
            return seen.insert(setting).inserted ? setting : nil
        }
    }

    /// Trains the first run of `setting` in the runner's grid for one epoch (robustness off, no
    /// checkpoint) and times the epoch; `evaluationSeconds` is the rest of the call (building
    /// the model and the inner fold, restoring the kept epoch, and evaluating the reported
    /// split), counted once per evaluation of a run.
    public static func measure(_ setting: Setting, runner: GridRunner) throws -> EpochTiming {
        let run = runner.shardRuns.first {
            $0.model.fusionModel == setting.model && $0.modalities == setting.modalities
        }!
        var training = runner.trainingConfig(run)
        training.epochs = 1
        training.robustness = false
        let start = Date()
        var epochSeconds = 0.0
        _ = try Trainer().train(
            setting.model, configurations: runner.spec.hyperparameters, training: training,
            dataset: runner.dataset,
            task: run.task, modalities: run.modalities.members, seed: run.seed
        ) { epochSeconds = $0.seconds }
        return EpochTiming(
            epochSeconds: epochSeconds,
            evaluationSeconds: Date().timeIntervalSince(start) - epochSeconds)
    }

    public init(runner: GridRunner, timings: [Setting: EpochTiming]) {
        self.timings = timings
        costs = runner.shard.count == 1 ? runner.runCosts : runner.shardRuns.map { _ in 1 }
        runs = runner.shardRuns.map { run in
            let training = runner.trainingConfig(run)
            let setting = run.model.fusionModel.map {
                Setting(model: $0, modalities: run.modalities, batchSize: training.batchSize)
            }
            let conditions =
                training.robustness
                ? RobustnessCondition.standard(for: run.modalities.members).count : 0
            return ProjectedRun(
                run: run, setting: setting, epochsCap: training.epochs, evaluations: 1 + conditions)
        }
    }

    /// A run's seconds when it trains `epochs(run)` epochs (references: 0).
    public func seconds(_ run: ProjectedRun, epochs: (ProjectedRun) -> Int) -> Double {
        guard let setting = run.setting, let t = timings[setting] else { return 0 }
        return Double(epochs(run)) * t.epochSeconds + Double(run.evaluations) * t.evaluationSeconds
    }

    /// Wall time on `tasks` array tasks (1: one process): the slowest task's sum.
    public func wallSeconds(
        tasks: Int, cut: Cut = .balanced, epochs: (ProjectedRun) -> Int
    ) -> Double {
        let owners =
            cut == .balanced
            ? GridShards.assign(costs: costs, count: tasks) : runs.indices.map { $0 % tasks }
        var perTask = [Double](repeating: 0, count: tasks)
        for (k, run) in runs.enumerated() { perTask[owners[k]] += seconds(run, epochs: epochs) }
        return perTask.max() ?? 0
    }
}
