import Datasets
import Foundation
import FusionModels
import Vocabulary

/// A grid: models x tasks x modality subsets x seeds, with how each model is trained.
///
/// JSON, with strict keys (a misspelt key is an error, not a silent default). `base` names
/// another spec in the same folder whose values this one overrides.
///
/// Training settings resolve layer by layer, each later layer winning for the keys it sets:
/// 1. the built-in defaults (`TrainingConfig()`);
/// 2. the model's published schedule, `training.<model>` in `experiments/models.json`;
/// 3. for each spec file from the deepest `base` to the spec itself: its `training` (every
///    model), then its `perModel.<model>.training` (that model).
///
/// So a derived spec's top-level `epochs` overrides a base spec's per-model epoch caps, while
/// the per-model settings it does not name (batch size, learning rate, ...) come through.
/// Hyperparameters: `experiments/models.json` < each file's `perModel.<model>.hyperparameters`,
/// in the same order.
public struct GridSpec: Sendable {
    public var description: String
    /// The grid's name, its spec file's stem (`default`, `paper`): part of every run id, so
    /// that two grids never share a record and each reports its own tables.
    public var name = "grid"
    public var models: [ModelName]
    public var tasks: [ClassificationTask]
    public var modalities: [ModalitySubset]
    public var seeds: [UInt64]
    public var threads: Int
    /// Resolved per model (every model of the grid has an entry).
    public var training: [ModelName: TrainingConfig]
    /// The class-weighting axis (`"classWeights": [false, true]`): each run of a trained model
    /// once per value, overriding its resolved `classWeights`; nil when the spec has no axis.
    public var classWeights: [Bool]?
    public var hyperparameters: ModelConfigurations
    /// The search of `baselines tune` (`"tuning"` in a spec); nil for a plain grid.
    public var tuning: TuningSettings? = nil

    /// A hyperparameter search: `trials` random configurations per model, task and subset,
    /// drawn from `space` (a file beside the spec) with generators seeded from `seed`, each
    /// trained once with the trial seed (the grid's first seed).
    public struct TuningSettings: Codable, Equatable, Sendable {
        public var trials: Int
        public var seed: UInt64
        /// The search-space file, as given (relative to the spec's folder).
        public var space: String
        /// Its path resolved against the spec's folder.
        public var spacePath: String
    }

    /// One run of the grid.
    public struct Run: Sendable, Equatable {
        public var model: ModelName
        public var task: ClassificationTask
        public var modalities: ModalitySubset
        public var seed: UInt64
        /// This run's value on the class-weighting axis (nil: the resolved setting).
        public var classWeights: Bool? = nil
    }

    /// Every run, in a fixed order (task, modalities, model, class weighting, seed): shards cut
    /// this list. The references are not trained, so the class-weighting axis leaves them once.
    /// A model, task, subset or seed listed twice (`TAV` and `VAT` are one subset) is one run.
    public var runs: [Run] {
        Self.unique(tasks).flatMap { task in
            Self.unique(modalities).flatMap { subset in
                Self.unique(models).flatMap { model in
                    let axis: [Bool?] =
                        model.isReference
                        ? [nil] : (classWeights ?? []).isEmpty ? [nil] : classWeights!.map { $0 }
                    return axis.flatMap { weighted in
                        Self.unique(seeds).map {
                            Run(
                                model: model, task: task, modalities: subset, seed: $0,
                                classWeights: weighted)
                        }
                    }
                }
            }
        }
    }
}

extension GridSpec {
    /// Refuses a grid whose tasks are not its data's (checked by run, --plan, bench grid, tune).
    public func checkTasks(of dataset: IndoMERDataset) throws {
        for task in tasks where !dataset.tasks.contains(task) {
            throw SpecError(
                file: name,
                message:
                    "task \(task) is not a task of \(dataset.name) (its tasks: "
                    + dataset.tasks.map(\.name).joined(separator: ", ") + ")")
        }
    }

    /// The modalities some subset of the grid uses: what its data must hold.
    public var neededModalities: [Modality] {
        Modality.allCases.filter { m in modalities.contains { $0.contains(m) } }
    }

    static func unique<T: Hashable>(_ items: [T]) -> [T] {
        var seen = Set<T>()
        return items.filter { seen.insert($0).inserted }
    }

    /// What was listed more than once (and is run once), for a note; nil when nothing was.
    public var duplicatesNote: String? {
        var repeated: [String] = []
        func check<T: Hashable>(_ what: String, _ items: [T], _ name: (T) -> String) {
            let twice = Self.unique(items.filter { item in items.filter { $0 == item }.count > 1 })
            if !twice.isEmpty {
                repeated.append("\(what) \(twice.map(name).joined(separator: ", "))")
            }
        }
        check("model", models, \.rawValue)
        check("task", tasks, \.name)
        check("modality subset", modalities, \.letters)
        check("seed", seeds) { "\($0)" }
        return repeated.isEmpty
            ? nil : "listed more than once, run once: " + repeated.joined(separator: "; ")
    }
}

extension GridSpec {
    static let topLevelKeys: Set<String> = [
        "base", "description", "models", "tasks", "modalities", "seeds", "threads", "training",
        "perModel", "classWeights",
        "tuning",
    ]

    /// `TAV`, `TA`, `V`, ... (order and case ignored) -> the subset.
    public static func parseModalities(_ text: String) throws -> ModalitySubset {
        guard !text.isEmpty else {
            throw SpecError(file: "modalities", message: "an empty modality subset")
        }
        guard let subset = ModalitySubset(letters: text) else {
            throw SpecError(
                file: "modalities",
                message: "'\(text)' is not a modality subset: use the letters T, A, V, each at "
                    + "most once (T, A, V, TA, TV, AV, TAV)")
        }
        return subset
    }

    /// Loads a spec file (following `base`), checking every key and value.
    public static func load(path: String, modelDefaults: String? = nil) throws -> GridSpec {
        let chain = try loadChain(path: path, seen: [])
        let object = chain.dropFirst().reduce(chain[0].object) { merge($0, $1.object) }
        let defaultsPath =
            modelDefaults
            ?? URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent(
                "models.json"
            ).path
        var hyperparameters = ModelConfigurations()
        var schedules: [String: Any] = [:]
        if FileManager.default.fileExists(atPath: defaultsPath) {
            let data = try Data(contentsOf: URL(fileURLWithPath: defaultsPath))
            guard var json = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw SpecError(file: defaultsPath, message: "not a JSON object")
            }
            schedules = json.removeValue(forKey: "training") as? [String: Any] ?? [:]
            try checkKeys(
                json, against: try jsonObject(ModelConfigurations()), at: "", file: defaultsPath)
            hyperparameters = try JSONDecoder().decode(
                ModelConfigurations.self, from: JSONSerialization.data(withJSONObject: json))
            let defaults = try jsonObject(TrainingConfig())
            for (name, schedule) in schedules {
                guard ModelName(rawValue: name)?.fusionModel != nil else {
                    throw SpecError(
                        file: defaultsPath, message: "unknown model '\(name)' in training")
                }
                try checkKeys(
                    schedule, against: defaults, at: "training.\(name)", file: defaultsPath)
            }
        }
        let layers =
            [
                (
                    file: defaultsPath,
                    object: ["perModel": schedules.mapValues { ["training": $0] }] as [String: Any]
                )
            ]
            + chain.map { (file: $0.path, object: $0.object) }
        var spec = try parse(
            object, file: path, hyperparameters: hyperparameters, trainingLayers: layers)
        spec.name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        return spec
    }

    /// The spec and its bases, the deepest base first.
    private static func loadChain(
        path: String, seen: Set<String>
    ) throws -> [(path: String, object: [String: Any])] {
        let absolute =
            path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        let resolved = URL(fileURLWithPath: (absolute as NSString).standardizingPath)
            .resolvingSymlinksInPath().path
        guard !seen.contains(resolved) else {
            throw SpecError(file: path, message: "'base' refers back to itself")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SpecError(file: path, message: "no such spec file")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw SpecError(file: path, message: "not a JSON object")
        }
        for key in object.keys where !topLevelKeys.contains(key) {
            throw SpecError(
                file: path,
                message:
                    "unknown key '\(key)' (allowed: \(topLevelKeys.sorted().joined(separator: ", ")))"
            )
        }
        guard let base = object["base"] else { return [(path, object)] }
        guard let name = base as? String else {
            throw SpecError(file: path, message: "'base' must be a file name")
        }
        let basePath = URL(fileURLWithPath: path).deletingLastPathComponent()
            .appendingPathComponent(name).path
        return try loadChain(path: basePath, seen: seen.union([resolved])) + [(path, object)]
    }

    /// `override` laid over `base`: objects merge key by key, anything else replaces.
    static func merge(_ base: [String: Any], _ override: [String: Any]) -> [String: Any] {
        var result = base
        for (key, value) in override {
            if let b = base[key] as? [String: Any], let o = value as? [String: Any] {
                result[key] = merge(b, o)
            } else {
                result[key] = value
            }
        }
        return result
    }

    static func jsonObject<T: Encodable>(_ value: T) throws -> Any {
        try JSONSerialization.jsonObject(with: JSONEncoder().encode(value))
    }

    /// A JSON value's kind, for type checks (booleans count as numbers: Foundation does not
    /// tell them apart on every platform; the decoder then does).
    static func kind(_ v: Any) -> String {
        switch v {
        case is String: "a string"
        case is [Any]: "a list"
        case is [String: Any]: "an object"
        case is NSNull: "null"
        default: "a number"
        }
    }

    /// Every key of `value` must exist in `defaults` with a value of the same kind, recursively
    /// through objects; a negative number is refused (no setting or size here can be negative).
    static func checkKeys(_ value: Any, against defaults: Any, at path: String, file: String) throws
    {
        guard kind(value) == kind(defaults) || (defaults is [Any] && value is [Any]) else {
            throw SpecError(
                file: file,
                message: "'\(path)' must be \(kind(defaults)), not \(kind(value)) (\(value))")
        }
        if let n = value as? NSNumber, !(value is Bool), n.doubleValue < 0 {
            throw SpecError(file: file, message: "'\(path)' must not be negative (\(n))")
        }
        guard let object = value as? [String: Any] else { return }
        guard let reference = defaults as? [String: Any] else {
            throw SpecError(file: file, message: "'\(path)' must not be an object")
        }
        for (key, v) in object {
            let here = path.isEmpty ? key : "\(path).\(key)"
            guard let d = reference[key] else {
                throw SpecError(
                    file: file,
                    message:
                        "unknown key '\(here)' (allowed: \(reference.keys.sorted().joined(separator: ", ")))"
                )
            }
            try checkKeys(v, against: d, at: here, file: file)
        }
    }

    static func parse(
        _ object: [String: Any], file: String, hyperparameters: ModelConfigurations,
        trainingLayers: [(file: String, object: [String: Any])]? = nil
    ) throws -> GridSpec {
        func list<T>(_ key: String, _ convert: (Any) throws -> T) throws -> [T] {
            guard let raw = object[key] else {
                throw SpecError(file: file, message: "missing '\(key)'")
            }
            guard let items = raw as? [Any], !items.isEmpty else {
                throw SpecError(file: file, message: "'\(key)' must be a non-empty list")
            }
            return try items.map(convert)
        }
        /// A name from the vocabulary, or an error listing the names there are.
        func named<T>(
            _ what: String, _ v: Any, _ lookup: (String) -> T?, _ known: [String]
        ) throws
            -> T
        {
            guard let s = v as? String, let value = lookup(s) else {
                throw SpecError(
                    file: file,
                    message: "unknown \(what) '\(v)' (\(what)s: \(known.joined(separator: ", ")))")
            }
            return value
        }
        let models = try list("models") {
            try named("model", $0, ModelName.init(rawValue:), ModelName.allCases.map(\.rawValue))
        }
        let tasks = try list("tasks") {
            try named(
                "task", $0, ClassificationTask.init(named:), ClassificationTask.known.map(\.name))
        }
        let subsets = try list("modalities") { v -> ModalitySubset in
            guard let s = v as? String else {
                throw SpecError(file: file, message: "modality subsets are strings such as \"TAV\"")
            }
            do { return try parseModalities(s) } catch let e as SpecError {
                throw SpecError(file: file, message: e.message)
            }
        }
        let seeds = try list("seeds") { v -> UInt64 in
            guard let n = v as? Int, n >= 0 else {
                throw SpecError(file: file, message: "seeds are non-negative integers, not '\(v)'")
            }
            return UInt64(n)
        }
        if let d = object["description"], !(d is String) {
            throw SpecError(file: file, message: "'description' must be a string")
        }
        if let t = object["threads"],
            kind(t) != "a number" || (t as? Double).map({ $0 != $0.rounded() }) == true
        {
            throw SpecError(
                file: file, message: "'threads' must be a whole number, not \(kind(t)) (\(t))")
        }
        let threads = (object["threads"] as? Int) ?? 2
        guard threads >= 1 else {
            throw SpecError(file: file, message: "'threads' must be at least 1")
        }

        let defaultTraining = try jsonObject(TrainingConfig())
        var training: [ModelName: TrainingConfig] = [:]
        var configs = hyperparameters
        let layers = trainingLayers ?? [(file: file, object: object)]
        for layer in layers {
            if let t = layer.object["training"] {
                try checkKeys(t, against: defaultTraining, at: "training", file: layer.file)
            }
        }
        let perModel = object["perModel"] as? [String: Any] ?? [:]
        for (name, value) in perModel {
            guard let model = ModelName(rawValue: name) else {
                throw SpecError(file: file, message: "unknown model '\(name)' in perModel")
            }
            guard let entry = value as? [String: Any] else {
                throw SpecError(file: file, message: "perModel.\(name) must be an object")
            }
            for key in entry.keys where key != "training" && key != "hyperparameters" {
                throw SpecError(
                    file: file,
                    message:
                        "unknown key 'perModel.\(name).\(key)' (allowed: training, hyperparameters)"
                )
            }
            if let t = entry["training"] {
                try checkKeys(
                    t, against: defaultTraining, at: "perModel.\(name).training", file: file)
            }
            if let h = entry["hyperparameters"] {
                guard let kind = model.fusionModel else {
                    throw SpecError(file: file, message: "\(name) has no hyperparameters")
                }
                let all = try jsonObject(configs) as! [String: Any]
                try checkKeys(
                    h, against: all[kind.rawValue]!, at: "perModel.\(name).hyperparameters",
                    file: file)
                let merged = merge(
                    all,
                    [
                        kind.rawValue: merge(
                            all[kind.rawValue] as! [String: Any], h as? [String: Any] ?? [:])
                    ])
                configs = try JSONDecoder().decode(
                    ModelConfigurations.self, from: JSONSerialization.data(withJSONObject: merged))
            }
        }
        for model in ModelName.allCases {
            var merged = defaultTraining as! [String: Any]
            for layer in layers {
                merged = merge(merged, layer.object["training"] as? [String: Any] ?? [:])
                let own =
                    (layer.object["perModel"] as? [String: Any])?[model.rawValue] as? [String: Any]
                merged = merge(merged, own?["training"] as? [String: Any] ?? [:])
            }
            do {
                training[model] = try JSONDecoder().decode(
                    TrainingConfig.self, from: JSONSerialization.data(withJSONObject: merged))
            } catch {
                throw SpecError(
                    file: file, message: "training settings of \(model.rawValue): \(error)")
            }
            let t = training[model]!
            guard t.batchSize >= 1, t.epochs >= 1, t.accumulation >= 1,
                (0..<1).contains(t.innerFold)
            else {
                throw SpecError(
                    file: file,
                    message:
                        "training settings of \(model.rawValue): batchSize, epochs and accumulation must be at least 1 and innerFold in [0, 1)"
                )
            }
            guard
                t.innerFold > 0 || (t.selection == .macroF1 && t.plateauPatience == 0)
                    || model.isReference
            else {
                throw SpecError(
                    file: file,
                    message:
                        "training settings of \(model.rawValue): selection on the loss and the plateau schedule need an inner fold (innerFold > 0)"
                )
            }
            guard Modality.allCases.allSatisfy({ (0..<1).contains(t.modalityDropout[$0]) }) else {
                throw SpecError(
                    file: file,
                    message:
                        "training settings of \(model.rawValue): modalityDropout values must be in [0, 1)"
                )
            }
            guard t.learningRate > 0, t.weightDecay >= 0, t.patience >= 1, t.plateauPatience >= 0,
                t.clipValue >= 0,
                t.clipNorm >= 0, t.earlyStopThreshold >= 0, t.plateauFactor > 0, t.plateauFactor < 1
            else {
                throw SpecError(
                    file: file,
                    message:
                        "training settings of \(model.rawValue): learningRate and plateauFactor must be positive (plateauFactor below 1), patience at least 1, and weightDecay, plateauPatience, clipValue, clipNorm and earlyStopThreshold not negative"
                )
            }
        }
        var classWeights: [Bool]?
        if let axis = object["classWeights"] {
            guard let values = axis as? [Bool], !values.isEmpty, Set(values).count == values.count
            else {
                throw SpecError(
                    file: file,
                    message:
                        "'classWeights' must be a list of distinct booleans, e.g. [false, true]")
            }
            classWeights = values
        }
        var tuning: TuningSettings?
        if let raw = object["tuning"] {
            guard let t = raw as? [String: Any],
                Set(t.keys).isSubset(of: ["trials", "seed", "space"]),
                let trials = t["trials"] as? Int, trials >= 1, let seed = t["seed"] as? Int,
                seed >= 0
            else {
                throw SpecError(
                    file: file,
                    message:
                        "'tuning' must be {\"trials\": N >= 1, \"seed\": S >= 0, \"space\": \"search.json\"} (space optional)"
                )
            }
            let space = t["space"] as? String ?? "search.json"
            let path =
                space.hasPrefix("/")
                ? space
                : URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent(
                    space
                ).path
            tuning = TuningSettings(
                trials: trials, seed: UInt64(seed), space: space, spacePath: path)
        }
        return GridSpec(
            description: object["description"] as? String ?? "", models: models, tasks: tasks,
            modalities: subsets,
            seeds: seeds, threads: threads, training: training, classWeights: classWeights,
            hyperparameters: configs,
            tuning: tuning)
    }
}
