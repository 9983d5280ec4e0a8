/// A vocabulary value that is written as its spelling: a run record, a spec or a report holds
/// the string (`"sentiment"`, `"TAV"`), and reading one looks the spelling up, refusing an
/// unknown one with what was expected.
public protocol Spelled: Codable {
    var spelling: String { get }
    init?(spelling: String)
    /// What a valid spelling looks like, for the error on an unknown one.
    static var expectedSpellings: String { get }
}

extension Spelled {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Self(spelling: text) else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "'\(text)' is not one of \(Self.expectedSpellings)"))
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(spelling)
    }
}
