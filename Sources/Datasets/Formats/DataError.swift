/// A problem with input data, naming the file, the clip or object, and what was expected.
public struct DataError: Error, CustomStringConvertible, Equatable {
    public let file: String
    public let clip: String?
    public let message: String

    public init(file: String, clip: String? = nil, message: String) {
        self.file = file
        self.clip = clip
        self.message = message
    }

    public var description: String {
        clip.map { "\(file): clip \($0): \(message)" } ?? "\(file): \(message)"
    }
}
