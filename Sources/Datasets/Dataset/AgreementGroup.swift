/// How a clip's modality labels relate to its overall sentiment: the groups of the
/// cross-modal conflict analysis.
public enum AgreementGroup: String, Codable, CaseIterable, Sendable {
    case allAgree = "all-agree"
    case onlyText = "only-text-disagrees"
    case onlyAudio = "only-audio-disagrees"
    case onlyVideo = "only-video-disagrees"
    case several = "two-or-more-disagree"

    public var displayName: String {
        switch self {
        case .allAgree: "All agree"
        case .onlyText: "Only T disagrees"
        case .onlyAudio: "Only A disagrees"
        case .onlyVideo: "Only V disagrees"
        case .several: "2+ disagree"
        }
    }
}
