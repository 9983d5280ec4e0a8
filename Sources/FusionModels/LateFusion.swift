import Autograd
import NN
import Vocabulary

/// Hyperparameters of LF-DNN and TFN, which share their architecture up to the fusion.
public struct LateFusionConfig: Codable, Equatable, Sendable {
    public var hidden: PerModality<Int>
    public var textOut: Int
    public var postFusion: Int
    public var dropout: PerModality<Float>
    public var postFusionDropout: Float
    /// Audio frames averaged in windows of this many over each clip before the model (1 = none).
    public var audioPool = 1

    /// LF-DNN's MMSA `sims` values.
    public static let lfDNN = LateFusionConfig(
        hidden: PerModality(text: 128, audio: 32, video: 128), textOut: 256, postFusion: 32,
        dropout: PerModality(text: 0.3, audio: 0.3, video: 0.3), postFusionDropout: 0.5)

    /// TFN's MMSA `sims` values (text_out 256 makes the fusion layer 35 M weights).
    public static let tfn = LateFusionConfig(
        hidden: PerModality(text: 128, audio: 32, video: 128), textOut: 256, postFusion: 32,
        dropout: PerModality(text: 0.4, audio: 0.4, video: 0.4), postFusionDropout: 0.4)
}

/// What LF-DNN and TFN share: per-modality encoders, then dropout and a three-layer MLP over
/// a fused vector. Subclasses decide how the encoders' outputs are fused.
public class LateFusion: Module {
    let encoders: [ModalityEncoder]
    let drop: Dropout
    let fusion1: Linear
    let fusion2: Linear
    let out: Linear
    public let inputNeeds: InputNeeds

    init(
        order: [Modality], problem: FusionProblem, config: LateFusionConfig,
        fusedSize: ([Int]) -> Int, generator: Generator
    ) {
        inputNeeds = problem.inputNeeds(for: .lfDNN, audioPool: config.audioPool)
        encoders = order.map {
            ModalityEncoder(
                $0, input: problem.dims[$0]!, hidden: config.hidden[$0], textOut: config.textOut,
                dropout: config.dropout[$0], generator: generator)
        }
        drop = Dropout(config.postFusionDropout, generator: generator)
        fusion1 = Linear(
            fusedSize(encoders.map(\.outputSize)), config.postFusion, generator: generator)
        fusion2 = Linear(config.postFusion, config.postFusion, generator: generator)
        out = Linear(config.postFusion, problem.classes, generator: generator)
    }

    override public var children: [(key: String, module: Module)] {
        encoders.map { (key: $0.modality.rawValue, module: $0 as Module) }
            + [
                ("post_fusion_dropout", drop), ("post_fusion_layer_1", fusion1),
                ("post_fusion_layer_2", fusion2), ("post_fusion_layer_3", out),
            ]
    }

    /// Each encoder's output, in the encoders' order.
    func encode(_ batch: FusionBatch) -> [Tensor] {
        encoders.map { $0(batch.inputs[$0.modality]!) }
    }

    /// `W₃·relu(W₂·relu(W₁·drop(z)))`.
    func head(_ z: Tensor) -> Tensor { out(fusion2(fusion1(drop(z)).relu()).relu()) }
}
