import ArgumentParser
import Autograd
import Datasets
import Experiments
import Foundation
import FusionModels
import Vocabulary

/// `baselines models`: parameter counts at IndoMER's feature widths.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract:
            "Parameter counts of the six models at IndoMER's feature widths (default hyperparameters)."
    )

    @Option(parsing: .upToNextOption, help: "Models.") var models: [ModelName] = ModelName
        .fusionModels
    @Option(parsing: .upToNextOption, help: "Modality subsets (any order of T, A, V).")
    var modalities: [ModalitySubset] = [.all]
    @Option(help: "Task (sets the number of classes).") var task: ClassificationTask = .sentiment
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
        print(
            TextTable.pad("model", 10) + TextTable.pad("modalities", 12)
                + TextTable.pad("classes", 9) + "parameters")
        for kind in models {
            for subset in modalities {
                let model = ModelConfigurations().make(
                    kind, problem: .indoMER(subset.members, task: task),
                    generator: Generator(seed: 0))
                print(
                    TextTable.pad(kind.displayName, 10) + TextTable.pad(subset.letters, 12)
                        + TextTable.pad("\(task.classCount)", 9) + "\(model.parameterCount)")
            }
        }
    }
}
