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
public final class TFN: Module, FusionModel {
    let audioPoolWindow: Int
    public var audioPool: Int { audioPoolWindow }
    let encoders: [ModalityEncoder]
    let drop: Dropout
    let fusion1: Linear
    let fusion2: Linear
    let out: Linear

    public init(_ config: TFNConfig, problem: FusionProblem, generator: Generator) {
        audioPoolWindow = config.audioPool
        // MMSA's product order: audio, video, text.
        let order = [Modality.audio, .video, .text].filter(problem.modalities.contains)
        encoders = order.map {
            ModalityEncoder($0, input: problem.dims[$0]!, hidden: config.hidden[$0], textOut: config.textOut, dropout: config.dropout[$0], generator: generator)
        }
        let fused = encoders.map { $0.outputSize + 1 }.reduce(1, *)
        drop = Dropout(config.postFusionDropout, generator: generator)
        fusion1 = Linear(fused, config.postFusion, generator: generator)
        fusion2 = Linear(config.postFusion, config.postFusion, generator: generator)
        out = Linear(config.postFusion, problem.classes, generator: generator)
    }

    override public var children: [(key: String, module: Module)] {
        encoders.map { (key: $0.modality.rawValue, module: $0 as Module) } + [("post_fusion_dropout", drop), ("post_fusion_layer_1", fusion1), ("post_fusion_layer_2", fusion2), ("post_fusion_layer_3", out)]
    }

    public func callAsFunction(_ batch: FusionBatch) -> FusionOutput {
        let batchSize = batch.size
        let ones = Tensor.ones([batchSize, 1])
        var z: Tensor?
        for encoder in encoders {
            let h = Tensor.concat([ones, encoder(batch.inputs[encoder.modality]!)], axis: 1)
            z = z.map { Tensor.outer($0, h).reshape([batchSize, -1]) } ?? h
        }
        return FusionOutput(logits: out(fusion2(fusion1(drop(z!)).relu()).relu()))
    }
}
