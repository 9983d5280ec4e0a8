import ArgumentParser
import Autograd
import Datasets
import Experiments
import Foundation
import FusionModels
import Vocabulary

/// `baselines bench grid`: one real epoch of each model setting of a spec, and the projected
/// wall time of the whole spec on this machine and on N Slurm array tasks.
struct GridBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grid",
        abstract:
            "Train one epoch of each model setting of a spec and project the whole spec's wall time (one process, N array tasks)."
    )

    @Option(help: "Grid spec (JSON).") var spec = "experiments/paper.json"
    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var blas: BLASOptions
    @Option(parsing: .upToNextOption, help: "Only these models.") var models: [ModelName] = []
    @Option(parsing: .upToNextOption, help: "Only these modality subsets (any order of T, A, V).")
    var modalities: [ModalitySubset] = []
    @Option(parsing: .upToNextOption, help: "Array task counts to project for.") var arrayTasks:
        [Int] = [1, 4, 16, 64]
    @Option(
        help:
            "Epochs a run trains when early stopping ends it before its cap (an assumption, stated in the output)."
    )
    var epochsPerRun = 20
    @Option(
        help:
            "A run log of this grid (e.g. results/reference/runs.jsonl): compare each recorded run's wall time with the projection for its epochs, and with --plan's estimate."
    )
    var compare: String?
    @Flag(help: "Skip --plan's step-based estimate (it times two steps per setting).")
    var noPlanEstimate = false

    func run() throws {
        var grid = try GridSpec.load(path: spec)
        if !models.isEmpty { grid.models = models }
        if !modalities.isEmpty { grid.modalities = modalities }
        blas.apply(defaultThreads: grid.threads)
        let dataset = try dataOptions.load(for: grid, log: { printNote($0) })
        let runner = GridRunner(spec: grid, dataset: dataset, store: RunStore(path: "/dev/null"))
        print(
            "bench grid: \(spec) on \(dataset.isSynthetic ? "the SYNTHETIC IndoMER" : dataset.source); \(BLASInfo.current.line)"
        )
        print(
            TextTable.pad("model", 9) + TextTable.pad("mod", 5) + TextTable.pad("batch", 7)
                + TextTable.pad("epoch s", 10)
                + TextTable.pad("eval s", 9) + TextTable.pad("--plan epoch s", 16)
                + "recorded runs: wall s / projected (median ratio)")
        let recorded = compare.map { RunStore(path: $0).records() } ?? []
        var timings: [GridProjection.Setting: GridProjection.EpochTiming] = [:]
        for setting in GridProjection.settings(runner) {
            let t = try GridProjection.measure(setting, runner: runner)
            timings[setting] = t
            let first = runner.shardRuns.first {
                $0.model.fusionModel == setting.model && $0.modalities == setting.modalities
            }!
            let plan =
                noPlanEstimate
                ? "-"
                : TextTable.number(GridPlan.estimatedEpochSeconds(runner: runner, run: first), 1)
            let letters = setting.modalities.letters
            let matching = recorded.filter {
                $0.model == setting.model && $0.modalities == setting.modalities && !$0.failed
                    && $0.epochs > 0
            }
            let ratios = matching.map { r in
                (r.wallSeconds - (r.robustnessSeconds ?? 0))
                    / (Double(r.epochs) * t.epochSeconds + t.evaluationSeconds)
            }.sorted()
            let comparison =
                ratios.isEmpty
                ? "-"
                : "\(matching.count) run(s), median \(TextTable.number(ratios[ratios.count / 2], 2))"
            print(
                TextTable.pad(setting.model.displayName, 9) + TextTable.pad(letters, 5)
                    + TextTable.pad("\(setting.batchSize)", 7)
                    + TextTable.pad(TextTable.number(t.epochSeconds, 1), 10)
                    + TextTable.pad(TextTable.number(t.evaluationSeconds, 1), 9)
                    + TextTable.pad(plan, 16) + comparison)
        }
        let projection = GridProjection(runner: runner, timings: timings)
        let trained = projection.runs.filter { $0.setting != nil }.count
        print("\n\(projection.runs.count) runs (\(trained) trained); projected wall time:")
        print(
            TextTable.pad("array tasks", 17) + TextTable.pad("every run to its cap", 24)
                + TextTable.pad("every run stopped after \(epochsPerRun) epochs (assumed)", 50)
                + "the same two, runs dealt by position (k mod N) as before")
        for tasks in arrayTasks where tasks >= 1 {
            let caps = { (r: GridProjection.ProjectedRun) in r.epochsCap }
            let early = { (r: GridProjection.ProjectedRun) in Swift.min(r.epochsCap, epochsPerRun) }
            let times = [
                projection.wallSeconds(tasks: tasks, epochs: caps),
                projection.wallSeconds(tasks: tasks, epochs: early),
                projection.wallSeconds(tasks: tasks, cut: .byPosition, epochs: caps),
                projection.wallSeconds(tasks: tasks, cut: .byPosition, epochs: early),
            ].map(GridPlan.duration)
            print(
                TextTable.pad(tasks == 1 ? "1 (one process)" : "\(tasks)", 17)
                    + TextTable.pad(times[0], 24) + TextTable.pad(times[1], 50)
                    + "\(times[2]) / \(times[3])")
        }
        print(
            "(each array task with \(BLAS.threads) thread(s), as here; the same machine per task assumed)"
        )
        if let tuning = grid.tuning {
            // `baselines tune`: the grid's runs twice (default and tuned settings) plus, per model,
            // task and subset, `trials` runs of one seed, each timed as the default setting.
            let trained = projection.runs.filter { $0.setting != nil }
            let searches = Dictionary(grouping: trained) {
                "\($0.run.model)|\($0.run.task)|\($0.run.modalities)"
            }.values.map(\.[0])
            for (label, epochs) in [
                ("to their caps", { (r: GridProjection.ProjectedRun) in r.epochsCap }),
                ("stopped after \(epochsPerRun) epochs", { Swift.min($0.epochsCap, epochsPerRun) }),
            ] {
                let runs = 2 * projection.wallSeconds(tasks: 1, epochs: epochs)
                let trials =
                    Double(tuning.trials)
                    * searches.map { projection.seconds($0, epochs: epochs) }.reduce(0, +)
                print(
                    "baselines tune, every run \(label): \(searches.count) searches x \(tuning.trials) trials \(GridPlan.duration(trials)) + default and tuned runs \(GridPlan.duration(runs)) = \(GridPlan.duration(trials + runs)) on one process (each trial timed at the default settings; drawn configurations differ)"
                )
            }
        }
    }
}
