import Vocabulary

/// A data set in memory, as the trainer reads it: clips, labels, features and provenance.
/// IndoMER (the release or the synthetic set), or an MMSA-format file (`name` says which).
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
    /// The data set's name in logs and captions: `IndoMER`, or an MMSA file's (`CH-SIMS`).
    public var name = DataSetName.indoMER
    /// The tasks its clips are labelled for, in report order.
    public var tasks: [ClassificationTask] = ClassificationTask.indoMER

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

    /// The clips of `split` that have a class in `task` (all of them but for MMSA's
    /// negative-or-positive task, which leaves out clips scored exactly 0).
    public func indices(in split: Split, for task: ClassificationTask) -> [Int] {
        clips.indices.filter { clips[$0].split == split && clips[$0].labels[task] != nil }
    }

    /// The split whose results are reported: `test` where the data set has one (MMSA's; the
    /// epoch is then selected on `val`), else `val` (IndoMER's official validation split).
    public var reportedSplit: Split { clips.contains { $0.split == .test } ? .test : .val }

    /// "IndoMER release" or "synthetic IndoMER", with the fingerprint's first 12 hex digits.
    public var provenanceLine: String {
        let what =
            isSynthetic
            ? "synthetic IndoMER (not the release)"
            : name == DataSetName.indoMER ? "IndoMER release" : "\(name) (\(source))"
        return "\(what), fingerprint \(fingerprint.prefix(12))"
    }
}
