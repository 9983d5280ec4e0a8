import ArgumentParser
import Datasets
import Foundation

/// `baselines inspect PATH`: what a feature pickle, a release folder or a cache holds.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show what a .pkl feature file, a release folder or an .h5 cache holds.",
        discussion:
            "For a .pkl: one line per entry with its name, shape (TxD), dtype and the sum of its values. For a folder or an .h5 cache: clips per split, class counts, shapes, true-length statistics and NaN counts. A refused file exits non-zero with the reason."
    )

    @Argument(help: "A .pkl file, a release folder or an .h5 cache.") var path: String

    func run() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ValidationError("\(path): no such file or folder")
        }
        do {
            if isDirectory.boolValue {
                print(
                    try IndoMERDataset.loadRelease(at: URL(fileURLWithPath: path), nonFinite: .zero)
                        .summary)
            } else if path.hasSuffix(".h5") {
                print(try FeatureCache.read(from: path).summary)
            } else {
                try inspectPickle()
            }
        } catch let error as DataError {
            printNote("error: \(error)")
            throw ExitCode.failure
        }
    }

    private func inspectPickle() throws {
        let value = try RestrictedUnpickler.load(path: path)
        let entries: [PickleValue] = if case .list(let l) = value { l.items } else { [value] }
        for (index, entry) in entries.enumerated() {
            var name = "#\(index)"
            var arrays: [NumPyArray] = []
            if case .dict(let d) = entry {
                for (key, v) in d.items {
                    if case .string(let s) = v, case .string(let k) = key,
                        k.hasSuffix("name") || k == "sample_id" || k == "id"
                    {
                        name = s
                    }
                    if case .array(let a) = v { arrays.append(a) }
                }
            } else if case .array(let a) = entry {
                arrays.append(a)
            }
            for a in arrays {
                let shape = a.shape.map(String.init).joined(separator: "x")
                let sum = a.floats().reduce(0.0) { $0 + Double($1) }
                print("\(name)\t\(shape)\t\(a.dtype)\t\(String(format: "%.3f", sum))")
            }
        }
    }
}
