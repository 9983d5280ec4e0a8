import Foundation
import Vocabulary

/// Facts of the IndoMER release that the reader and the synthetic generator share: each
/// modality's padded shape and the Indonesian spelling of each class label.
public enum IndoMERRelease {
    /// The release's splits (it has no test split).
    public static let splits: [Split] = [.train, .val]

    /// The release's padded shape per clip: frames x features.
    public static func shape(of modality: Modality) -> (frames: Int, features: Int) {
        switch modality {
        case .text: (69, 768)
        case .audio: (2252, 18)
        case .video: (723, 673)
        }
    }

    /// Each modality's feature width.
    public static var featureWidths: [Modality: Int] {
        Dictionary(uniqueKeysWithValues: Modality.allCases.map { ($0, shape(of: $0).features) })
    }

    /// The release's Indonesian labels of a task's classes, in the task's class order.
    public static func labels(of task: ClassificationTask) -> [String] {
        switch task {
        case .sentiment: ["negatif", "netral", "positif"]
        case .emotion:
            ["ketakutan", "jijik", "kemarahan", "kesedihan", "netral", "kebahagiaan", "surprise"]
        default: preconditionFailure("\(task) is not an IndoMER task")
        }
    }

    /// The class id of a release label (case and surrounding spaces ignored).
    public static func classIndex(ofLabel label: String, task: ClassificationTask) -> Int? {
        labels(of: task).firstIndex(of: label.trimmingCharacters(in: .whitespaces).lowercased())
    }
}
