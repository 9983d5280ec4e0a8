import Autograd

/// A fully connected layer.
///
/// Concretely: `y = x·Wᵀ + b`, over the last dimension of `x` (`[..., in] -> [..., out]`).
/// Weight `[out, in]` and bias `[out]` are drawn from U(±1/√in), PyTorch's default.
///
/// reference: https://pytorch.org/docs/stable/generated/torch.nn.Linear.html
public final class Linear: Module {
    public let weight: Tensor
    public let bias: Tensor?

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, generator: Generator) {
        weight = Init.pytorchDefault(
            [outFeatures, inFeatures], fanIn: inFeatures, generator: generator)
        self.bias =
            bias ? Init.pytorchDefault([outFeatures], fanIn: inFeatures, generator: generator) : nil
    }

    override public var parameters: [(key: String, tensor: Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    public var inFeatures: Int { weight.shape[1] }
    public var outFeatures: Int { weight.shape[0] }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        precondition(
            x.shape.last == inFeatures,
            "Linear(\(inFeatures), \(outFeatures)) applied to shape \(x.shape)")
        let flat = x.rank == 2 || x.rank == 3 ? x : x.reshape([-1, inFeatures])
        var y = Tensor.matmul(flat, weight, transposeB: true)
        if let bias { y = y + bias }
        return flat === x ? y : y.reshape(Array(x.shape.dropLast()) + [outFeatures])
    }
}
