import ArgumentParser
import Datasets
import Experiments
import Foundation
import Vocabulary

/// `baselines eval`: saved weights evaluated again, written as a run record.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a run's saved weights (run --save-checkpoints) on a split.",
        discussion: """
            Finds the run by the weights file's name in --results, builds its model with the \
            recorded hyperparameters, loads the weights and prints the run's record with the \
            split's predictions and metrics (one JSON line), or appends it to --output.
            """)

    @Option(help: "The weights file (<results>.weights/<run id>.h5).") var checkpoint: String
    @Option(help: "The run log that recorded the run.") var results = "results/runs.jsonl"
    @Option(
        help: "The split (default: the data's reported split: val, or test where there is one).")
    var split: Split?
    @Option(help: "Append the record to this run log instead of printing it.") var output: String?
    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var blas: BLASOptions

    func run() throws {
        blas.apply()
        let dataset: IndoMERDataset
        do { dataset = try dataOptions.load(log: { printNote($0) }) } catch let error as DataError {
            printNote("error: \(error)")
            throw ExitCode.failure
        }
        let record: RunRecord
        do {
            record = try WeightsEvaluation.evaluate(
                weights: checkpoint, runs: RunStore(path: results), dataset: dataset, split: split)
        } catch let error as SpecError {
            printNote("error: \(error)")
            throw ExitCode.failure
        }
        if let output {
            guard output != results else {
                throw ValidationError("--output must not be the run log the run is recorded in")
            }
            try RunStore(path: output).append(record)
        } else {
            print(String(decoding: try RunStore.line(record), as: UTF8.self))
        }
        if let metrics = record.metrics {
            printNote(
                "\(record.model.displayName) \(record.task) \(record.modalities) on \(record.reportedSplit?.rawValue ?? "?"): "
                    + "accuracy \(TextTable.number(metrics.accuracy)), macro-F1 \(TextTable.number(metrics.macroF1))"
            )
        }
    }
}
