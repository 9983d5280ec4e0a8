import Vocabulary

/// The shape of the problem a model is built for.
public struct FusionProblem: Sendable {
    /// The modalities present (any non-empty subset), in T, A, V order.
    public var modalities: [Modality]
    /// Feature width per present modality.
    public var dims: [Modality: Int]
    public var classes: Int
    /// How the model's inputs treat padding; `.mmsa` changes EF-LSTM (MMSA's BatchNorm over
    /// the padded text steps) and MulT (projections that pad nothing) and every model's
    /// `inputNeeds`.
    public var inputProtocol: InputProtocol
    /// The data's padded length per modality (every modality, not only the present ones): the
    /// lengths MMSA's arrays have, used under `.mmsa`.
    public var paddedLengths: [Modality: Int]

    public init(
        modalities: [Modality], dims: [Modality: Int], classes: Int,
        inputProtocol: InputProtocol = .trueLengths, paddedLengths: [Modality: Int] = [:]
    ) {
        precondition(!modalities.isEmpty, "a fusion model needs at least one modality")
        precondition(
            !inputProtocol.isMMSA || paddedLengths[.text] != nil,
            "the MMSA protocol needs the data's padded text length")
        self.modalities = modalities.sorted()
        self.dims = dims
        self.classes = classes
        self.inputProtocol = inputProtocol
        self.paddedLengths = paddedLengths
    }

    /// What `model` asks of its batches under this problem's protocol: its own pooling and
    /// alignment, and under an MMSA protocol its `MMSAInputs` and units.
    func inputNeeds(
        for model: ModelName, audioPool: Int, alignedToText: Bool = false
    ) -> InputNeeds {
        InputNeeds(
            audioPool: audioPool, alignedToText: alignedToText,
            mmsa: inputProtocol.isMMSA ? MMSAInputs.of(model) : nil,
            fileUnits: inputProtocol == .mmsa)
    }
}
