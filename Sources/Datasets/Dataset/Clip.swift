import Vocabulary

/// One clip: identity, split and labels. Features live in `IndoMERDataset.features`.
public struct Clip: Codable, Equatable, Sendable {
    public var id: String
    /// The source video the clip was cut from (`clip_100_Opinion` for `clip_100_Opinion_1`):
    /// folds are grouped by it so that no speaker crosses them.
    public var sourceVideo: String
    public var split: Split
    public var sentiment: Int
    public var emotion: Int
    /// Per-modality sentiment labels of the release (text, audio, video), when given.
    public var modalitySentiment: [Modality: Int]

    public init(
        id: String, sourceVideo: String, split: Split, sentiment: Int, emotion: Int,
        modalitySentiment: [Modality: Int]
    ) {
        self.id = id
        self.sourceVideo = sourceVideo
        self.split = split
        self.sentiment = sentiment
        self.emotion = emotion
        self.modalitySentiment = modalitySentiment
    }

    public func label(for task: ClassificationTask) -> Int {
        switch task {
        case .sentiment: sentiment
        case .emotion: emotion
        default: preconditionFailure("\(task) is not a task of IndoMER's clips")
        }
    }

    /// `clip_100_Opinion_1` -> `clip_100_Opinion`.
    public static func sourceVideo(of id: String) -> String {
        guard let underscore = id.lastIndex(of: "_"), Int(id[id.index(after: underscore)...]) != nil
        else { return id }
        return String(id[..<underscore])
    }
}
