/// A data set's splits. IndoMER has train and val, which share no source video.
public enum Split: String, Codable, CaseIterable, Sendable {
    case train, val
}
