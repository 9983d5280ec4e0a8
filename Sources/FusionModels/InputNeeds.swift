import Vocabulary

/// What a model asks of its batches beyond the padded features: the batcher (Experiments)
/// applies it, so no caller copies a setting from the model to the batcher.
public struct InputNeeds: Equatable, Sendable {
    /// Audio frames averaged in windows of this many over each clip's true length before the
    /// model (1 = none; MulT's default 4 turns 100 frames/s into video's 25).
    public var audioPool = 1
    /// Audio and video averaged onto each clip's text tokens (`FusionBatch.aligningToText()`):
    /// the early-fusion models (EF-LSTM, MFN) step along the token axis.
    public var alignedToText = false
    /// Under the MMSA protocol, MMSA's handling of this model's batches (in place of
    /// `alignedToText`): features in the file's units, padded to the file's lengths, then
    /// `MMSAInputs.apply`; nil under true lengths.
    public var mmsa: MMSAInputs?
    /// Under the MMSA protocol, whether the features go back to the file's units (`mmsa`) or
    /// stay standardised (`mmsa-standardized`).
    public var fileUnits = true

    /// `batch` (true lengths, as the batcher builds it) shaped as the model asks: under the
    /// MMSA protocol through `MMSAInputs` with the data's `padded` lengths (the batcher first
    /// returns the features to the file's units), else aligned onto text tokens where asked.
    public func shape(_ batch: FusionBatch, padded: [Modality: Int]) -> FusionBatch {
        if let mmsa { return mmsa.apply(to: batch, padded: padded) }
        return alignedToText ? batch.aligningToText() : batch
    }

    public init(
        audioPool: Int = 1, alignedToText: Bool = false, mmsa: MMSAInputs? = nil,
        fileUnits: Bool = true
    ) {
        precondition(audioPool >= 1, "an audio pooling window of \(audioPool)")
        self.audioPool = audioPool
        self.alignedToText = alignedToText
        self.mmsa = mmsa
        self.fileUnits = fileUnits
    }
}
