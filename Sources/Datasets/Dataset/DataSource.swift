import Foundation
import Vocabulary

/// Where a command's data come from, and the policy for its feature cache: a release folder,
/// or the built-in synthetic IndoMER of given settings; the cache beside the release (in
/// `results/` when the release folder is read-only) or named by the synthetic settings.
public struct DataSource: Sendable {
    /// The release folder (`--data`, else `INDOMER_DATA`); nil for the synthetic IndoMER.
    public var releaseFolder: String?
    /// An explicit cache path (`--cache`).
    public var cache: String?
    /// Replace NaN and infinite values with 0 instead of refusing the data.
    public var zeroNonFinite = false
    /// The synthetic IndoMER's settings, and their name in the cache's file name (`full`, `tiny`).
    public var synthetic: SyntheticIndoMER.Configuration
    public var syntheticName: String
    /// The name an MMSA file's data set goes by (`CH-SIMS v2`, `CMU-MOSEI`); nil: from its
    /// labels (`CH-SIMS` or `CMU-MOSI/MOSEI`).
    public var dataName: String? = nil

    public init(
        releaseFolder: String?, cache: String?, zeroNonFinite: Bool,
        synthetic: SyntheticIndoMER.Configuration, syntheticName: String, dataName: String? = nil
    ) {
        self.dataName = dataName
        self.releaseFolder = releaseFolder
        self.cache = cache
        self.zeroNonFinite = zeroNonFinite
        self.synthetic = synthetic
        self.syntheticName = syntheticName
    }

    public var cachePath: String {
        if let cache { return cache }
        if let folder = releaseFolder {
            // Beside the release (or the MMSA file) when its folder is writable; a read-only
            // download gets its cache in results/.
            if isMMSAFile {
                let url = URL(fileURLWithPath: folder)
                if FileManager.default.isWritableFile(atPath: url.deletingLastPathComponent().path)
                {
                    return url.deletingPathExtension().path + "_fusion_cache.h5"
                }
            } else if FileManager.default.isWritableFile(atPath: folder) {
                return URL(fileURLWithPath: folder).appendingPathComponent(
                    "indomer_fusion_cache.h5"
                ).path
            }
            var hasher = SHA256()
            hasher.update(URL(fileURLWithPath: folder).standardizedFileURL.path)
            return "results/indomer_fusion_cache_\(hasher.finalize().prefix(12)).h5"
        }
        return
            "results/synthetic_cache_v\(SyntheticIndoMER.version)_\(syntheticName)_seed\(synthetic.seed)_signal\(synthetic.signal).h5"
    }

    /// `--data` names a file rather than a folder: an MMSA-format pickle (CH-SIMS, MOSI, MOSEI).
    public var isMMSAFile: Bool {
        var isDirectory: ObjCBool = false
        guard let path = releaseFolder,
            FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        else { return false }
        return !isDirectory.boolValue
    }

    /// Reads the release or an MMSA file (or makes the synthetic set) and writes the cache
    /// (atomically).
    public func prepare(
        modalities: [Modality] = Modality.allCases, log: (String) -> Void
    ) throws -> IndoMERDataset {
        let dataset: IndoMERDataset
        var sourceFiles: [FeatureCache.SourceFile] = []
        if let file = releaseFolder, isMMSAFile {
            log("reading the MMSA-format file \(file)")
            sourceFiles = [FeatureCache.SourceFile.current(file)].compactMap { $0 }
            var mmsa = try IndoMERDataset.loadMMSA(
                at: file, nonFinite: zeroNonFinite ? .zero : .refuse, log: log)
            if let dataName { mmsa.name = dataName }
            mmsa.features = mmsa.features.filter { modalities.contains($0.key) }
            mmsa.normalization = mmsa.normalization.filter { modalities.contains($0.key) }
            dataset = mmsa
        } else if let folder = releaseFolder {
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
            var synthetic = SyntheticIndoMER.generate(synthetic)
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
    public func load(
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
            guard header.fingerprint == SyntheticIndoMER.fingerprint(synthetic) else {
                throw DataError(
                    file: cachePath,
                    message:
                        "this cache holds a synthetic IndoMER of other settings (\(header.source)), not the one of these options (\(syntheticName), seed \(synthetic.seed), signal \(synthetic.signal)): pass another --cache, or delete this one"
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
        var dataset = try FeatureCache.read(from: cachePath, modalities: modalities)
        if let dataName, isMMSAFile { dataset.name = dataName }
        log("using the feature cache \(cachePath): \(dataset.provenanceLine)")
        return dataset
    }
}
