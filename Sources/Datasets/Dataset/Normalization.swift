/// Per-dimension standardisation statistics, fitted on the training split's true frames.
public struct Normalization: Codable, Equatable, Sendable {
    public var mean: [Float]
    public var std: [Float]
}
