import ArgumentParser
import Datasets
import Foundation
import Vocabulary

/// Where the data come from: a release folder (`--data` or `INDOMER_DATA`), or the built-in
/// synthetic IndoMER.
struct DataOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "An IndoMER release folder (default: $INDOMER_DATA; without either, the built-in synthetic IndoMER).",
            valueName: "dir"))
    var data: String?

    @Option(
        help: ArgumentHelp(
            "The HDF5 feature cache to use or write (default: <data>/indomer_fusion_cache.h5, in results/ when <data> is read-only; results/synthetic_cache_*.h5 for the synthetic set).",
            valueName: "path"))
    var cache: String?

    @Flag(help: "Replace NaN and infinite feature values with 0 instead of refusing the data.")
    var zeroNonFinite = false

    enum SyntheticSize: String, ExpressibleByArgument, CaseIterable { case full, tiny }

    @Option(help: "Seed of the synthetic IndoMER.") var syntheticSeed: UInt64 = 2024
    @Option(
        help:
            "Size of the synthetic IndoMER: full (the release's sizes) or tiny (5% of the clips, narrow features; for smoke tests)."
    )
    var syntheticSize: SyntheticSize = .full
    @Option(help: "Signal strength of the synthetic IndoMER (0 = pure noise).") var syntheticSignal:
        Float = 1

    var releaseFolder: String? { data ?? ProcessInfo.processInfo.environment["INDOMER_DATA"] }

    var cachePath: String {
        if let cache { return cache }
        if let folder = releaseFolder {
            // Beside the release when it is writable; a read-only download gets its cache in results/.
            if FileManager.default.isWritableFile(atPath: folder) {
                return URL(fileURLWithPath: folder).appendingPathComponent(
                    "indomer_fusion_cache.h5"
                ).path
            }
            var hasher = SHA256()
            hasher.update(URL(fileURLWithPath: folder).standardizedFileURL.path)
            return "results/indomer_fusion_cache_\(hasher.finalize().prefix(12)).h5"
        }
        return
            "results/synthetic_cache_v\(SyntheticIndoMER.version)_\(syntheticSize.rawValue)_seed\(syntheticSeed)_signal\(syntheticSignal).h5"
    }

    var syntheticConfiguration: SyntheticIndoMER.Configuration {
        var c =
            syntheticSize == .tiny
            ? SyntheticIndoMER.Configuration.tiny : SyntheticIndoMER.Configuration()
        c.seed = syntheticSeed
        c.signal = syntheticSignal
        return c
    }

    /// Reads the release (or makes the synthetic set) and writes the cache (atomically).
    func prepare(
        modalities: [Modality] = Modality.allCases, log: (String) -> Void
    ) throws -> IndoMERDataset {
        let dataset: IndoMERDataset
        var sourceFiles: [FeatureCache.SourceFile] = []
        if let folder = releaseFolder {
            log("reading the IndoMER release in \(folder)")
            let root = URL(fileURLWithPath: folder)
            sourceFiles = FeatureCache.SourceFile.release(root, modalities: modalities)
            dataset = try IndoMERDataset.loadRelease(
                at: root, modalities: modalities, nonFinite: zeroNonFinite ? .zero : .refuse,
                log: log)
        } else {
            log(
                "no --data and no INDOMER_DATA: generating the built-in SYNTHETIC IndoMER (not the release)"
            )
            var synthetic = SyntheticIndoMER.generate(syntheticConfiguration)
            synthetic.features = synthetic.features.filter { modalities.contains($0.key) }
            synthetic.normalization = synthetic.normalization.filter { modalities.contains($0.key) }
            dataset = synthetic
        }
        let directory = URL(fileURLWithPath: cachePath).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FeatureCache.write(dataset, to: cachePath, sourceFiles: sourceFiles)
        log("wrote \(cachePath)")
        return dataset
    }

    /// The cached data of `modalities`, prepared first when there is no usable cache.
    ///
    /// A cache is used only when it is what the options ask for: built from the same release
    /// folder (`--data`), whose files have not changed since (size and modification time), or
    /// the synthetic set of the same settings. A cache from other data is refused, naming what
    /// it holds. A partial or older cache, one that lacks a modality, or one whose release files
    /// changed is rebuilt, saying why (from `--data`, or else as the synthetic set these
    /// options describe). A release cache passed with `--cache` and no `--data`
    /// is used as it is, after checking that its files did not change.
    func load(
        modalities: [Modality] = Modality.allCases, log: (String) -> Void
    ) throws -> IndoMERDataset {
        guard FileManager.default.fileExists(atPath: cachePath) else {
            return try prepare(modalities: modalities, log: log)
        }
        let header: FeatureCache.Header
        do { header = try FeatureCache.header(at: cachePath) } catch let error as DataError {
            log(
                "the cache \(cachePath) is unusable (\(error.message): an interrupted or older prepare?); rebuilding it"
            )
            return try prepare(modalities: modalities, log: log)
        }
        if let folder = releaseFolder {
            let wanted = URL(fileURLWithPath: folder).standardizedFileURL.path
            guard !header.synthetic,
                URL(fileURLWithPath: header.source).standardizedFileURL.path == wanted
            else {
                throw DataError(
                    file: cachePath,
                    message:
                        "this cache holds \(header.synthetic ? "the SYNTHETIC IndoMER" : "the release in \(header.source)"), not the release in \(folder) that --data names: pass another --cache, or delete this one"
                )
            }
        } else if header.synthetic {
            guard header.fingerprint == SyntheticIndoMER.fingerprint(syntheticConfiguration) else {
                throw DataError(
                    file: cachePath,
                    message:
                        "this cache holds a synthetic IndoMER of other settings (\(header.source)), not the one of these options (\(syntheticSize.rawValue), seed \(syntheticSeed), signal \(syntheticSignal)): pass another --cache, or delete this one"
                )
            }
        }
        if let changed = header.changedSource() {
            guard releaseFolder != nil else {
                throw DataError(
                    file: cachePath,
                    message:
                        "the release files changed since this cache was built (\(changed)); rebuild it with `baselines prepare --data \(header.source) --cache \(cachePath)`"
                )
            }
            log(
                "the release files changed since \(cachePath) was built (\(changed)); rebuilding it"
            )
            return try prepare(modalities: modalities, log: log)
        }
        let missing = modalities.filter { !header.modalities.contains($0) }
        if !missing.isEmpty {
            guard releaseFolder != nil || header.synthetic else {
                throw DataError(
                    file: cachePath,
                    message:
                        "this cache has no \(missing.map(\.rawValue).joined(separator: ", ")) features; rebuild it with `baselines prepare --data \(header.source) --cache \(cachePath)`"
                )
            }
            log(
                "the cache \(cachePath) has no \(missing.map(\.rawValue).joined(separator: ", ")) features; rebuilding it with \(Modality.allCases.filter { modalities.contains($0) || header.modalities.contains($0) }.map(\.rawValue).joined(separator: ", "))"
            )
            return try prepare(
                modalities: Modality.allCases.filter {
                    modalities.contains($0) || header.modalities.contains($0)
                }, log: log)
        }
        let dataset = try FeatureCache.read(from: cachePath, modalities: modalities)
        log("using the feature cache \(cachePath): \(dataset.provenanceLine)")
        return dataset
    }
}
