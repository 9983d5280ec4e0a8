import Autograd
import Datasets
import Foundation

/// Paths of the repository and of the public release files in `../shared/indomer`.
enum Paths {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let sharedRelease = repository.deletingLastPathComponent().appendingPathComponent("shared/indomer")
}

/// A release-format folder in a temporary directory: the real label files from
/// `../shared/indomer`, and feature pickles written in the release's layout with small widths
/// (text 5 x 4, audio 30 x 3, video 9 x 6 per clip, zero-padded at the end).
struct ReleaseFolder {
    let root: URL
    /// Each clip's true length per modality, as written.
    var lengths: [Modality: [String: Int]] = [:]
    /// Each clip's unpadded values per modality, as written.
    var values: [Modality: [String: [Float]]] = [:]

    static let shapes: [Modality: (frames: Int, dim: Int)] = [.text: (5, 4), .audio: (30, 3), .video: (9, 6)]

    /// `edit` may change what is written for a clip: return nil to leave the clip out.
    init(
        textKeys: (String, String) = ("text_name", "text_feature"), videoFolder: String = "video_feature",
        edit: (Modality, String, inout [Float]) -> Bool = { _, _, _ in true }
    ) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("indomer-release-\(UUID().uuidString)")
        let fm = FileManager.default
        for folder in ["3_Class", "7_Class"] {
            try fm.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
            for split in ["train", "val"] {
                let name = "\(folder)/\(folder.prefix(1))_class_\(split).json"
                try fm.copyItem(at: Paths.sharedRelease.appendingPathComponent(name), to: root.appendingPathComponent(name))
            }
        }
        let generator = Generator(seed: 77)
        let layouts: [(Modality, String, String, String, String)] = [
            (.text, "text_feature", "text_features", textKeys.0, textKeys.1),
            (.audio, "audio_feature", "audio_features", "audio_name", "audio_feature"),
            (.video, videoFolder, "video_features", "video_name", "video_feature"),
        ]
        for split in ["train", "val"] {
            let entries = try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("3_Class/3_class_\(split).json"))) as! [[String: Any]]
            let ids = entries.map { $0["sample_id"] as! String }
            for (m, folder, file, nameKey, featureKey) in layouts {
                try fm.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
                let writer = try PickleWriter(path: root.appendingPathComponent("\(folder)/\(split)_\(file).pkl").path)
                let (frames, dim) = Self.shapes[m]!
                for id in ids {
                    let length = 1 + generator.int(below: frames)
                    var padded = (0..<(length * dim)).map { _ in 4 * generator.uniformFloat() - 2 }
                    // A zero inside the true frames must not shorten the clip: only trailing rows count.
                    if length > 2 { for d in 0..<dim { padded[d] = 0 } }
                    padded += [Float](repeating: 0, count: (frames - length) * dim)
                    guard edit(m, id, &padded) else { continue }
                    lengths[m, default: [:]][id] = length
                    values[m, default: [:]][id] = Array(padded[0..<(length * dim)])
                    let name = m == .text ? id : "\(id).\(m == .audio ? "wav" : "mp4")"
                    padded.withUnsafeBufferPointer { writer.append(name: name, nameKey: nameKey, featureKey: featureKey, values: $0, frames: frames, dim: dim) }
                }
                try writer.finish()
            }
        }
    }

    func remove() { try? FileManager.default.removeItem(at: root) }
}
