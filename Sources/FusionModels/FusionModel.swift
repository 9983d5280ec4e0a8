import NN

/// One interface for all six models, so that the runner never special-cases one.
public protocol FusionModel: Module {
    /// The forward pass over a batch (modalities as given to the model at creation).
    func callAsFunction(_ batch: FusionBatch) -> FusionOutput
    /// What the batches must hold (audio pooling, alignment onto text tokens); the batcher
    /// applies it.
    var inputNeeds: InputNeeds { get }
}
