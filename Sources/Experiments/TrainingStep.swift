import Autograd
import FusionModels
import NN

/// One optimizer step of a fusion model, the only one in the package: the trainer, `--plan`'s
/// timing, the benchmarks and the tests all step through it.
///
/// Concretely, for mini-batches `b₁ … bₙ`: gradients zeroed; for each, the training loss
/// (`loss(_:labels:classWeights:)`) scaled by `1/n`, so that the gradients average as one batch
/// of all their clips would give when they are equally large, and backward; then clipping (by
/// value, then by norm) and the optimizer's step. The model's train/eval mode is the caller's.
public struct TrainingStep {
    public let model: any FusionModel
    public let optimizer: Optimizer
    /// Clipping as `TrainingConfig.clipValue` and `clipNorm` (0: none).
    public var clipValue: Float
    public var clipNorm: Float
    /// Per-class weights of the cross-entropy (nil: unweighted).
    public var classWeights: [Float]?

    public init(
        model: any FusionModel, optimizer: Optimizer, training: TrainingConfig = TrainingConfig(),
        classWeights: [Float]? = nil
    ) {
        self.model = model
        self.optimizer = optimizer
        clipValue = training.clipValue
        clipNorm = training.clipNorm
        self.classWeights = classWeights
    }

    /// What a model trains on: the cross-entropy of its logits (mean over the batch, weighted
    /// per class when `classWeights` is given) plus its auxiliary loss (MISA's).
    public static func loss(
        _ output: FusionOutput, labels: [Int], classWeights: [Float]? = nil
    )
        -> Tensor
    {
        let loss = Tensor.crossEntropy(
            logits: output.logits, targets: labels, classWeights: classWeights)
        return output.auxiliaryLoss.map { loss + $0 } ?? loss
    }

    /// One step from a group of mini-batches; returns each one's unscaled loss.
    @discardableResult
    public func callAsFunction(_ batches: [FusionBatch]) -> [Double] {
        let parameters = model.namedParameters()
        model.zeroGrad()
        var losses: [Double] = []
        for batch in batches {
            let loss = Self.loss(model(batch), labels: batch.labels, classWeights: classWeights)
            losses.append(Double(loss.item))
            (batches.count == 1 ? loss : loss * (1 / Float(batches.count))).backward()
        }
        if clipValue > 0 { GradientClipping.clipValue(parameters, limit: clipValue) }
        if clipNorm > 0 { _ = GradientClipping.clipNorm(parameters, maxNorm: clipNorm) }
        optimizer.step()
        return losses
    }

    /// One step from one mini-batch; returns its loss.
    @discardableResult
    public func callAsFunction(_ batch: FusionBatch) -> Double { self([batch])[0] }
}
