import Foundation

/// Linear warm-up from 0 to the base rate over `warmupSteps`, then a half cosine down to 0 at
/// `totalSteps` (the `get_cosine_schedule_with_warmup` schedule, a `LambdaLR`).
///
/// Concretely: `λ(s) = s / w` for `s < w`, else `max(0, ½(1 + cos(π·(s − w)/(T − w))))`;
/// `lr = base·λ(s)`. The rate for step 0 is set on creation; `step()` advances by one.
public final class CosineWithWarmup {
    public let optimizer: Optimizer
    public let baseLR: Float
    public let warmupSteps: Int
    public let totalSteps: Int
    public private(set) var stepCount = 0

    public init(optimizer: Optimizer, warmupSteps: Int, totalSteps: Int) {
        self.optimizer = optimizer
        baseLR = optimizer.learningRate
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
        optimizer.learningRate = rate(at: 0)
    }

    public func rate(at s: Int) -> Float {
        if s < warmupSteps { return baseLR * Float(s) / Float(Swift.max(1, warmupSteps)) }
        let progress = Double(s - warmupSteps) / Double(Swift.max(1, totalSteps - warmupSteps))
        return baseLR * Float(Swift.max(0, 0.5 * (1 + cos(Double.pi * progress))))
    }

    public func step() {
        stepCount += 1
        optimizer.learningRate = rate(at: stepCount)
    }
}
