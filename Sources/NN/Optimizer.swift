/// One optimizer over named parameters: a per-parameter state and one update rule.
///
/// Parameters are matched to their state by key (their `state_dict` name), never by position.
/// Each update is one fused pass over the parameter, its gradient and its state.
public protocol Optimizer: AnyObject {
    var learningRate: Float { get set }
    /// Applies one update to every parameter that has a gradient.
    func step()
    /// The per-parameter state by parameter name, for checkpoints; setting it replaces the
    /// whole state (a parameter absent from it starts afresh at its next step).
    var snapshot: OptimizerSnapshot { get set }
}

/// An optimizer's learning rate and per-parameter state (moments and step counts) by name.
public struct OptimizerSnapshot: Equatable, Sendable {
    public struct Entry: Equatable, Sendable {
        public var first: [Float]
        public var second: [Float]
        public var steps: Int
        public init(first: [Float], second: [Float], steps: Int) {
            (self.first, self.second, self.steps) = (first, second, steps)
        }
    }

    public var learningRate: Float
    public var entries: [String: Entry]
    public init(learningRate: Float, entries: [String: Entry]) {
        (self.learningRate, self.entries) = (learningRate, entries)
    }
}

extension OptimizerSnapshot {
    init(learningRate: Float, state: [String: ParameterState]) {
        self.init(
            learningRate: learningRate,
            entries: state.mapValues { Entry(first: $0.first, second: $0.second, steps: $0.steps) })
    }

    var parameterStates: [String: ParameterState] {
        entries.mapValues { e in
            let s = ParameterState(count: 0, buffers: 0)
            (s.first, s.second, s.steps) = (e.first, e.second, e.steps)
            return s
        }
    }
}

/// The state each parameter carries between steps, created at its first update.
/// Two separately stored buffers, so that both can be borrowed mutably at once.
final class ParameterState {
    /// Momentum buffer (SGD) or first moment (Adam).
    var first: [Float]
    /// Second moment (Adam); empty for SGD.
    var second: [Float]
    var steps = 0
    init(count: Int, buffers: Int) {
        first = [Float](repeating: 0, count: buffers >= 1 ? count : 0)
        second = [Float](repeating: 0, count: buffers >= 2 ? count : 0)
    }
}
