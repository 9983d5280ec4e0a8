import Autograd
import Datasets
import NN

/// LF-DNN hyperparameters (MMSA `sims`).
public struct LFDNNConfig: Codable, Equatable, Sendable {
    public var hidden = PerModality(text: 128, audio: 32, video: 128)
    public var textOut = 256
    public var postFusion = 32
    public var dropout = PerModality<Float>(text: 0.3, audio: 0.3, video: 0.3)
    public var postFusionDropout: Float = 0.5
    /// Audio frames averaged in windows of this many over each clip before the model (1 = none).
    public var audioPool = 1
    public init() {}
}

/// Late fusion: one network per modality (an LSTM for text, true-length means through a
/// three-layer network for audio and video), their outputs concatenated, then an MLP.
///
/// Concretely: `h = [f_T(text); f_A(mean audio); f_V(mean video)]`,
/// `logits = W₃·relu(W₂·relu(W₁·drop(h)))`.
/// Unlike MMSA: audio and video means divide by each clip's true length, not the padded one,
/// and the text LSTM is read at the clip's last token.
public final class LFDNN: LateFusion, FusionModel {
    public init(_ config: LFDNNConfig, problem: FusionProblem, generator: Generator) {
        super.init(
            order: problem.modalities, problem: problem, hidden: config.hidden, textOut: config.textOut,
            dropout: config.dropout, postFusion: config.postFusion, postFusionDropout: config.postFusionDropout,
            audioPool: config.audioPool, fusedSize: { $0.reduce(0, +) }, generator: generator)
    }

    public func callAsFunction(_ batch: FusionBatch) -> FusionOutput {
        let parts = encode(batch)
        return FusionOutput(logits: head(parts.count == 1 ? parts[0] : Tensor.concat(parts, axis: 1)))
    }
}

/// What LF-DNN and TFN share: per-modality encoders, then dropout and a three-layer MLP over
/// a fused vector. Subclasses decide how the encoders' outputs are fused.
public class LateFusion: Module {
    let encoders: [ModalityEncoder]
    let drop: Dropout
    let fusion1: Linear
    let fusion2: Linear
    let out: Linear
    let audioPoolWindow: Int
    public var audioPool: Int { audioPoolWindow }

    init(
        order: [Modality], problem: FusionProblem, hidden: PerModality<Int>, textOut: Int, dropout: PerModality<Float>,
        postFusion: Int, postFusionDropout: Float, audioPool: Int, fusedSize: ([Int]) -> Int, generator: Generator
    ) {
        audioPoolWindow = audioPool
        encoders = order.map {
            ModalityEncoder($0, input: problem.dims[$0]!, hidden: hidden[$0], textOut: textOut, dropout: dropout[$0], generator: generator)
        }
        drop = Dropout(postFusionDropout, generator: generator)
        fusion1 = Linear(fusedSize(encoders.map(\.outputSize)), postFusion, generator: generator)
        fusion2 = Linear(postFusion, postFusion, generator: generator)
        out = Linear(postFusion, problem.classes, generator: generator)
    }

    override public var children: [(key: String, module: Module)] {
        encoders.map { (key: $0.modality.rawValue, module: $0 as Module) }
            + [("post_fusion_dropout", drop), ("post_fusion_layer_1", fusion1), ("post_fusion_layer_2", fusion2), ("post_fusion_layer_3", out)]
    }

    /// Each encoder's output, in the encoders' order.
    func encode(_ batch: FusionBatch) -> [Tensor] { encoders.map { $0(batch.inputs[$0.modality]!) } }

    /// `W₃·relu(W₂·relu(W₁·drop(z)))`.
    func head(_ z: Tensor) -> Tensor { out(fusion2(fusion1(drop(z)).relu()).relu()) }
}
