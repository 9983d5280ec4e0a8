import HDF5

/// The one-file HDF5 cache that training reads: `baselines prepare` writes it once.
///
/// Layout (h5py reads it as plain arrays; names in a table, not scattered through code):
/// ```
/// /                          attributes: format, synthetic ("true"/"false"), fingerprint, source
/// /clips/id                  strings [N]
/// /clips/source_video        strings [N]
/// /clips/split               int64 [N]   0 train, 1 val
/// /labels/sentiment          int64 [N]   0 negative, 1 neutral, 2 positive
/// /labels/emotion            int64 [N]   0 fear ... 6 surprise (IndoMERTask.emotion.classNames)
/// /labels/{text,audio,video}_sentiment   int64 [N], -1 where the release gives none
/// /features/<m>/data         float32 [Σ lengths, D]  true frames only, standardised
/// /features/<m>/offsets      int64 [N + 1]           clip i is rows offsets[i] ..< offsets[i+1]
/// /features/<m>/lengths      int64 [N]               true lengths (offsets' differences)
/// /features/<m>/padded_length int64 [1]              the release's padded length
/// /normalization/<m>/mean, /normalization/<m>/std    float32 [D], fitted on train true frames
/// ```
public enum FeatureCache {
    public static let format = "indomer-fusion-cache/1"

    public static func write(_ dataset: IndoMERDataset, to path: String) throws {
        let file = try HDF5File(path: path, mode: .create)
        try file.setAttribute("format", format)
        try file.setAttribute("synthetic", dataset.isSynthetic ? "true" : "false")
        try file.setAttribute("fingerprint", dataset.fingerprint)
        try file.setAttribute("source", dataset.source)
        let clips = dataset.clips
        try file.write("clips/id", strings: clips.map(\.id))
        try file.write("clips/source_video", strings: clips.map(\.sourceVideo))
        try file.write("clips/split", int64s: clips.map { Int64(Split.allCases.firstIndex(of: $0.split)!) }, shape: [clips.count])
        try file.write("labels/sentiment", int64s: clips.map { Int64($0.sentiment) }, shape: [clips.count])
        try file.write("labels/emotion", int64s: clips.map { Int64($0.emotion) }, shape: [clips.count])
        for m in Modality.allCases {
            try file.write("labels/\(m.rawValue)_sentiment", int64s: clips.map { Int64($0.modalitySentiment[m] ?? -1) }, shape: [clips.count])
        }
        for (m, f) in dataset.features.sorted(by: { $0.key < $1.key }) {
            try file.write("features/\(m.rawValue)/data", floats: f.data, shape: [f.offsets.last!, f.dim])
            try file.write("features/\(m.rawValue)/offsets", int64s: f.offsets.map(Int64.init), shape: [f.offsets.count])
            try file.write("features/\(m.rawValue)/lengths", int64s: f.lengths.map(Int64.init), shape: [f.clipCount])
            try file.write("features/\(m.rawValue)/padded_length", int64s: [Int64(f.paddedLength)], shape: [1])
            if let n = dataset.normalization[m] {
                try file.write("normalization/\(m.rawValue)/mean", floats: n.mean, shape: [n.mean.count])
                try file.write("normalization/\(m.rawValue)/std", floats: n.std, shape: [n.std.count])
            }
        }
    }

    /// Reads a cache, checking its format and that every array agrees with the clip count.
    public static func read(from path: String, modalities: [Modality] = Modality.allCases) throws -> IndoMERDataset {
        let file: HDF5File
        do { file = try HDF5File(path: path, mode: .read) } catch { throw DataError(file: path, message: "\(error)") }
        guard try file.attribute("format") == format else {
            throw DataError(file: path, message: "not a feature cache of format \(format) (found \(try file.attribute("format") ?? "none")); rerun baselines prepare")
        }
        func ints(_ name: String, count: Int) throws -> [Int] {
            let values = try file.readInt64s(name).values.map { Int($0) }
            guard values.count == count else { throw DataError(file: path, message: "\(name) has \(values.count) entries, expected \(count)") }
            return values
        }
        let ids = try file.readStrings("clips/id")
        let n = ids.count
        let sources = try file.readStrings("clips/source_video")
        let splits = try ints("clips/split", count: n)
        let sentiment = try ints("labels/sentiment", count: n)
        let emotion = try ints("labels/emotion", count: n)
        var perModality: [Modality: [Int]] = [:]
        for m in Modality.allCases { perModality[m] = try ints("labels/\(m.rawValue)_sentiment", count: n) }
        var clips: [Clip] = []
        for i in 0..<n {
            guard splits[i] >= 0 && splits[i] < Split.allCases.count else { throw DataError(file: path, clip: ids[i], message: "split \(splits[i])") }
            var labels: [Modality: Int] = [:]
            for m in Modality.allCases where perModality[m]![i] >= 0 { labels[m] = perModality[m]![i] }
            clips.append(Clip(id: ids[i], sourceVideo: sources[i], split: Split.allCases[splits[i]], sentiment: sentiment[i], emotion: emotion[i], modalitySentiment: labels))
        }
        var features: [Modality: RaggedFeatures] = [:]
        var normalization: [Modality: Normalization] = [:]
        for m in modalities {
            let base = "features/\(m.rawValue)"
            guard file.contains("\(base)/data") else {
                throw DataError(file: path, message: "no \(m.rawValue) features in the cache (it holds \(try file.names(in: "features").joined(separator: ", ")))")
            }
            let (data, shape) = try file.readFloats("\(base)/data")
            let offsets = try ints("\(base)/offsets", count: n + 1)
            guard shape.count == 2, offsets.first == 0, offsets.last == shape[0], zip(offsets, offsets.dropFirst()).allSatisfy({ $0 <= $1 }) else {
                throw DataError(file: path, message: "\(base): offsets do not match data of shape \(shape)")
            }
            let padded = try file.readInt64s("\(base)/padded_length").values.first.map { Int($0) } ?? 0
            features[m] = RaggedFeatures(dim: shape[1], paddedLength: padded, offsets: offsets, data: data)
            if file.contains("normalization/\(m.rawValue)/mean") {
                normalization[m] = Normalization(
                    mean: try file.readFloats("normalization/\(m.rawValue)/mean").values,
                    std: try file.readFloats("normalization/\(m.rawValue)/std").values)
            }
        }
        return IndoMERDataset(
            clips: clips, features: features, normalization: normalization,
            isSynthetic: try file.attribute("synthetic") == "true",
            fingerprint: try file.attribute("fingerprint") ?? "", source: try file.attribute("source") ?? path)
    }
}
