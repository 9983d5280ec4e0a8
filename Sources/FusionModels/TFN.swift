import Autograd
import NN
import Vocabulary

/// Tensor Fusion Network: each modality's representation extended by a constant 1, their
/// outer product (unimodal, bimodal and trimodal terms in one tensor), then an MLP.
///
/// Concretely: `z = [1; h_A] ⊗ [1; h_V] ⊗ [1; h_T]` over the present modalities, flattened,
/// `logits = W₃·relu(W₂·relu(W₁·drop(z)))`. Subnetworks as LF-DNN.
///
/// Unlike MMSA (`mmsa-notes.md` §4): LF-DNN's differences (true-length means, the text LSTM
/// read at the last token, the text dropout 0.4 applied where MMSA's is 0), and no
/// `sigmoid·6 − 3` output, which belongs to MMSA's regression mode. `InputProtocol.mmsa`
/// reproduces MMSA's data handling, as for LF-DNN. Trained with MMSA's
/// schedule (batch 32, lr 5e-4).
/// A removed modality: its representation is zero (as LF-DNN), so with the appended 1 the
/// fusion tensor keeps only the terms of the other modalities (every product with the removed
/// vector vanishes).
/// All six train with cross-entropy on the class labels (MMSA trains these models as
/// regressors on sentiment scores, `mmsa-notes.md` §0.1, §1.4) and select the epoch on an
/// inner fold of the training split grouped by source video (MMSA uses its validation split).
///
/// ### References
/// - Zadeh et al., "Tensor Fusion Network for Multimodal Sentiment Analysis", EMNLP 2017.
public final class TFN: LateFusion, FusionModel {
    public init(_ config: LateFusionConfig, problem: FusionProblem, generator: Generator) {
        // MMSA's product order: audio, video, text.
        super.init(
            order: [Modality.audio, .video, .text].filter(problem.modalities.contains),
            problem: problem, config: config,
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
