import Vocabulary

/// A clip's overall sentiment beside each modality's own sentiment label (the release's
/// `label`, `text_label`, `audio_label` and `video_label`), as class ids of the sentiment task.
public struct SentimentLabels: Codable, Equatable, Sendable {
    public var overall: Int
    public var text: Int
    public var audio: Int
    public var video: Int

    public init(overall: Int, text: Int, audio: Int, video: Int) {
        self.overall = overall
        self.text = text
        self.audio = audio
        self.video = video
    }

    public subscript(_ m: Modality) -> Int {
        PerModality(text: text, audio: audio, video: video)[m]
    }

    /// The modalities whose own label differs from the overall one.
    public var disagreeing: [Modality] { Modality.allCases.filter { self[$0] != overall } }

    public var agreement: AgreementGroup {
        let d = disagreeing
        switch d.count {
        case 0: return .allAgree
        case 1: return [.text: .onlyText, .audio: .onlyAudio, .video: .onlyVideo][d[0]]!
        default: return .several
        }
    }
}

extension Clip {
    /// The clip's sentiment labels, when the data give all three modality labels: IndoMER's
    /// (in its sentiment classes), or CH-SIMS's (its per-modality scores in `sims-3` classes).
    public var sentimentLabels: SentimentLabels? {
        guard let t = modalitySentiment[.text], let a = modalitySentiment[.audio],
            let v = modalitySentiment[.video], let overall = labels[.sentiment] ?? labels[.sims3]
        else { return nil }
        return SentimentLabels(overall: overall, text: t, audio: a, video: v)
    }
}
