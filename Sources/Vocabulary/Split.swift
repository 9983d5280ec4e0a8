/// A data set's splits. IndoMER has train and val, which share no source video; MMSA's data
/// sets add test (their `valid` is `val`).
public enum Split: String, Codable, CaseIterable, Sendable {
    case train, val, test
}
