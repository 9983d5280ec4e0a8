import Synchronization

/// Whether operations record the graph that `backward()` walks.
///
/// Scoped with a task-local rather than a global flag, so that an evaluation pass on one
/// task cannot switch recording off under a training step on another.
public enum GradMode {
    @TaskLocal public static var isEnabled = true
}

/// Runs `body` without recording: results of operations inside have no graph and need no
/// gradient. Use it for evaluation and for parameter updates.
@discardableResult
public func noGrad<R>(_ body: () throws -> R) rethrows -> R {
    try GradMode.$isEnabled.withValue(false, operation: body)
}

/// One recorded operation: its inputs and the closure that turns the gradient of its result
/// into gradients of the inputs (accumulated with `+=` into each input's `grad`).
final class Node {
    /// Increases with every node created, so reverse id order is a valid backward order.
    let id: Int
    var inputs: [Tensor]
    var backward: ((Tensor) -> Void)?

    private static let counter = Atomic<Int>(0)

    init(inputs: [Tensor], backward: @escaping (Tensor) -> Void) {
        self.id = Node.counter.wrappingAdd(1, ordering: .relaxed).newValue
        self.inputs = inputs
        self.backward = backward
    }
}

extension Tensor {
    /// Attaches `backward` to this freshly computed result when recording is on and any input
    /// needs a gradient; otherwise returns the result as a constant.
    ///
    /// `backward` must not capture `self` (that would be a reference cycle); closures that need
    /// the result's values capture `detached()` instead.
    func recorded(from inputs: [Tensor], _ backward: @escaping (Tensor) -> Void) -> Tensor {
        guard GradMode.isEnabled, inputs.contains(where: { $0.requiresGrad }) else { return self }
        requiresGrad = true
        node = Node(inputs: inputs, backward: backward)
        return self
    }

    /// Adds `g` to this tensor's gradient. Leaves get their own copy so that an optimizer may
    /// update a gradient in place without touching another tensor's.
    func accumulateGrad(_ g: Tensor) {
        guard requiresGrad else { return }
        assert(g.shape == shape, "gradient shape \(g.shape) for a tensor of shape \(shape)")
        guard grad != nil else {
            if node == nil {
                grad = g.copy()
                gradIsOwned = true
            } else {
                grad = g
            }
            return
        }
        let target = ownedGrad()
        let dst = target.storage.base
        let src = g.storage.base
        for i in 0..<count { dst[i] += src[i] }
    }

    /// Adds `g` into the elements `range` along `axis` of this tensor's gradient, allocating a
    /// zero gradient only the first time: what `slice` needs when an LSTM takes one time step
    /// of a `[B, T, 4H]` projection per step.
    func accumulateGrad(_ g: Tensor, axis: Int, range: Range<Int>) {
        guard requiresGrad else { return }
        let target = ownedGrad()
        let (outer, n, inner) = split3(axis)
        let width = range.count * inner
        for o in 0..<outer {
            let dst = target.storage.base + (o * n + range.lowerBound) * inner
            let src = g.storage.base + o * width
            for j in 0..<width { dst[j] += src[j] }
        }
    }

    /// This tensor's gradient, made private to it (zero if there was none).
    func ownedGrad() -> Tensor {
        if let grad, gradIsOwned { return grad }
        let owned = grad?.copy() ?? Tensor.zeros(shape)
        grad = owned
        gradIsOwned = true
        return owned
    }

    /// Computes the gradient of this scalar with respect to every tensor it was computed from
    /// that requires one, then releases the graph.
    ///
    /// Concretely: seeds `grad = 1`, visits the recorded nodes in decreasing id order (each
    /// result before its inputs) and calls each backward closure once. Gradients of
    /// intermediate results are dropped as soon as they have been used; leaves keep theirs.
    /// Iterative, never recursive: an unrolled LSTM makes graphs tens of thousands deep.
    public func backward() {
        precondition(count == 1, "backward() starts from a scalar, not a tensor of shape \(shape)")
        guard requiresGrad else { return }
        let order = recordedAncestors()
        grad = Tensor.ones(shape)
        noGrad {
            for t in order {
                guard let node = t.node else { continue }
                if let g = t.grad, let step = node.backward { step(g) }
                t.grad = nil
                t.node = nil  // releases the closure and the inputs it holds
            }
        }
    }

    /// Releases the recorded graph behind this tensor without computing gradients, iteratively.
    public func releaseGraph() {
        for t in recordedAncestors() { t.node = nil }
    }

    /// Every recorded tensor this one depends on (itself included), results before inputs.
    private func recordedAncestors() -> [Tensor] {
        var stack: [Tensor] = [self]
        var seen = Set<ObjectIdentifier>()
        var order: [Tensor] = []
        while let t = stack.popLast() {
            guard let node = t.node, seen.insert(ObjectIdentifier(t)).inserted else { continue }
            order.append(t)
            stack.append(contentsOf: node.inputs)
        }
        order.sort { $0.node!.id > $1.node!.id }
        return order
    }
}
