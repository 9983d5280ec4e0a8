import Autograd

/// 1-D convolution over `[B, C_in, L]`, weight `[C_out, C_in, k]`, as PyTorch's `Conv1d`
/// (one group). Weight and bias are drawn from U(±1/√(C_in·k)), PyTorch's default.
///
/// reference: https://pytorch.org/docs/stable/generated/torch.nn.Conv1d.html
public final class Conv1d: Module {
    public let weight: Tensor
    public let bias: Tensor?
    public let padding: Int
    public let stride: Int
    public var kernelSize: Int { weight.shape[2] }

    public init(
        _ inChannels: Int, _ outChannels: Int, kernelSize: Int, padding: Int = 0, stride: Int = 1,
        bias: Bool = true, generator: Generator
    ) {
        let fanIn = inChannels * kernelSize
        weight = Init.pytorchDefault(
            [outChannels, inChannels, kernelSize], fanIn: fanIn, generator: generator)
        self.bias =
            bias ? Init.pytorchDefault([outChannels], fanIn: fanIn, generator: generator) : nil
        self.padding = padding
        self.stride = stride
    }

    override public var parameters: [(key: String, tensor: Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        Tensor.conv1d(x, weight: weight, bias: bias, padding: padding, stride: stride)
    }
}
