import Autograd
import NN

/// Late fusion: one network per modality (an LSTM for text, true-length means through a
/// three-layer network for audio and video), their outputs concatenated, then an MLP.
///
/// Concretely: `h = [f_T(text); f_A(mean audio); f_V(mean video)]`,
/// `logits = W₃·relu(W₂·relu(W₁·drop(h)))`.
/// Unlike MMSA (`mmsa-notes.md` §3): audio and video means divide by each clip's true length,
/// not the padded one; the text LSTM is read at the clip's last token; and the text
/// subnetwork's dropout (0.3) is applied, where MMSA's one-layer `TextSubNet` silently drops
/// it (§3.2). `InputProtocol.mmsa` reproduces MMSA's means over the padded length and the text
/// LSTM read after every padded step (checked against MMSA's own code); the dropout is a
/// setting (`experiments/chsims-mmsa.json` sets it to MMSA's 0). Trained with MMSA's schedule (batch 128, lr 5e-3, weight decay 5e-3).
/// A removed modality: its branch's representation is zero (`ModalityEncoder` masks it), so
/// the late fusion loses exactly that branch's contribution: with the matching columns of the
/// first post-fusion layer, the model built without it (tested for audio).
/// All six train with cross-entropy on the class labels (MMSA trains these models as
/// regressors on sentiment scores, `mmsa-notes.md` §0.1, §1.4) and select the epoch on an
/// inner fold of the training split grouped by source video (MMSA uses its validation split).
public final class LFDNN: LateFusion, FusionModel {
    public init(_ config: LateFusionConfig, problem: FusionProblem, generator: Generator) {
        super.init(
            order: problem.modalities, problem: problem, config: config,
            fusedSize: { $0.reduce(0, +) }, generator: generator)
    }

    public func callAsFunction(_ batch: FusionBatch) -> FusionOutput {
        let parts = encode(batch)
        return FusionOutput(
            logits: head(parts.count == 1 ? parts[0] : Tensor.concat(parts, axis: 1)))
    }
}
