/// Lowers the learning rate when a monitored metric stops improving, as PyTorch's
/// `ReduceLROnPlateau` (relative threshold mode).
///
/// Concretely: a value is better when `v < best·(1 − threshold)` (mode min) or
/// `v > best·(1 + threshold)` (mode max); after more than `patience` epochs without a better
/// value, `lr ← max(lr·factor, minLR)` (skipped if the change is below `eps`), then
/// `cooldown` epochs pass before counting again.
///
/// reference:
/// https://pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ReduceLROnPlateau.html
public final class ReduceLROnPlateau {
    public enum Mode: String, Codable, Sendable { case min, max }

    public let optimizer: Optimizer
    public let mode: Mode
    public let factor: Float
    public let patience: Int
    public let threshold: Double
    public let cooldown: Int
    public let minLR: Float
    public let eps: Float
    private var best: Double
    private var badEpochs = 0
    private var cooldownLeft = 0

    public init(
        optimizer: Optimizer, mode: Mode = .min, factor: Float = 0.1, patience: Int = 10,
        threshold: Double = 1e-4, cooldown: Int = 0, minLR: Float = 0, eps: Float = 1e-8
    ) {
        self.optimizer = optimizer
        self.mode = mode
        self.factor = factor
        self.patience = patience
        self.threshold = threshold
        self.cooldown = cooldown
        self.minLR = minLR
        self.eps = eps
        best = mode == .min ? .infinity : -.infinity
    }

    /// The counters that decide the next reduction, for checkpoints.
    public struct State: Codable, Equatable, Sendable {
        public var best: Double
        public var badEpochs: Int
        public var cooldownLeft: Int
    }

    public var state: State {
        get { State(best: best, badEpochs: badEpochs, cooldownLeft: cooldownLeft) }
        set {
            (best, badEpochs, cooldownLeft) = (
                newValue.best, newValue.badEpochs, newValue.cooldownLeft
            )
        }
    }

    /// Records one epoch's metric and lowers the learning rate if it has plateaued.
    public func step(_ metric: Double) {
        let better =
            mode == .min ? metric < best * (1 - threshold) : metric > best * (1 + threshold)
        if better {
            best = metric
            badEpochs = 0
        } else {
            badEpochs += 1
        }
        if cooldownLeft > 0 {
            cooldownLeft -= 1
            badEpochs = 0
        }
        if badEpochs > patience {
            let lowered = Swift.max(optimizer.learningRate * factor, minLR)
            if optimizer.learningRate - lowered > eps { optimizer.learningRate = lowered }
            cooldownLeft = cooldown
            badEpochs = 0
        }
    }
}
