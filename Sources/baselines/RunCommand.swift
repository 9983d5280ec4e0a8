import ArgumentParser
import Autograd
import Datasets
import Experiments
import Foundation
import FusionModels
import Vocabulary

/// `baselines run` (also `baselines` alone): runs a grid and writes the reports.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract:
            "Run a grid of models x tasks x modality subsets x seeds and write the tables (the default command).",
        discussion: """
            Data: --data DIR or INDOMER_DATA (the IndoMER release, prepared to an HDF5 cache on \
            first use); without either, the built-in SYNTHETIC IndoMER, and every output says so. \
            Finished runs are appended to results/runs.jsonl; a rerun skips them, so a killed grid \
            resumes where it stopped.
            """)

    @Option(help: "Grid spec (JSON).") var spec = "experiments/default.json"
    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var blas: BLASOptions
    @Option(
        parsing: .upToNextOption,
        help: "Only these models.") var models: [ModelName] = []
    @Option(parsing: .upToNextOption, help: "Only these tasks.") var tasks: [ClassificationTask] =
        []
    @Option(parsing: .upToNextOption, help: "Only these modality subsets (any order of T, A, V).")
    var modalities: [ModalitySubset] = []
    @Option(parsing: .upToNextOption, help: "These seeds instead of the spec's.") var seeds:
        [UInt64] = []
    @Option(help: "Epoch cap for every model instead of the spec's.") var epochs: Int?
    @Option(
        name: .customLong("protocol"),
        help:
            "How every model's inputs treat padding, instead of the spec's: true-lengths (padding masked), mmsa (MMSA 2.2.1's data handling and read-outs, in the file's units; rows marked (MMSA protocol)) or mmsa-standardized (the same on the standardised features)."
    )
    var dataProtocol: InputProtocol?
    @Option(help: "Run only shard i of n (e.g. 2/4); merge with `baselines report`.") var shard:
        String?
    @Option(help: "The run log to append to and resume from.") var results = "results/runs.jsonl"
    @Option(help: "Where the tables go.") var reports = "results"
    @Flag(help: "No progress output.") var quiet = false
    @Flag(
        help:
            "Print every run with its resolved training settings and an estimated time, then exit without training."
    )
    var plan = false
    @Flag(help: "With --plan: one JSON object per run instead of a table.") var json = false
    @Flag(
        help:
            "Train again the runs recorded as failed (a loss became NaN or infinite); by default they are skipped."
    )
    var retryFailed = false
    @Flag(
        help:
            "Do not save each run's state after every epoch (<results>.checkpoints/, removed once the run is recorded); a killed run then starts again from epoch 1."
    )
    var noCheckpoints = false
    @Flag(
        help:
            "Save each trained run's selected weights (<results>.weights/<run id>.h5, PyTorch state_dict names), for `baselines eval`."
    )
    var saveCheckpoints = false

    func validate() throws {
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1") }
        if json && !plan {
            throw ValidationError(
                "--json goes with --plan (a run's records are JSON already, in --results)")
        }
        if let shard { _ = try parseShard(shard) }
    }

    func parseShard(_ text: String) throws -> (Int, Int) { try Self.parseShard(text) }

    static func parseShard(_ text: String) throws -> (Int, Int) {
        let pieces = text.split(separator: "/", omittingEmptySubsequences: false)
        let parts = pieces.compactMap { Int($0) }
        guard pieces.count == 2, parts.count == 2, parts[1] >= 1, (1...parts[1]).contains(parts[0])
        else {
            throw ValidationError("--shard \(text): expected i/n with 1 <= i <= n, e.g. 1/3")
        }
        return (parts[0], parts[1])
    }

    func loadSpec() throws -> GridSpec {
        var grid = try GridSpec.load(path: spec)
        if !models.isEmpty { grid.models = models }
        if !tasks.isEmpty { grid.tasks = tasks }
        if !modalities.isEmpty { grid.modalities = modalities }
        if !seeds.isEmpty { grid.seeds = seeds }
        if let epochs { for m in ModelName.allCases { grid.training[m]!.epochs = epochs } }
        // The references read no features: their settings (and run ids) stay as they are.
        if let dataProtocol {
            for m in ModelName.allCases where !m.isReference {
                grid.training[m]!.dataProtocol = dataProtocol
            }
        }
        return grid
    }

    func run() throws {
        #if DEBUG
            printNote(
                "note: this is a debug build (its numeric targets compiled optimised), about \(Self.debugSlowdown) slower than a release build; `swift run -c release baselines` runs at full speed"
            )
        #endif
        let grid: GridSpec
        do { grid = try loadSpec() } catch let error as SpecError {
            printNote("error: \(error)")
            throw ExitCode.failure
        }
        blas.apply(defaultThreads: grid.threads)
        let log: (String) -> Void = quiet ? { _ in } : { printNote($0) }
        let recorded = RunStore(path: results).records().count
        if recorded > 0 {
            log(
                "\(results) already holds \(recorded) finished run(s): runs of this grid recorded there are skipped, not trained again"
            )
        }
        let dataset = try dataOptions.load(for: grid, log: log)
        var runner = GridRunner(spec: grid, dataset: dataset, store: RunStore(path: results))
        if let shard { runner.shard = try parseShard(shard) }
        if plan {
            let planned = GridPlan(runner: runner)
            if json {
                for run in planned.runs { printJSONLine(run) }
            } else {
                print(planned.table)
            }
            return
        }
        runner.log = log
        runner.retryFailed = retryFailed
        runner.checkpoints = !noCheckpoints
        runner.saveWeights = saveCheckpoints
        if !quiet { runner.status = StatusLine.show }
        log("BLAS: \(BLASInfo.current.line)")
        let start = Date()
        try runner.run()
        StatusLine.finish()
        log("grid finished in \(Int(Date().timeIntervalSince(start))) s")
        try ReportBuilder.writeReports(from: [results], to: reports, grid: grid.name, log: log)
    }
}

extension RunCommand {
    /// A debug build's grid time over a release build's (README, "Debug and release builds").
    static let debugSlowdown = "1.2x"
}
