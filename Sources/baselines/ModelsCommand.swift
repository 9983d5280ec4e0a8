import ArgumentParser
import Autograd
import Datasets
import Experiments
import Foundation
import FusionModels

extension ModelKind: ExpressibleByArgument {}
extension IndoMERTask: ExpressibleByArgument {}

/// `baselines models`: parameter counts at IndoMER's feature widths.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract:
            "Parameter counts of the six models at IndoMER's feature widths (default hyperparameters)."
    )

    @Option(parsing: .upToNextOption, help: "Models.") var models: [ModelKind] = ModelKind.allCases
    @Option(parsing: .upToNextOption, help: "Modality subsets (T, A, V, TA, TV, AV, TAV).")
    var modalities: [String] = ["TAV"]
    @Option(help: "Task (sets the number of classes).") var task: IndoMERTask = .sentiment
    @Flag(
        help:
            "Print the default hyperparameters of every model and the training schedules of experiments/models.json, as JSON, instead."
    )
    var defaults = false

    func run() throws {
        if defaults {
            // The coded hyperparameters, plus the published training schedules kept as data in
            // experiments/models.json (they have no coded copy).
            var object =
                try JSONSerialization.jsonObject(with: JSONEncoder().encode(ModelConfigurations()))
                as! [String: Any]
            guard let data = FileManager.default.contents(atPath: "experiments/models.json"),
                !data.isEmpty,
                let existing = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
            else {
                throw ValidationError(
                    "experiments/models.json is missing or empty: run from the repository root, and write the output elsewhere first (--defaults > /tmp/models.json), since a redirect onto it empties it before it is read"
                )
            }
            object["training"] = existing["training"]
            let text = try JSONSerialization.data(
                withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: text, as: UTF8.self))
            return
        }
        let subsets = try modalities.map(parseModalities)
        print(pad("model", 10) + pad("modalities", 12) + pad("classes", 9) + "parameters")
        for kind in models {
            for subset in subsets {
                let model = ModelConfigurations().make(
                    kind, problem: .indoMER(subset, task: task), generator: Generator(seed: 0))
                print(
                    pad(kind.displayName, 10) + pad(String(subset.map(\.letter)), 12)
                        + pad("\(task.classCount)", 9) + "\(model.parameterCount)")
            }
        }
    }
}

/// `TAV` -> [.text, .audio, .video]; any order, no repeats, at least one.
func parseModalities(_ text: String) throws -> [Modality] {
    do { return try GridSpec.parseModalities(text) } catch let error as SpecError {
        throw ValidationError(error.message)
    }
}
