/// An n-dimensional array of `Float`s, contiguous and row-major, that can record the
/// operations applied to it and compute gradients in reverse mode.
///
/// Tensors are reference types: a parameter is one object whose values an optimizer updates in
/// place and whose `grad` the backward pass fills. A `reshape` shares storage (no copy); every
/// other operation returns a tensor with new storage.
///
/// Shape legend used across this module: `B` batch, `T` time steps, `D` features,
/// `M`, `N`, `K` the sides of a matrix product.
public final class Tensor {
    public let shape: [Int]
    let storage: TensorStorage
    /// Whether gradients flow to this tensor. Set it on parameters; results of operations on
    /// such tensors get it automatically while recording.
    public var requiresGrad: Bool
    /// The gradient of the last `backward()` with respect to this tensor, if it is a leaf that
    /// requires one.
    public var grad: Tensor? {
        didSet { gradIsOwned = false }
    }
    /// Whether `grad`'s storage belongs to this tensor alone, so that further gradients may be
    /// added into it in place. A gradient handed over by a backward closure may be shared (the
    /// same tensor passed to both operands of `+`), so it is copied before the first in-place add.
    var gradIsOwned = false
    var node: Node?

    /// Fresh uninitialised storage: the caller writes every element.
    init(uninitializedShape shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        self.shape = shape
        self.storage = TensorStorage(count: shape.reduce(1, *))
        self.requiresGrad = false
    }

    init(shape: [Int], storage: TensorStorage) {
        precondition(shape.reduce(1, *) == storage.count)
        self.shape = shape
        self.storage = storage
        self.requiresGrad = false
    }

    /// A tensor holding `scalars` in row-major order.
    public convenience init(_ scalars: [Float], shape: [Int], requiresGrad: Bool = false) {
        precondition(
            scalars.count == shape.reduce(1, *),
            "\(scalars.count) values for shape \(shape) (\(shape.reduce(1, *)) elements)")
        self.init(uninitializedShape: shape)
        _ = scalars.withUnsafeBufferPointer { storage.buffer.initialize(fromContentsOf: $0) }
        self.requiresGrad = requiresGrad
    }

    /// A 0-dimensional tensor.
    public convenience init(scalar: Float, requiresGrad: Bool = false) {
        self.init([scalar], shape: [], requiresGrad: requiresGrad)
    }

    public var count: Int { storage.count }
    public var rank: Int { shape.count }

    /// The values, in row-major order (a copy).
    public var scalars: [Float] { Array(storage.buffer) }

    /// The value of a one-element tensor.
    public var item: Float {
        precondition(count == 1, "item of a tensor of shape \(shape)")
        return storage.base[0]
    }

    public func withUnsafeBufferPointer<R>(
        _ body: (UnsafeBufferPointer<Float>) throws -> R
    )
        rethrows -> R
    { try body(UnsafeBufferPointer(storage.buffer)) }

    /// Writes into the values in place. Used by optimizers and loaders, outside recording:
    /// changing a tensor that a recorded operation used would make its gradient wrong.
    public func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R { try body(storage.buffer) }

    /// The same values with no graph and no gradient: the result shares storage.
    public func detached() -> Tensor { Tensor(shape: shape, storage: storage) }

    /// A copy of the values into new storage, with no graph.
    public func copy() -> Tensor {
        let out = Tensor(uninitializedShape: shape)
        out.storage.base.update(from: storage.base, count: count)
        return out
    }

    /// The size of dimension `axis`; negative axes count from the end.
    public func dim(_ axis: Int) -> Int { shape[normalizedAxis(axis)] }

    func normalizedAxis(_ axis: Int) -> Int {
        let a = axis < 0 ? axis + rank : axis
        precondition(
            a >= 0 && a < Swift.max(rank, 1), "axis \(axis) out of range for shape \(shape)")
        return a
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let shown = scalars.prefix(8).map { String($0) }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(shown)\(count > 8 ? ", ..." : "")])"
    }
}
