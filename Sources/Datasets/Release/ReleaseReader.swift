import Foundation
import Vocabulary

/// Reads an IndoMER release folder: the label files and the feature pickles.
///
/// Layout (as the release documents it; `videos_feature/` is accepted for `video_feature/`):
/// ```
/// 3_Class/3_class_{train,val}.json   sample_id, text, label, text/audio/video_label, video, audio
/// 7_Class/7_class_{train,val}.json   sample_id, text, label, sentiment_label, video, audio
/// Annotations.csv                     (optional here)
/// video_feature/{train,val}_video_features.pkl   [{video_name, video_feature (723 x 673)}]
/// audio_feature/{train,val}_audio_features.pkl   [{audio_name, audio_feature (2252 x 18)}]
/// text_feature/{train,val}_text_features.pkl     [{<name key>, <feature key> (69 x 768)}]
/// ```
public struct ReleaseReader {
    public let root: URL

    public init(root: URL) { self.root = root }

    /// Where each modality's pickles may be, and the dictionary keys that hold name and array.
    /// Format facts in a table (not in control flow), first match wins.
    static let featureLayouts:
        [Modality: (folders: [String], file: String, nameKeys: [String], featureKeys: [String])] = [
            .video: (
                ["video_feature", "videos_feature"], "video_features",
                ["video_name", "name", "sample_id", "id"], ["video_feature", "feature", "features"]
            ),
            .audio: (
                ["audio_feature", "audios_feature"], "audio_features",
                ["audio_name", "name", "sample_id", "id"], ["audio_feature", "feature", "features"]
            ),
            .text: (
                ["text_feature", "texts_feature"], "text_features",
                ["text_name", "name", "sample_id", "id", "video_name"],
                ["text_feature", "feature", "features", "embedding"]
            ),
        ]

    /// The label files, relative to the root (their bytes are part of the data fingerprint).
    public static let labelFiles = IndoMERRelease.splits.flatMap {
        ["3_Class/3_class_\($0.rawValue).json", "7_Class/7_class_\($0.rawValue).json"]
    }

    static let splitFileNames: [Split: [String]] = [
        .train: ["train"], .val: ["val", "valid", "validation"],
    ]

    // MARK: - Labels

    /// Every clip of both splits with both tasks' labels, in the release's order.
    ///
    /// Checked before anything is trained: an id listed twice in one file with the same labels
    /// is read once (`warn` says so); twice with different labels, in both splits, or in one
    /// task's file only, is an error; so is a split with no clips.
    public func readClips(warn: (String) -> Void = { _ in }) throws -> [Clip] {
        var clips: [Clip] = []
        var splitOf: [String: Split] = [:]
        for split in IndoMERRelease.splits {
            let three = try readJSON("3_Class/3_class_\(split.rawValue).json")
            let seven = try readJSON("7_Class/7_class_\(split.rawValue).json")
            let file3 = "3_Class/3_class_\(split.rawValue).json"
            let file7 = "7_Class/7_class_\(split.rawValue).json"
            var emotions: [String: Int] = [:]
            var repeated: [String: Int] = [:]
            for entry in seven {
                let id = try string(entry, "sample_id", file7, nil)
                let label = try string(entry, "label", file7, id)
                guard let e = IndoMERRelease.classIndex(ofLabel: label, task: .emotion) else {
                    throw DataError(
                        file: path(file7), clip: id,
                        message:
                            "unknown emotion label '\(label)' (expected one of \(IndoMERRelease.labels(of: .emotion).joined(separator: ", ")))"
                    )
                }
                if let earlier = emotions[id] {
                    guard earlier == e else {
                        throw DataError(
                            file: path(file7), clip: id,
                            message:
                                "listed twice with different labels (\(IndoMERRelease.labels(of: .emotion)[earlier]) and \(label))"
                        )
                    }
                    repeated[file7, default: 0] += 1
                }
                emotions[id] = e
            }
            guard !three.isEmpty else {
                throw DataError(
                    file: path(file3), message: "no clips: the \(split.rawValue) split is empty")
            }
            var seen: [String: Clip] = [:]
            for entry in three {
                let id = try string(entry, "sample_id", file3, nil)
                let label = try string(entry, "label", file3, id)
                guard let s = IndoMERRelease.classIndex(ofLabel: label, task: .sentiment) else {
                    throw DataError(
                        file: path(file3), clip: id,
                        message:
                            "unknown sentiment label '\(label)' (expected negatif, netral or positif)"
                    )
                }
                guard let e = emotions[id] else {
                    throw DataError(
                        file: path(file7), clip: id, message: "listed in \(file3) but missing here")
                }
                var perModality: [Modality: Int] = [:]
                for m in Modality.allCases {
                    if let value = entry["\(m.rawValue)_label"] as? String,
                        let c = IndoMERRelease.classIndex(ofLabel: value, task: .sentiment)
                    {
                        perModality[m] = c
                    }
                }
                let clip = Clip(
                    id: id, sourceVideo: Clip.sourceVideo(of: id), split: split, sentiment: s,
                    emotion: e, modalitySentiment: perModality)
                if let other = splitOf[id], other != split {
                    throw DataError(
                        file: path(file3), clip: id,
                        message:
                            "listed in both the \(other.rawValue) and the \(split.rawValue) split")
                }
                if let earlier = seen[id] {
                    guard earlier == clip else {
                        throw DataError(
                            file: path(file3), clip: id,
                            message: "listed twice with different labels")
                    }
                    repeated[file3, default: 0] += 1
                    continue
                }
                seen[id] = clip
                splitOf[id] = split
                clips.append(clip)
            }
            for (file, count) in repeated.sorted(by: { $0.key < $1.key }) {
                warn(
                    "warning: \(path(file)): \(count) clip id(s) listed twice with the same labels; each is read once"
                )
            }
            if let extra = emotions.keys.sorted().first(where: { seen[$0] == nil }) {
                throw DataError(
                    file: path(file7), clip: extra, message: "listed here but missing from \(file3)"
                )
            }
        }
        return clips
    }

    private func readJSON(_ relative: String) throws -> [[String: Any]] {
        let url = root.appendingPathComponent(relative)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw DataError(
                file: url.path,
                message: "missing: an IndoMER release folder has 3_Class/ and 7_Class/ label files")
        }
        guard let entries = (try? JSONSerialization.jsonObject(with: data)) as? [[String: Any]]
        else {
            throw DataError(file: url.path, message: "not a JSON list of objects")
        }
        return entries
    }

    private func string(
        _ entry: [String: Any], _ key: String, _ file: String, _ clip: String?
    ) throws -> String {
        guard let value = entry[key] as? String else {
            throw DataError(file: path(file), clip: clip, message: "no string field '\(key)'")
        }
        return value
    }

    private func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    // MARK: - Features

    /// The pickle holding `modality` for `split`, or nil when none of the accepted names exists.
    public func featureFile(_ modality: Modality, _ split: Split) -> URL? {
        let layout = Self.featureLayouts[modality]!
        for folder in layout.folders {
            for name in Self.splitFileNames[split]! {
                let url = root.appendingPathComponent("\(folder)/\(name)_\(layout.file).pkl")
                if FileManager.default.fileExists(atPath: url.path) { return url }
            }
        }
        return nil
    }

    /// Every array of one pickle by clip id (names matched with or without an extension).
    ///
    /// The release documents the video and audio pickles (a list of `{<m>_name, <m>_feature}`
    /// dicts) but not the text one, so every layout a feature dump plausibly has is read:
    /// - a list of dicts, with the documented keys or any `*_name`/`*_id` string and
    ///   `*_feature(s)`/`*_embedding(s)` array (or the dict's only array);
    /// - a dict from clip name to array;
    /// - clip names plus one stacked `[N, T, D]` array, as two values of a dict or a 2-tuple.
    /// A file in none of these is refused with its structure (types, keys, shapes of the first
    /// entries), so that a user can report it. A name twice, or an array with no frames or no
    /// features, is an error naming the clip.
    public func readFeatures(
        _ modality: Modality, _ split: Split
    ) throws -> (file: MappedFile, arrays: [String: NumPyArray]) {
        let layout = Self.featureLayouts[modality]!
        guard let url = featureFile(modality, split) else {
            let tried = layout.folders.map {
                "\($0)/\(Self.splitFileNames[split]![0])_\(layout.file).pkl"
            }
            let found =
                (try? FileManager.default.contentsOfDirectory(atPath: root.path))?.sorted().joined(
                    separator: ", ") ?? "nothing"
            throw DataError(
                file: root.path,
                message:
                    "no \(modality.rawValue) features for \(split.rawValue): looked for \(tried.joined(separator: " or ")); the folder has \(found)"
            )
        }
        let mapped = try MappedFile(path: url.path)
        let value = try RestrictedUnpickler(file: mapped).load()
        let entries = try Self.entries(
            of: value, nameKeys: layout.nameKeys, featureKeys: layout.featureKeys, file: url.path)
        var arrays: [String: NumPyArray] = [:]
        for (name, array) in entries {
            guard array.isNumeric else {
                throw DataError(
                    file: url.path, clip: name,
                    message: "features of dtype \(array.dtype), expected numbers")
            }
            guard array.shape.count == 2 else {
                throw DataError(
                    file: url.path, clip: name,
                    message: "features of shape \(array.shape), expected frames x features")
            }
            guard array.shape[0] > 0, array.shape[1] > 0 else {
                throw DataError(
                    file: url.path, clip: name,
                    message:
                        "features of shape \(array.shape): no \(array.shape[0] == 0 ? "frames" : "features")"
                )
            }
            let id = Self.clipID(fromFileName: name)
            guard arrays.updateValue(array, forKey: id) == nil else {
                throw DataError(
                    file: url.path, clip: id,
                    message:
                        "listed twice in this pickle (which features belong to the clip is ambiguous)"
                )
            }
        }
        return (mapped, arrays)
    }

    /// The (name, array) entries of a feature pickle in any layout `readFeatures` accepts.
    static func entries(
        of value: PickleValue, nameKeys: [String], featureKeys: [String], file: String
    ) throws -> [(String, NumPyArray)] {
        func refuse(_ why: String) -> DataError {
            DataError(
                file: file,
                message:
                    "\(why). Accepted layouts: a list of {<name>, <feature>} dicts, a dict from clip name to array, or clip names with one stacked [N, T, D] array. This file holds: \(value.structure())"
            )
        }
        func names(_ v: PickleValue) -> [String]? {
            let items: [PickleValue]
            switch v {
            case .list(let l): items = l.items
            case .tuple(let t): items = t.items
            default: return nil
            }
            let strings = items.compactMap {
                if case .string(let s) = $0 { return s } else { return nil }
            }
            return strings.count == items.count && !items.isEmpty ? strings : nil
        }
        func stacked(_ names: [String], _ v: PickleValue) throws -> [(String, NumPyArray)]? {
            guard case .array(let a) = v, a.shape.count == 3, a.shape[0] == names.count else {
                return nil
            }
            guard !a.fortranOrder else {
                throw refuse("a stacked array in Fortran order is not read (save it in C order)")
            }
            return names.enumerated().map { ($0.element, a.entry($0.offset)!) }
        }
        switch value {
        case .list(let list)
        where list.items.allSatisfy({ if case .dict = $0 { true } else { false } })
            && !list.items.isEmpty:
            return try list.items.enumerated().map { index, item in
                guard case .dict(let dict) = item else { fatalError() }
                let keys = dict.stringKeys
                let nameKey =
                    nameKeys.first { dict[$0] != nil }
                    ?? keys.first { k in
                        (k.hasSuffix("_name") || k.hasSuffix("_id"))
                            && { if case .string = dict[k]! { true } else { false } }()
                    }
                guard let nameKey, case .string(let name)? = dict[nameKey] else {
                    throw DataError(
                        file: file,
                        message:
                            "entry \(index) has no name: keys found \(keys), expected one of \(nameKeys) or a *_name string"
                    )
                }
                let arrayKeys = keys.filter { if case .array = dict[$0]! { true } else { false } }
                let featureKey =
                    featureKeys.first { dict[$0] != nil }
                    ?? arrayKeys.first { k in
                        ["_feature", "_features", "_embedding", "_embeddings"].contains {
                            k.hasSuffix($0)
                        }
                    }
                    ?? (arrayKeys.count == 1 ? arrayKeys[0] : nil)
                guard let featureKey else {
                    throw DataError(
                        file: file, clip: name,
                        message:
                            "no features: keys found \(keys), expected one of \(featureKeys) or a *_feature array"
                    )
                }
                guard case .array(let array)? = dict[featureKey] else {
                    throw DataError(
                        file: file, clip: name,
                        message:
                            "'\(featureKey)' is a \(dict[featureKey]!.kind), expected a NumPy array"
                    )
                }
                return (name, array)
            }
        case .dict(let dict)
        where !dict.items.isEmpty
            && dict.items.allSatisfy({
                if case .string = $0.key, case .array = $0.value { true } else { false }
            })
            && !dict.items.contains(where: {
                if case .array(let a) = $0.value { a.shape.count == 3 } else { false }
            }):
            return dict.items.map { item in
                guard case .string(let name) = item.key, case .array(let array) = item.value else {
                    fatalError()
                }
                return (name, array)
            }
        case .dict(let dict):
            let values = dict.items.map(\.value)
            for n in values.compactMap(names) {
                for v in values { if let found = try stacked(n, v) { return found } }
            }
            throw refuse("a dict that is neither clip name -> array nor names plus a stacked array")
        case .tuple(let t) where t.items.count == 2:
            if let n = names(t.items[0]), let found = try stacked(n, t.items[1]) { return found }
            if let n = names(t.items[1]), let found = try stacked(n, t.items[0]) { return found }
            throw refuse("a 2-tuple that is not (clip names, stacked array)")
        case .list(let list) where list.items.isEmpty:
            throw refuse("an empty list: no clips")
        default:
            throw refuse("expected a list of dicts, found \(value.kind)")
        }
    }

    /// `clip_1_Cooking_1.mp4` -> `clip_1_Cooking_1`; a bare id is returned as it is.
    static func clipID(fromFileName name: String) -> String {
        let base = (name as NSString).lastPathComponent
        let ext = (base as NSString).pathExtension
        return ext.isEmpty || Int(ext) != nil ? base : (base as NSString).deletingPathExtension
    }
}
