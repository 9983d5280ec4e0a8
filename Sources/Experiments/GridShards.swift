import Autograd
import Foundation
import FusionModels
import Vocabulary

/// How a grid is cut into `--shard i/N` pieces (Slurm array tasks): balanced by each run's
/// cost, so that the array's wall time, its slowest task's, comes near the whole grid's over
/// N.
///
/// Cutting by position (run k to task k mod N) put every run of one model in the same tasks
/// whenever N shares a factor with the grid's cycle of models (`ablation.json` on 8 tasks: one
/// task held 47 of the grid's 158 projected hours). Here the runs are taken most costly first
/// and each goes to the task with the least cost so far (ties to the task with fewer runs,
/// then the lower one; "longest processing time first"), the cost being `RunCost`'s multiply-adds: deterministic, so that
/// every array task, computing the cut on its own, computes the same one.
public enum GridShards {
    /// The task (0-based) of each run, for `costs` in grid order.
    public static func assign(costs: [Int], count: Int) -> [Int] {
        precondition(count >= 1, "\(count) shards")
        var owners = [Int](repeating: 0, count: costs.count)
        var load = [Int](repeating: 0, count: count)
        var held = [Int](repeating: 0, count: count)
        let order = costs.indices.sorted { (costs[$0], $1) > (costs[$1], $0) }
        for run in order {
            // The least cost so far, then the fewest runs (free runs spread too), then the lower task.
            let task = load.indices.min { (load[$0], held[$0], $0) < (load[$1], held[$1], $1) }!
            owners[run] = task
            load[task] += costs[run]
            held[task] += 1
        }
        return owners
    }
}

/// A run's cost for cutting a grid into shards: the multiply-adds (GEMMs and attention) of one
/// forward pass of its model over a fixed sample of the task's training clips (the first
/// `sampleClips`; `MultiplyAdds.counting`, this caller's work only), times its epoch cap; 0 for a reference. It depends only on the data, the
/// model's settings, its subset and protocol, never on timing, so every array task computes
/// the same. Backward passes cost about twice their forward for every model, and the number of
/// training clips is the grid's, so the forward pass ranks runs as an epoch does.
public enum RunCost {
    public static let sampleClips = 8

    /// Forward-pass counts by model setting (a setting's key names everything its count
    /// depends on, so a spec changed later cannot read a stale one).
    public final class Counts: @unchecked Sendable {
        private var values: [String: Int] = [:]
        private let lock = NSLock()
        public init() {}
        func value(_ key: String, _ compute: () -> Int) -> Int {
            if let v = lock.withLock({ values[key] }) { return v }
            let v = compute()
            lock.withLock { values[key] = v }
            return v
        }
    }

    /// Each run's cost in grid order; one forward pass per distinct model setting.
    public static func costs(_ runner: GridRunner, counts: Counts = Counts()) -> [Int] {
        runner.spec.runs.map { run in
            guard let kind = run.model.fusionModel else { return 0 }
            let training = runner.trainingConfig(run)
            let (hyperparameters, _) = runner.settings(run)
            let key =
                "\(kind.rawValue)|\(run.modalities.letters)|\(run.task.name)|\(hyperparameters)|\(training.dataProtocol.rawValue)"
            let forward = counts.value(key) { forwardMultiplyAdds(kind, run: run, runner: runner) }
            return forward * training.epochs
        }
    }

    /// Multiply-adds of one evaluation-mode forward pass over the sample (at least 1).
    static func forwardMultiplyAdds(
        _ kind: ModelName, run: GridSpec.Run, runner: GridRunner
    )
        -> Int
    {
        let dataset = runner.dataset
        let modalities = run.modalities.members
        let problem = FusionProblem(
            dataset, modalities: modalities, task: run.task,
            inputProtocol: runner.trainingConfig(run).dataProtocol)
        let model = runner.spec.hyperparameters.make(
            kind, problem: problem, generator: Generator(seed: 0))
        model.eval()
        let clips = Array(dataset.indices(in: .train, for: run.task).prefix(sampleClips))
        guard !clips.isEmpty else { return 1 }
        let batch = Batcher(
            dataset: dataset, modalities: modalities, task: run.task, needs: model.inputNeeds
        ).batch(clips)
        let (_, count) = MultiplyAdds.counting { noGrad { model(batch) } }
        return Swift.max(count, 1)
    }
}
