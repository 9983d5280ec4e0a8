import Autograd
import Datasets
import Foundation
import Testing
import Vocabulary

/// The public label files of the release, when the environment names a folder that holds them.
///
/// `INDOMER_LABELS=DIR` (CI sets it to `../shared/indomer`) enables the checks against the real
/// `3_Class/`, `7_Class/` and `Annotations.csv`; without it they are skipped with a line that says
/// so, and every other test uses label files that `ReleaseLabelFiles` writes.
enum RealLabels {
    static let folder: URL? = ProcessInfo.processInfo.environment["INDOMER_LABELS"].map {
        URL(fileURLWithPath: $0)
    }
    static var available: Bool {
        guard let folder else { return false }
        return FileManager.default.fileExists(
            atPath: folder.appendingPathComponent("3_Class/3_class_train.json").path)
    }
    static let skipReason: Comment =
        "set INDOMER_LABELS to a folder with the release's public label files to run this"
}

/// Release-format label files written from the synthetic IndoMER's clips: the release's split
/// sizes, (sentiment, emotion) counts, source videos and per-modality labels, with ids in the
/// release's spelling (`clip_<n>_<Topic>_<k>`) and the release's exact JSON layout.
enum ReleaseLabelFiles {
    static let topics = ["Cooking", "Opinion", "Vlog", "Review", "Travel", "Podcast", "Tutorial"]

    /// The clips the files hold, in file order (train, then val).
    static let clips: [Clip] = {
        var config = SyntheticIndoMER.Configuration.tiny
        config.clipFraction = 1
        var number: [String: String] = [:]
        return SyntheticIndoMER.generate(config).clips.map { clip in
            let video =
                number[clip.sourceVideo]
                ?? {
                    let n = number.count + 1
                    let name = "clip_\(n)_\(topics[n % topics.count])"
                    number[clip.sourceVideo] = name
                    return name
                }()
            var renamed = clip
            renamed.id = "\(video)_\(clip.id.split(separator: "_").last!)"
            renamed.sourceVideo = video
            return renamed
        }
    }()

    /// Writes `3_Class/3_class_{train,val}.json` and `7_Class/7_class_{train,val}.json` under
    /// `root`.
    static func write(to root: URL) throws {
        let sentiment = IndoMERRelease.labels(of: .sentiment)
        let emotion = IndoMERRelease.labels(of: .emotion)
        for split in IndoMERRelease.splits {
            let mine = clips.filter { $0.split == split }
            let three: [[String: String]] = mine.map { c in
                [
                    "sample_id": c.id, "text": "kalimat contoh untuk \(c.id)",
                    "text_label": sentiment[c.modalitySentiment[.text]!],
                    "audio_label": sentiment[c.modalitySentiment[.audio]!],
                    "video_label": sentiment[c.modalitySentiment[.video]!],
                    "label": sentiment[c.sentiment],
                    "video": "\(c.id).mp4", "audio": "\(c.id).wav",
                ]
            }
            let seven: [[String: String]] = mine.map { c in
                [
                    "sample_id": c.id, "text": "kalimat contoh untuk \(c.id)",
                    "sentiment_label": sentiment[c.sentiment],
                    "label": emotion[c.emotion], "video": "\(c.id).mp4", "audio": "\(c.id).wav",
                ]
            }
            for (folder, rows) in [("3_Class", three), ("7_Class", seven)] {
                let directory = root.appendingPathComponent(folder)
                try FileManager.default.createDirectory(
                    at: directory, withIntermediateDirectories: true)
                let data = try JSONSerialization.data(
                    withJSONObject: rows, options: [.prettyPrinted, .sortedKeys])
                try data.write(
                    to: directory.appendingPathComponent(
                        "\(folder.prefix(1))_class_\(split.rawValue).json"))
            }
        }
    }
}

/// A release-format folder in a temporary directory: label files from `ReleaseLabelFiles`, and
/// feature pickles written in the release's layout with small widths (text 5 x 4, audio 30 x 3,
/// video 9 x 6 per clip, zero-padded at the end).
struct ReleaseFolder {
    let root: URL
    /// The clips of the label files, in file order.
    var clips: [Clip] { ReleaseLabelFiles.clips }
    /// Each clip's true length per modality, as written.
    var lengths: [Modality: [String: Int]] = [:]
    /// Each clip's unpadded values per modality, as written.
    var values: [Modality: [String: [Float]]] = [:]

    static let shapes: [Modality: (frames: Int, dim: Int)] = [
        .text: (5, 4), .audio: (30, 3), .video: (9, 6),
    ]

    /// `edit` may change what is written for a clip: return nil to leave the clip out.
    init(
        textKeys: (String, String) = ("text_name", "text_feature"),
        videoFolder: String = "video_feature",
        edit: (Modality, String, inout [Float]) -> Bool = { _, _, _ in true }
    ) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "indomer-release-\(UUID().uuidString)")
        let fm = FileManager.default
        try ReleaseLabelFiles.write(to: root)
        let generator = Generator(seed: 77)
        let layouts: [(Modality, String, String, String, String)] = [
            (.text, "text_feature", "text_features", textKeys.0, textKeys.1),
            (.audio, "audio_feature", "audio_features", "audio_name", "audio_feature"),
            (.video, videoFolder, "video_features", "video_name", "video_feature"),
        ]
        for split in ["train", "val"] {
            let entries =
                try JSONSerialization.jsonObject(
                    with: Data(
                        contentsOf: root.appendingPathComponent("3_Class/3_class_\(split).json")))
                as! [[String: Any]]
            let ids = entries.map { $0["sample_id"] as! String }
            for (m, folder, file, nameKey, featureKey) in layouts {
                try fm.createDirectory(
                    at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
                let writer = try PickleWriter(
                    path: root.appendingPathComponent("\(folder)/\(split)_\(file).pkl").path)
                let (frames, dim) = Self.shapes[m]!
                for id in ids {
                    let length = 1 + generator.int(below: frames)
                    var padded = (0..<(length * dim)).map { _ in 4 * generator.uniformFloat() - 2 }
                    // A zero inside the true frames must not shorten the clip: only trailing rows
                    // count.
                    if length > 2 { for d in 0..<dim { padded[d] = 0 } }
                    padded += [Float](repeating: 0, count: (frames - length) * dim)
                    guard edit(m, id, &padded) else { continue }
                    lengths[m, default: [:]][id] = length
                    values[m, default: [:]][id] = Array(padded[0..<(length * dim)])
                    let name = m == .text ? id : "\(id).\(m == .audio ? "wav" : "mp4")"
                    padded.withUnsafeBufferPointer {
                        writer.append(
                            name: name, nameKey: nameKey, featureKey: featureKey, values: $0,
                            frames: frames, dim: dim)
                    }
                }
                try writer.finish()
            }
        }
    }

    func remove() { try? FileManager.default.removeItem(at: root) }
}
