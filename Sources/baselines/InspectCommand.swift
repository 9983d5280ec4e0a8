import ArgumentParser
import Datasets
import Foundation

/// `baselines inspect PATH`: what a feature pickle, a release folder or a cache holds.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show what a .pkl feature file, a release folder or an .h5 cache holds.",
        discussion:
            "For an MMSA-format pickle (a dict of train, valid and test): its splits, shapes, true lengths and classes per task. For another .pkl: one line per entry with its name, shape (TxD), dtype and the sum of its values. For a folder or an .h5 cache: clips per split, class counts, shapes, true-length statistics and NaN counts. A refused file exits non-zero with the reason."
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
                let value = try RestrictedUnpickler.load(path: path)
                if MMSAFeatures.isMMSA(value) {
                    print(try MMSAFeatures.read(value, path: path, nonFinite: .zero).summary)
                } else {
                    for line in value.entryLines { print(line) }
                }
            }
        } catch let error as DataError {
            printNote("error: \(error)")
            throw ExitCode.failure
        }
    }
}
