import Autograd

/// Layer normalisation over the last dimension.
///
/// Concretely: `y = (x − mean) / √(var + eps) · γ + β`, with the *biased* variance (divide
/// by D), as PyTorch. `eps = 1e-5`; γ = 1, β = 0 initially.
///
/// reference: https://pytorch.org/docs/stable/generated/torch.nn.LayerNorm.html
public final class LayerNorm: Module {
    public let weight: Tensor
    public let bias: Tensor
    public let eps: Float

    public init(_ features: Int, eps: Float = 1e-5) {
        weight = Tensor.ones([features], requiresGrad: true)
        bias = Tensor.zeros([features], requiresGrad: true)
        self.eps = eps
    }

    override public var parameters: [(key: String, tensor: Tensor)] {
        [("weight", weight), ("bias", bias)]
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        Tensor.layerNorm(x, weight: weight, bias: bias, eps: eps)
    }
}
