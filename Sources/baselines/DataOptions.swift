import ArgumentParser
import Datasets
import Foundation

extension Modality: ExpressibleByArgument {}

/// Where the data come from: a release folder (`--data` or `INDOMER_DATA`), or the built-in
/// synthetic IndoMER.
struct DataOptions: ParsableArguments {
    @Option(help: ArgumentHelp("An IndoMER release folder (default: $INDOMER_DATA; without either, the built-in synthetic IndoMER).", valueName: "dir"))
    var data: String?

    @Option(help: ArgumentHelp("The HDF5 feature cache to use or write (default: <data>/indomer_fusion_cache.h5, in results/ when <data> is read-only; results/synthetic_cache_*.h5 for the synthetic set).", valueName: "path"))
    var cache: String?

    @Flag(help: "Replace NaN and infinite feature values with 0 instead of refusing the data.")
    var zeroNonFinite = false

    enum SyntheticSize: String, ExpressibleByArgument, CaseIterable { case full, tiny }

    @Option(help: "Seed of the synthetic IndoMER.") var syntheticSeed: UInt64 = 2024
    @Option(help: "Size of the synthetic IndoMER: full (the release's sizes) or tiny (5% of the clips, narrow features; for smoke tests).")
    var syntheticSize: SyntheticSize = .full
    @Option(help: "Signal strength of the synthetic IndoMER (0 = pure noise).") var syntheticSignal: Float = 1

    var releaseFolder: String? { data ?? ProcessInfo.processInfo.environment["INDOMER_DATA"] }

    var cachePath: String {
        if let cache { return cache }
        if let folder = releaseFolder {
            // Beside the release when it is writable; a read-only download gets its cache in results/.
            if FileManager.default.isWritableFile(atPath: folder) {
                return URL(fileURLWithPath: folder).appendingPathComponent("indomer_fusion_cache.h5").path
            }
            var hasher = SHA256()
            hasher.update(URL(fileURLWithPath: folder).standardizedFileURL.path)
            return "results/indomer_fusion_cache_\(hasher.finalize().prefix(12)).h5"
        }
        return "results/synthetic_cache_v\(SyntheticIndoMER.version)_\(syntheticSize.rawValue)_seed\(syntheticSeed)_signal\(syntheticSignal).h5"
    }

    var syntheticConfiguration: SyntheticIndoMER.Configuration {
        var c = syntheticSize == .tiny ? SyntheticIndoMER.Configuration.tiny : SyntheticIndoMER.Configuration()
        c.seed = syntheticSeed
        c.signal = syntheticSignal
        return c
    }

    /// Reads the release (or makes the synthetic set) and writes the cache.
    func prepare(modalities: [Modality] = Modality.allCases, log: (String) -> Void) throws -> IndoMERDataset {
        let dataset: IndoMERDataset
        if let folder = releaseFolder {
            log("reading the IndoMER release in \(folder)")
            dataset = try IndoMERDataset.loadRelease(
                at: URL(fileURLWithPath: folder), modalities: modalities, nonFinite: zeroNonFinite ? .zero : .refuse, log: log)
        } else {
            log("no --data and no INDOMER_DATA: generating the built-in SYNTHETIC IndoMER (not the release)")
            dataset = SyntheticIndoMER.generate(syntheticConfiguration)
        }
        let directory = URL(fileURLWithPath: cachePath).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FeatureCache.write(dataset, to: cachePath)
        log("wrote \(cachePath)")
        return dataset
    }

    /// The cached data, prepared first if there is no cache yet.
    func load(log: (String) -> Void) throws -> IndoMERDataset {
        if FileManager.default.fileExists(atPath: cachePath) {
            let dataset = try FeatureCache.read(from: cachePath)
            log("using the feature cache \(cachePath): \(dataset.provenanceLine)")
            return dataset
        }
        return try prepare(log: log)
    }
}
