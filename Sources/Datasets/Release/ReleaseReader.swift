import Foundation

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
    static let featureLayouts: [Modality: (folders: [String], file: String, nameKeys: [String], featureKeys: [String])] = [
        .video: (["video_feature", "videos_feature"], "video_features", ["video_name", "name", "sample_id", "id"], ["video_feature", "feature", "features"]),
        .audio: (["audio_feature", "audios_feature"], "audio_features", ["audio_name", "name", "sample_id", "id"], ["audio_feature", "feature", "features"]),
        .text: (["text_feature", "texts_feature"], "text_features", ["text_name", "name", "sample_id", "id", "video_name"], ["text_feature", "feature", "features", "embedding"]),
    ]

    static let splitFileNames: [Split: [String]] = [.train: ["train"], .val: ["val", "valid", "validation"]]

    // MARK: - Labels

    /// Every clip of both splits with both tasks' labels, in the release's order.
    public func readClips() throws -> [Clip] {
        var clips: [Clip] = []
        for split in Split.allCases {
            let three = try readJSON("3_Class/3_class_\(split.rawValue).json")
            let seven = try readJSON("7_Class/7_class_\(split.rawValue).json")
            let file3 = "3_Class/3_class_\(split.rawValue).json"
            let file7 = "7_Class/7_class_\(split.rawValue).json"
            var emotions: [String: Int] = [:]
            for entry in seven {
                let id = try string(entry, "sample_id", file7, nil)
                let label = try string(entry, "label", file7, id)
                guard let e = IndoMERTask.emotion.classIndex(ofReleaseLabel: label) else {
                    throw DataError(file: path(file7), clip: id, message: "unknown emotion label '\(label)' (expected one of \(IndoMERTask.emotion.releaseLabels.joined(separator: ", ")))")
                }
                emotions[id] = e
            }
            var seen = Set<String>()
            for entry in three {
                let id = try string(entry, "sample_id", file3, nil)
                let label = try string(entry, "label", file3, id)
                guard let s = IndoMERTask.sentiment.classIndex(ofReleaseLabel: label) else {
                    throw DataError(file: path(file3), clip: id, message: "unknown sentiment label '\(label)' (expected negatif, netral or positif)")
                }
                guard let e = emotions[id] else {
                    throw DataError(file: path(file7), clip: id, message: "listed in \(file3) but missing here")
                }
                var perModality: [Modality: Int] = [:]
                for m in Modality.allCases {
                    if let value = entry["\(m.rawValue)_label"] as? String, let c = IndoMERTask.sentiment.classIndex(ofReleaseLabel: value) {
                        perModality[m] = c
                    }
                }
                seen.insert(id)
                clips.append(Clip(id: id, sourceVideo: Clip.sourceVideo(of: id), split: split, sentiment: s, emotion: e, modalitySentiment: perModality))
            }
            if let extra = emotions.keys.first(where: { !seen.contains($0) }) {
                throw DataError(file: path(file7), clip: extra, message: "listed here but missing from \(file3)")
            }
        }
        return clips
    }

    private func readJSON(_ relative: String) throws -> [[String: Any]] {
        let url = root.appendingPathComponent(relative)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw DataError(file: url.path, message: "missing: an IndoMER release folder has 3_Class/ and 7_Class/ label files")
        }
        guard let entries = (try? JSONSerialization.jsonObject(with: data)) as? [[String: Any]] else {
            throw DataError(file: url.path, message: "not a JSON list of objects")
        }
        return entries
    }

    private func string(_ entry: [String: Any], _ key: String, _ file: String, _ clip: String?) throws -> String {
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
    public func readFeatures(_ modality: Modality, _ split: Split) throws -> (file: MappedFile, arrays: [String: NumPyArray]) {
        let layout = Self.featureLayouts[modality]!
        guard let url = featureFile(modality, split) else {
            let tried = layout.folders.map { "\($0)/\(Self.splitFileNames[split]![0])_\(layout.file).pkl" }
            let found = (try? FileManager.default.contentsOfDirectory(atPath: root.path))?.sorted().joined(separator: ", ") ?? "nothing"
            throw DataError(file: root.path, message: "no \(modality.rawValue) features for \(split.rawValue): looked for \(tried.joined(separator: " or ")); the folder has \(found)")
        }
        let mapped = try MappedFile(path: url.path)
        let value = try RestrictedUnpickler(file: mapped).load()
        guard case .list(let list) = value else {
            throw DataError(file: url.path, message: "expected a list of dicts, found \(value.kind)")
        }
        var arrays: [String: NumPyArray] = [:]
        for (index, item) in list.items.enumerated() {
            guard case .dict(let dict) = item else {
                throw DataError(file: url.path, message: "entry \(index) is a \(item.kind), expected a dict")
            }
            guard let nameKey = layout.nameKeys.first(where: { dict[$0] != nil }), case .string(let name)? = dict[nameKey] else {
                throw DataError(file: url.path, message: "entry \(index) has no name: keys found \(dict.stringKeys), expected one of \(layout.nameKeys)")
            }
            guard let featureKey = layout.featureKeys.first(where: { dict[$0] != nil }) else {
                throw DataError(file: url.path, clip: name, message: "no features: keys found \(dict.stringKeys), expected one of \(layout.featureKeys)")
            }
            guard case .array(let array)? = dict[featureKey] else {
                throw DataError(file: url.path, clip: name, message: "'\(featureKey)' is a \(dict[featureKey]!.kind), expected a NumPy array")
            }
            guard array.shape.count == 2 else {
                throw DataError(file: url.path, clip: name, message: "features of shape \(array.shape), expected frames x features")
            }
            arrays[Self.clipID(fromFileName: name)] = array
        }
        return (mapped, arrays)
    }

    /// `clip_1_Cooking_1.mp4` -> `clip_1_Cooking_1`; a bare id is returned as it is.
    static func clipID(fromFileName name: String) -> String {
        let base = (name as NSString).lastPathComponent
        let ext = (base as NSString).pathExtension
        return ext.isEmpty || Int(ext) != nil ? base : (base as NSString).deletingPathExtension
    }
}
