import Autograd
import Datasets
import NN

/// TFN hyperparameters (MMSA `sims`: text_out 256 makes the fusion layer 35 M weights).
public struct TFNConfig: Codable, Equatable, Sendable {
    public var hidden = PerModality(text: 128, audio: 32, video: 128)
    public var textOut = 256
    public var postFusion = 32
    public var dropout = PerModality<Float>(text: 0.4, audio: 0.4, video: 0.4)
    public var postFusionDropout: Float = 0.4
    /// Audio frames averaged in windows of this many over each clip before the model (1 = none).
    public var audioPool = 1
    public init() {}
}

/// Tensor Fusion Network: each modality's representation extended by a constant 1, their
/// outer product (unimodal, bimodal and trimodal terms in one tensor), then an MLP.
///
/// Concretely: `z = [1; h_A] ⊗ [1; h_V] ⊗ [1; h_T]` over the present modalities, flattened,
/// `logits = W₃·relu(W₂·relu(W₁·drop(z)))`. Subnetworks as LF-DNN.
///
/// ### References
/// - Zadeh et al., "Tensor Fusion Network for Multimodal Sentiment Analysis", EMNLP 2017.
public final class TFN: LateFusion, FusionModel {
    public init(_ config: TFNConfig, problem: FusionProblem, generator: Generator) {
        // MMSA's product order: audio, video, text.
        super.init(
            order: [Modality.audio, .video, .text].filter(problem.modalities.contains), problem: problem,
            hidden: config.hidden, textOut: config.textOut, dropout: config.dropout, postFusion: config.postFusion,
            postFusionDropout: config.postFusionDropout, audioPool: config.audioPool,
            fusedSize: { $0.map { $0 + 1 }.reduce(1, *) }, generator: generator)
    }

    public func callAsFunction(_ batch: FusionBatch) -> FusionOutput {
        let ones = Tensor.ones([batch.size, 1])
        var z: Tensor?
        for part in encode(batch) {
            let h = Tensor.concat([ones, part], axis: 1)
            z = z.map { Tensor.outer($0, h).reshape([batch.size, -1]) } ?? h
        }
        return FusionOutput(logits: head(z!))
    }
}
