import Vocabulary

/// One clip: identity, split and labels. Features live in `IndoMERDataset.features`.
public struct Clip: Codable, Equatable, Sendable {
    public var id: String
    /// The source video the clip was cut from (`clip_100_Opinion` for `clip_100_Opinion_1`):
    /// folds are grouped by it so that no speaker crosses them.
    public var sourceVideo: String
    public var split: Split
    /// Each task's class, for the tasks the clip has one in (MMSA leaves a clip whose score is
    /// exactly 0 out of CMU's negative-or-positive task).
    public var labels: [ClassificationTask: Int]
    /// Per-modality sentiment labels of the release (text, audio, video), when given.
    public var modalitySentiment: [Modality: Int]

    /// IndoMER's sentiment class.
    public var sentiment: Int {
        get { labels[.sentiment] ?? -1 }
        set { labels[.sentiment] = newValue }
    }
    /// IndoMER's emotion class.
    public var emotion: Int {
        get { labels[.emotion] ?? -1 }
        set { labels[.emotion] = newValue }
    }

    /// An IndoMER clip.
    public init(
        id: String, sourceVideo: String, split: Split, sentiment: Int, emotion: Int,
        modalitySentiment: [Modality: Int]
    ) {
        self.init(
            id: id, sourceVideo: sourceVideo, split: split,
            labels: [.sentiment: sentiment, .emotion: emotion], modalitySentiment: modalitySentiment
        )
    }

    public init(
        id: String, sourceVideo: String, split: Split, labels: [ClassificationTask: Int],
        modalitySentiment: [Modality: Int] = [:]
    ) {
        self.id = id
        self.sourceVideo = sourceVideo
        self.split = split
        self.labels = labels
        self.modalitySentiment = modalitySentiment
    }

    /// The clip's class in `task`; a clip without one is never asked (see
    /// `IndoMERDataset.indices(in:for:)`).
    public func label(for task: ClassificationTask) -> Int {
        guard let label = labels[task] else {
            preconditionFailure("clip \(id) has no \(task) label")
        }
        return label
    }

    /// `clip_100_Opinion_1` -> `clip_100_Opinion`.
    public static func sourceVideo(of id: String) -> String {
        guard let underscore = id.lastIndex(of: "_"), Int(id[id.index(after: underscore)...]) != nil
        else { return id }
        return String(id[..<underscore])
    }
}
