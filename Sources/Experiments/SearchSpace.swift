import Autograd
import Datasets
import Foundation
import FusionModels
import Vocabulary

/// The hyperparameter search spaces of `baselines tune`, as data (`experiments/search.json`):
/// per model, parameters each drawn from a distribution. A parameter names a hyperparameter of
/// the model's configuration (a dotted path for nested ones: `hidden.text`), or a training
/// setting as `training.<key>`; several comma-separated names are drawn together, one choice
/// setting them all (`dim,heads`: `[[30, 6], [50, 10]]`).
///
/// Distributions: `{"choice": [v₁, …]}` (uniform over the values, as MMSA's tune mode draws),
/// `{"uniform": [low, high]}` and `{"logUniform": [low, high]}`.
public struct SearchSpace {
    public enum Distribution {
        case choice([Any])
        case uniform(Double, Double)
        case logUniform(Double, Double)

        /// `choice of 5`, `uniform [0, 0.5]`, `log-uniform [1e-4, 1e-2]`.
        public var summary: String {
            switch self {
            case .choice(let values): "choice of \(values.count)"
            case .uniform(let lo, let hi): "uniform [\(lo), \(hi)]"
            case .logUniform(let lo, let hi): "log-uniform [\(lo), \(hi)]"
            }
        }
    }

    public struct Parameter {
        /// As written in the file: `hidden`, `training.learningRate`, `dim,heads`.
        public var name: String
        public var keys: [String]
        public var distribution: Distribution
    }

    public var description: String
    /// Each model's parameters, sorted by name (the order of the draws).
    public var parameters: [ModelName: [Parameter]]

    /// Loads and checks a search-space file against the models' configurations: every name must
    /// be a setting of its model (or of training), and a joint choice must give each name a value.
    public static func load(path: String) throws -> SearchSpace {
        guard let data = FileManager.default.contents(atPath: path),
            let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        else {
            throw SpecError(file: path, message: "no such search-space file, or not a JSON object")
        }
        let hyperparameters = try GridSpec.jsonObject(ModelConfigurations()) as! [String: Any]
        let training = try GridSpec.jsonObject(TrainingConfig()) as! [String: Any]
        var parameters: [ModelName: [Parameter]] = [:]
        for (name, value) in object where name != "description" {
            guard let model = ModelName(rawValue: name), let kind = model.fusionModel else {
                throw SpecError(
                    file: path,
                    message:
                        "unknown model '\(name)' (models: \(ModelName.fusionModels.map(\.rawValue).joined(separator: ", ")))"
                )
            }
            guard let entries = value as? [String: Any] else {
                throw SpecError(file: path, message: "\(name) must be an object")
            }
            let config = hyperparameters[kind.rawValue] as! [String: Any]
            parameters[model] = try entries.keys.sorted().map { key in
                let keys = key.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                for k in keys {
                    let known =
                        k.hasPrefix("training.")
                        ? training[String(k.dropFirst(9))] != nil
                        : Self.value(at: k, in: config) != nil
                    guard known else {
                        throw SpecError(
                            file: path,
                            message:
                                "\(name).\(key): '\(k)' is not a setting of \(name) (nor training.<setting>)"
                        )
                    }
                }
                let distribution = try Self.distribution(
                    entries[key]!, names: keys, at: "\(name).\(key)", file: path)
                return Parameter(name: key, keys: keys, distribution: distribution)
            }
        }
        return SearchSpace(
            description: object["description"] as? String ?? "", parameters: parameters)
    }

    static func distribution(
        _ value: Any, names: [String], at place: String, file: String
    ) throws -> Distribution {
        guard let object = value as? [String: Any], object.count == 1,
            let (kind, raw) = object.first
        else {
            throw SpecError(
                file: file,
                message:
                    "\(place) must be one of {\"choice\": [...]}, {\"uniform\": [low, high]}, {\"logUniform\": [low, high]}"
            )
        }
        switch kind {
        case "choice":
            guard let values = raw as? [Any], !values.isEmpty else {
                throw SpecError(file: file, message: "\(place): a choice needs a non-empty list")
            }
            if names.count > 1, !values.allSatisfy({ ($0 as? [Any])?.count == names.count }) {
                throw SpecError(
                    file: file,
                    message: "\(place): each choice must list \(names.count) values, one per name")
            }
            return .choice(values)
        case "uniform", "logUniform":
            guard names.count == 1, let bounds = raw as? [Double], bounds.count == 2,
                bounds[0] <= bounds[1], bounds[0] >= 0,
                kind == "uniform" || bounds[0] > 0
            else {
                throw SpecError(
                    file: file,
                    message:
                        "\(place): \(kind) takes [low, high] with 0 \(kind == "uniform" ? "<=" : "<") low <= high, for one name"
                )
            }
            return kind == "uniform"
                ? .uniform(bounds[0], bounds[1]) : .logUniform(bounds[0], bounds[1])
        default:
            throw SpecError(
                file: file,
                message: "\(place): unknown distribution '\(kind)' (choice, uniform, logUniform)")
        }
    }

    /// The value at a dotted path of a JSON object.
    static func value(at path: String, in object: [String: Any]) -> Any? {
        let parts = path.split(separator: ".").map(String.init)
        var current: Any = object
        for part in parts {
            guard let next = (current as? [String: Any])?[part] else { return nil }
            current = next
        }
        return current
    }

    static func setting(_ value: Any, at path: [String], in object: [String: Any]) -> [String: Any]
    {
        var result = object
        if path.count == 1 {
            result[path[0]] = value
        } else {
            result[path[0]] = setting(
                value, at: Array(path.dropFirst()), in: object[path[0]] as? [String: Any] ?? [:])
        }
        return result
    }

    /// One configuration of `model`: each parameter drawn in name order from `generator`, as
    /// (setting, JSON value) pairs with joint names expanded.
    public func sample(_ model: ModelName, generator: Generator) -> [(key: String, value: Any)] {
        (parameters[model] ?? []).flatMap { p -> [(key: String, value: Any)] in
            switch p.distribution {
            case .choice(let values):
                let drawn = values[generator.int(below: values.count)]
                return p.keys.count == 1
                    ? [(p.keys[0], drawn)] : zip(p.keys, drawn as! [Any]).map { ($0, $1) }
            case .uniform(let lo, let hi):
                return [(p.keys[0], lo + (hi - lo) * generator.uniform())]
            case .logUniform(let lo, let hi):
                return [
                    (
                        p.keys[0],
                        Foundation.exp(
                            Foundation.log(lo) + (Foundation.log(hi) - Foundation.log(lo))
                                * generator.uniform())
                    )
                ]
            }
        }
    }

    /// The generator of trial `index` of `model` on a task and subset: its own seed, so that a
    /// trial draws the same configuration whatever shard or order runs it.
    public static func generator(
        seed: UInt64, model: ModelName, task: ClassificationTask, modalities: ModalitySubset,
        index: Int
    ) -> Generator {
        var h = SHA256()
        h.update(
            "\(seed)|\(model.rawValue)|\(task.name)|\(modalities.letters)|\(index)"
        )
        return Generator(seed: UInt64(h.finalize().prefix(16), radix: 16)!)
    }

    /// `spec` with `values` set on `model`'s hyperparameters and training settings.
    public static func apply(
        _ values: [(key: String, value: Any)], to spec: GridSpec, model: ModelName
    ) throws -> GridSpec {
        var result = spec
        guard let kind = model.fusionModel else { return result }
        var all = try GridSpec.jsonObject(spec.hyperparameters) as! [String: Any]
        var config = all[kind.rawValue] as! [String: Any]
        var training = try GridSpec.jsonObject(spec.training[model]!) as! [String: Any]
        for (key, value) in values {
            if key.hasPrefix("training.") {
                training[String(key.dropFirst(9))] = value
            } else {
                config = setting(value, at: key.split(separator: ".").map(String.init), in: config)
            }
        }
        all[kind.rawValue] = config
        result.hyperparameters = try JSONDecoder().decode(
            ModelConfigurations.self, from: JSONSerialization.data(withJSONObject: all))
        result.training[model] = try JSONDecoder().decode(
            TrainingConfig.self, from: JSONSerialization.data(withJSONObject: training))
        return result
    }

    /// Drawn values as canonical JSON text (sorted keys), for records and tables.
    public static func text(_ values: [(key: String, value: Any)]) -> String {
        let object = Dictionary(values.map { ($0.key, $0.value) }, uniquingKeysWith: { _, b in b })
        let data =
            (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
