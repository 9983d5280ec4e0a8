/// Each clip's true frames of one modality, concatenated: clip `i` is rows
/// `offsets[i] ..< offsets[i + 1]` of a `[Σ lengths, dim]` matrix. Padding is not stored.
public struct RaggedFeatures: Sendable {
    public var dim: Int
    /// The release's padded length (every clip was padded to it); batches pad less.
    public var paddedLength: Int
    public var offsets: [Int]
    public var data: [Float]

    public init(dim: Int, paddedLength: Int, offsets: [Int], data: [Float]) {
        precondition(
            offsets.first == 0 && offsets.last.map { $0 * dim } == data.count,
            "ragged offsets do not match the data")
        self.dim = dim
        self.paddedLength = paddedLength
        self.offsets = offsets
        self.data = data
    }

    public var clipCount: Int { offsets.count - 1 }
    public func length(of clip: Int) -> Int { offsets[clip + 1] - offsets[clip] }
    public var lengths: [Int] { (0..<clipCount).map(length(of:)) }

    /// The true frames of `clip`, row-major `[length, dim]`.
    public func frames(of clip: Int) -> ArraySlice<Float> {
        data[(offsets[clip] * dim)..<(offsets[clip + 1] * dim)]
    }
}
