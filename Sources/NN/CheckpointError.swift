/// A checkpoint that does not fit the module it is loaded into.
public struct CheckpointError: Error, CustomStringConvertible, Equatable {
    public let path: String
    public let problems: [String]
    public var description: String {
        "\(path): checkpoint does not match the model:\n"
            + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}
