import Vocabulary

/// One clip: identity, split and labels. Features live in `IndoMERDataset.features`.
public struct Clip: Codable, Equatable, Sendable {
    public var id: String
    /// The source video the clip was cut from (`clip_100_Opinion` for `clip_100_Opinion_1`):
    /// folds are grouped by it so that no speaker crosses them.
    public var sourceVideo: String
    public var split: Split
    public var sentiment: Int
    public var emotion: Int
    /// Per-modality sentiment labels of the release (text, audio, video), when given.
    public var modalitySentiment: [Modality: Int]

    public init(
        id: String, sourceVideo: String, split: Split, sentiment: Int, emotion: Int,
        modalitySentiment: [Modality: Int]
    ) {
        self.id = id
        self.sourceVideo = sourceVideo
        self.split = split
        self.sentiment = sentiment
        self.emotion = emotion
        self.modalitySentiment = modalitySentiment
    }

    public func label(for task: ClassificationTask) -> Int {
        task == .sentiment ? sentiment : emotion
    }

    /// `clip_100_Opinion_1` -> `clip_100_Opinion`.
    public static func sourceVideo(of id: String) -> String {
        guard let underscore = id.lastIndex(of: "_"), Int(id[id.index(after: underscore)...]) != nil
        else { return id }
        return String(id[..<underscore])
    }
}

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

/// Per-dimension standardisation statistics, fitted on the training split's true frames.
public struct Normalization: Codable, Equatable, Sendable {
    public var mean: [Float]
    public var std: [Float]
}

/// IndoMER in memory, as the trainer reads it: clips, labels, features and provenance.
public struct IndoMERDataset: Sendable {
    public var clips: [Clip]
    public var features: [Modality: RaggedFeatures]
    public var normalization: [Modality: Normalization]
    /// Built-in synthetic data rather than the release. Every result from it says so.
    public var isSynthetic: Bool
    /// SHA-256 (hex) of the release files read (label files and feature pickles), or of the
    /// synthetic generator's settings.
    public var fingerprint: String
    /// Where the data came from: a release folder, or the synthetic generator's settings.
    public var source: String
    /// NaN and infinite values found per modality and replaced by 0 (with `--zero-non-finite`).
    public var nonFiniteReplaced: [Modality: Int] = [:]

    public init(
        clips: [Clip], features: [Modality: RaggedFeatures],
        normalization: [Modality: Normalization],
        isSynthetic: Bool, fingerprint: String, source: String
    ) {
        self.clips = clips
        self.features = features
        self.normalization = normalization
        self.isSynthetic = isSynthetic
        self.fingerprint = fingerprint
        self.source = source
    }

    public var modalities: [Modality] { Modality.allCases.filter { features[$0] != nil } }

    public func indices(in split: Split) -> [Int] {
        clips.indices.filter { clips[$0].split == split }
    }

    /// "IndoMER release" or "synthetic IndoMER", with the fingerprint's first 12 hex digits.
    public var provenanceLine: String {
        "\(isSynthetic ? "synthetic IndoMER (not the release)" : "IndoMER release"), fingerprint \(fingerprint.prefix(12))"
    }
}
