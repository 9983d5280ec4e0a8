import Vocabulary

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
