import FusionModels
import Vocabulary

/// Which inner-fold score picks the epoch and drives early stopping.
public enum SelectionMetric: String, Codable, Sendable {
    /// The inner-fold cross-entropy, lower is better (MMSA's `KeyEval: Loss`).
    case loss
    /// The inner-fold macro-F1, higher is better; ties (within the threshold) go to the lower
    /// inner-fold loss.
    case macroF1
}

/// How one model is trained.
public struct TrainingConfig: Codable, Equatable, Sendable {
    public var batchSize = 32
    public var learningRate: Float = 1e-3
    /// L2 weight decay added to the gradient (PyTorch `Adam(weight_decay=)`, as MMSA).
    public var weightDecay: Float = 0
    /// Epoch cap.
    public var epochs = 30
    /// Epochs without a better inner-fold score (by more than `earlyStopThreshold`) before stopping.
    public var patience = 8
    /// The inner-fold score that selects the epoch and stops training.
    public var selection = SelectionMetric.macroF1
    /// An epoch is better only when its score beats the best by more than this (MMSA: 1e-6).
    public var earlyStopThreshold = 1e-6
    /// Cross-entropy weighted by inverse class frequency of the training clips.
    public var classWeights = false
    /// Gradient elements clamped to ±this before each optimizer step (0 = off).
    public var clipValue: Float = 0
    /// The whole gradient rescaled to at most this L2 norm before each step (0 = off).
    public var clipNorm: Float = 0
    /// One optimizer step every this many mini-batches, their gradients averaged (MMSA's
    /// `update_epochs`); an epoch's last, shorter group is stepped too, averaged over its own size.
    public var accumulation = 1
    /// ReduceLROnPlateau on the inner-fold loss: epochs without improvement before the rate is
    /// multiplied by `plateauFactor` (0 = no schedule).
    public var plateauPatience = 0
    public var plateauFactor: Float = 0.1
    /// Fraction of the training split held out (by source video) for model selection.
    public var innerFold = 0.15
    /// Training-time modality dropout: each training clip loses each modality of the run with
    /// this probability per epoch, independently (length 0, as `InputPerturbation.removed`),
    /// never all of them: a clip that would lose every modality keeps them all, so the rate
    /// applied is r_m − r_T·r_A·r_V (`Trainer.droppedModalities`). The inner fold and the
    /// evaluation see every modality.
    public var modalityDropout = PerModality(text: 0.0, audio: 0.0, video: 0.0)
    /// How the model's inputs treat padding: each clip's true lengths, or MMSA 2.2.1's data
    /// handling and read-outs (`InputProtocol.mmsa`; `baselines run --protocol mmsa`).
    public var dataProtocol = InputProtocol.trueLengths
    /// After training, evaluate the selected weights on the reported split under the standard
    /// robustness conditions (`RobustnessCondition.standard`) and record them.
    public var robustness = false
    public init() {}
}
