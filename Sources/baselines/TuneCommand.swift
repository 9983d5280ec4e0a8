import ArgumentParser
import Autograd
import Datasets
import Experiments
import Foundation
import Vocabulary

/// `baselines tune`: the hyperparameter search of a spec with `"tuning"`, on the inner fold only,
/// then its runs with the default and the chosen settings, and the reports.
struct TuneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune",
        abstract:
            "Search each model's hyperparameters on the inner fold (never the reported split), then train the grid with the default and the chosen settings.",
        discussion: """
            Phases: `trials` trains the random trials of every model, task and subset (shard them \
            with --shard i/n; each is a run record in --trials-log, resumable like any run); \
            `final` picks the best trial of each search by inner-fold macro-F1 (every trial must be \
            recorded) and trains the spec's seeds with the default settings and with the chosen \
            ones, as (tuned) rows, and writes the reports; `all` (the default) does both. Shards             (--shard) go with --phase trials: the final phase needs every shard's trials, so run             it once they are all recorded.
            """)

    enum Phase: String, ExpressibleByArgument, CaseIterable { case trials, final, all }

    @Option(help: "Grid spec with a \"tuning\" object (JSON).") var spec = "experiments/tune.json"
    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var blas: BLASOptions
    @Option(help: "Which phase to run.") var phase: Phase = .all
    @Option(help: "Run only shard i of n (e.g. 2/4) of the phase's runs.") var shard: String?
    @Option(help: "The trials' run log.") var trialsLog = "results/tune/trials.jsonl"
    @Option(help: "The run log of the default and tuned runs.") var results =
        "results/tune/runs.jsonl"
    @Option(help: "Where the tables go.") var reports = "results/tune"
    @Flag(help: "No progress output.") var quiet = false
    @Flag(help: "Do not save each run's state after every epoch.") var noCheckpoints = false

    func validate() throws {
        if shard != nil && phase != .trials {
            throw ValidationError(
                "--shard goes with --phase trials (the final phase needs every shard's trials); run --phase final once they are all recorded"
            )
        }
        if let shard { _ = try RunCommand.parseShard(shard) }
    }

    func run() throws {
        let grid: GridSpec
        do { grid = try GridSpec.load(path: spec) } catch let error as SpecError {
            printNote("error: \(error)")
            throw ExitCode.failure
        }
        blas.apply(defaultThreads: grid.threads)
        let log: (String) -> Void = quiet ? { _ in } : { printNote($0) }
        let dataset = try dataOptions.load(for: grid, log: log)
        for path in [trialsLog, results] {
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent,
                withIntermediateDirectories: true)
        }
        var runner: TuneRunner
        do {
            runner = try TuneRunner(
                spec: grid, dataset: dataset, trialStore: RunStore(path: trialsLog),
                store: RunStore(path: results))
        } catch let error as SpecError {
            printNote("error: \(error)")
            throw ExitCode.failure
        }
        if let shard { runner.shard = try RunCommand.parseShard(shard) }
        runner.log = log
        runner.checkpoints = !noCheckpoints
        if !quiet { runner.status = StatusLine.show }
        if phase != .final { try runner.runTrials() }
        StatusLine.finish()
        if phase != .trials {
            do { try runner.runFinal() } catch let error as SpecError {
                printNote("error: \(error)")
                throw ExitCode.failure
            }
            StatusLine.finish()
            try ReportBuilder.writeReports(
                from: [trialsLog, results], to: reports, grid: grid.name, log: log)
        }
    }
}
