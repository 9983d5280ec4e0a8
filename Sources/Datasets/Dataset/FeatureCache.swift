import Foundation
import HDF5
import Vocabulary

/// The one-file HDF5 cache that training reads: `baselines prepare` writes it once.
///
/// Layout (h5py reads it as plain arrays; `write` and `read` below spell these names):
/// ```
/// /                          attributes: format, synthetic ("true"/"false"), fingerprint, source,
///                            modalities ("text,audio,video"), source_files (JSON: what it was
///                            built from), name ("IndoMER", "CH-SIMS"), tasks ("sentiment,emotion";
///                            absent in IndoMER caches written before other data sets: those two)
/// /clips/id                  strings [N]
/// /clips/source_video        strings [N]
/// /clips/split               int64 [N]   0 train, 1 val, 2 test
/// /labels/<task>             int64 [N]   each task's class, -1 where the clip has none (IndoMER:
///                                        sentiment 0 negative ... 2 positive; emotion 0 fear ...
///                                        6 surprise)
/// /labels/{text,audio,video}_sentiment   int64 [N], -1 where the release gives none
/// /features/<m>/data         float32 [Σ lengths, D]  true frames only, standardised
/// /features/<m>/offsets      int64 [N + 1]           clip i is rows offsets[i] ..< offsets[i+1]
/// /features/<m>/lengths      int64 [N]               true lengths (offsets' differences)
/// /features/<m>/padded_length int64 [1]              the release's padded length
/// /normalization/<m>/mean, /normalization/<m>/std    float32 [D], fitted on train true frames
/// ```
public enum FeatureCache {
    public static let format = "indomer-fusion-cache/1"

    /// A file a release cache was built from, as it was then (size and modification time).
    public struct SourceFile: Codable, Equatable, Sendable {
        public var path: String
        public var size: Int
        public var modified: Double

        /// Each label file and each feature pickle of `modalities` under `root`, as it is now.
        public static func release(_ root: URL, modalities: [Modality]) -> [SourceFile] {
            let reader = ReleaseReader(root: root)
            let paths =
                ReleaseReader.labelFiles.map { root.appendingPathComponent($0).path }
                + modalities.flatMap { m in
                    IndoMERRelease.splits.compactMap { reader.featureFile(m, $0)?.path }
                }
            return paths.compactMap(current)
        }

        /// The file at `path` as it is now, nil when it is gone.
        public static func current(_ path: String) -> SourceFile? {
            guard let a = try? FileManager.default.attributesOfItem(atPath: path) else {
                return nil
            }
            return SourceFile(
                path: path, size: (a[.size] as? Int) ?? -1,
                modified: (a[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)
        }
    }

    /// What a cache says about itself, read without its arrays.
    public struct Header: Sendable {
        public var synthetic: Bool
        public var fingerprint: String
        public var source: String
        public var modalities: [Modality]
        public var sourceFiles: [SourceFile]

        /// The first source file that is no longer as it was when the cache was built, if any.
        public func changedSource() -> String? {
            for file in sourceFiles {
                guard let now = SourceFile.current(file.path) else { return "\(file.path) is gone" }
                if now != file {
                    return
                        "\(file.path) changed (size \(file.size) -> \(now.size), modified \(Date(timeIntervalSince1970: file.modified)) -> \(Date(timeIntervalSince1970: now.modified)))"
                }
            }
            return nil
        }
    }

    /// The header of a complete cache; an error (naming the file) for anything else: a missing
    /// or partial file, another format, an older cache without provenance.
    public static func header(at path: String) throws -> Header {
        let file: HDF5File
        do { file = try HDF5File(path: path, mode: .read) } catch {
            throw DataError(file: path, message: "not a readable HDF5 file (\(error))")
        }
        guard try file.attribute("format") == format else {
            throw DataError(
                file: path,
                message:
                    "not a feature cache of format \(format) (found \(try file.attribute("format") ?? "none"))"
            )
        }
        guard let modalities = try file.attribute("modalities"),
            let filesJSON = try file.attribute("source_files"),
            let files = try? JSONDecoder().decode([SourceFile].self, from: Data(filesJSON.utf8))
        else {
            throw DataError(
                file: path,
                message:
                    "a cache written by an older version, without a record of what it was built from"
            )
        }
        return Header(
            synthetic: try file.attribute("synthetic") == "true",
            fingerprint: try file.attribute("fingerprint") ?? "",
            source: try file.attribute("source") ?? "",
            modalities: modalities.split(separator: ",").compactMap {
                Modality(rawValue: String($0))
            },
            sourceFiles: files)
    }

    /// Writes the cache to a temporary file beside `path` and renames it into place, so that
    /// a kill or a full disk never leaves a partial cache where a later run would find it.
    public static func write(
        _ dataset: IndoMERDataset, to path: String, sourceFiles: [SourceFile] = []
    ) throws {
        let partial = "\(path).partial-\(getpid())"
        try? FileManager.default.removeItem(atPath: partial)
        do {
            try writeFile(dataset, to: partial, sourceFiles: sourceFiles)
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw error
        }
        guard rename(partial, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: partial)
            throw DataError(
                file: path, message: "cannot move the finished cache into place (\(reason))")
        }
    }

    private static func writeFile(
        _ dataset: IndoMERDataset, to path: String, sourceFiles: [SourceFile]
    ) throws {
        let file = try HDF5File(path: path, mode: .create)
        try file.setAttribute(
            "modalities", dataset.modalities.map(\.rawValue).joined(separator: ","))
        try file.setAttribute(
            "source_files", String(decoding: try JSONEncoder().encode(sourceFiles), as: UTF8.self))
        try file.setAttribute("format", format)
        try file.setAttribute("synthetic", dataset.isSynthetic ? "true" : "false")
        try file.setAttribute("fingerprint", dataset.fingerprint)
        try file.setAttribute("source", dataset.source)
        try file.setAttribute("name", dataset.name)
        try file.setAttribute("tasks", dataset.tasks.map(\.name).joined(separator: ","))
        let clips = dataset.clips
        try file.write("clips/id", strings: clips.map(\.id))
        try file.write("clips/source_video", strings: clips.map(\.sourceVideo))
        try file.write(
            "clips/split", int64s: clips.map { Int64(Split.allCases.firstIndex(of: $0.split)!) },
            shape: [clips.count])
        for task in dataset.tasks {
            try file.write(
                "labels/\(task.name)", int64s: clips.map { Int64($0.labels[task] ?? -1) },
                shape: [clips.count])
        }
        for m in Modality.allCases {
            try file.write(
                "labels/\(m.rawValue)_sentiment",
                int64s: clips.map { Int64($0.modalitySentiment[m] ?? -1) }, shape: [clips.count])
        }
        for (m, f) in dataset.features.sorted(by: { $0.key < $1.key }) {
            try file.write(
                "features/\(m.rawValue)/data", floats: f.data, shape: [f.offsets.last!, f.dim])
            try file.write(
                "features/\(m.rawValue)/offsets", int64s: f.offsets.map(Int64.init),
                shape: [f.offsets.count])
            try file.write(
                "features/\(m.rawValue)/lengths", int64s: f.lengths.map(Int64.init),
                shape: [f.clipCount])
            try file.write(
                "features/\(m.rawValue)/padded_length", int64s: [Int64(f.paddedLength)], shape: [1])
            if let n = dataset.normalization[m] {
                try file.write(
                    "normalization/\(m.rawValue)/mean", floats: n.mean, shape: [n.mean.count])
                try file.write(
                    "normalization/\(m.rawValue)/std", floats: n.std, shape: [n.std.count])
            }
        }
    }

    /// Reads a cache, checking its format and that every array agrees with the clip count.
    public static func read(
        from path: String, modalities: [Modality] = Modality.allCases
    ) throws -> IndoMERDataset {
        let file: HDF5File
        do { file = try HDF5File(path: path, mode: .read) } catch {
            throw DataError(file: path, message: "\(error)")
        }
        guard try file.attribute("format") == format else {
            throw DataError(
                file: path,
                message:
                    "not a feature cache of format \(format) (found \(try file.attribute("format") ?? "none")); rerun baselines prepare"
            )
        }
        func ints(_ name: String, count: Int) throws -> [Int] {
            let values = try file.readInt64s(name).values.map { Int($0) }
            guard values.count == count else {
                throw DataError(
                    file: path, message: "\(name) has \(values.count) entries, expected \(count)")
            }
            return values
        }
        let ids = try file.readStrings("clips/id")
        let n = ids.count
        let sources = try file.readStrings("clips/source_video")
        let splits = try ints("clips/split", count: n)
        // Caches written before other data sets hold IndoMER's two tasks and no `tasks` attribute.
        let tasks =
            try (try file.attribute("tasks")).map { names in
                try names.split(separator: ",").map { name in
                    guard let task = ClassificationTask(named: String(name)) else {
                        throw DataError(file: path, message: "a cache of an unknown task '\(name)'")
                    }
                    return task
                }
            } ?? ClassificationTask.indoMER
        let taskLabels = try tasks.map { try ints("labels/\($0.name)", count: n) }
        var perModality: [Modality: [Int]] = [:]
        for m in Modality.allCases {
            perModality[m] = try ints("labels/\(m.rawValue)_sentiment", count: n)
        }
        var clips: [Clip] = []
        for i in 0..<n {
            guard splits[i] >= 0 && splits[i] < Split.allCases.count else {
                throw DataError(file: path, clip: ids[i], message: "split \(splits[i])")
            }
            var labels: [Modality: Int] = [:]
            for m in Modality.allCases where perModality[m]![i] >= 0 {
                labels[m] = perModality[m]![i]
            }
            var classes: [ClassificationTask: Int] = [:]
            for (task, values) in zip(tasks, taskLabels) where values[i] >= 0 {
                classes[task] = values[i]
            }
            clips.append(
                Clip(
                    id: ids[i], sourceVideo: sources[i], split: Split.allCases[splits[i]],
                    labels: classes, modalitySentiment: labels))
        }
        var features: [Modality: RaggedFeatures] = [:]
        var normalization: [Modality: Normalization] = [:]
        for m in modalities {
            let base = "features/\(m.rawValue)"
            guard file.contains("\(base)/data") else {
                throw DataError(
                    file: path,
                    message:
                        "no \(m.rawValue) features in the cache (it holds \(try file.names(in: "features").joined(separator: ", ")))"
                )
            }
            let (data, shape) = try file.readFloats("\(base)/data")
            let offsets = try ints("\(base)/offsets", count: n + 1)
            guard shape.count == 2, offsets.first == 0, offsets.last == shape[0],
                zip(offsets, offsets.dropFirst()).allSatisfy({ $0 <= $1 })
            else {
                throw DataError(
                    file: path, message: "\(base): offsets do not match data of shape \(shape)")
            }
            let padded =
                try file.readInt64s("\(base)/padded_length").values.first.map { Int($0) } ?? 0
            features[m] = RaggedFeatures(
                dim: shape[1], paddedLength: padded, offsets: offsets, data: data)
            if file.contains("normalization/\(m.rawValue)/mean") {
                normalization[m] = Normalization(
                    mean: try file.readFloats("normalization/\(m.rawValue)/mean").values,
                    std: try file.readFloats("normalization/\(m.rawValue)/std").values)
            }
        }
        var dataset = IndoMERDataset(
            clips: clips, features: features, normalization: normalization,
            isSynthetic: try file.attribute("synthetic") == "true",
            fingerprint: try file.attribute("fingerprint") ?? "",
            source: try file.attribute("source") ?? path)
        dataset.name = try file.attribute("name") ?? DataSetName.indoMER
        dataset.tasks = tasks
        return dataset
    }
}
