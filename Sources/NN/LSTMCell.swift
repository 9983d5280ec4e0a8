import Autograd

/// One LSTM step for models that drive the recurrence themselves (MFN).
/// Parameters and initialisation as PyTorch's `LSTMCell`.
///
/// reference: https://pytorch.org/docs/stable/generated/torch.nn.LSTMCell.html
public final class LSTMCell: Module {
    public let weightIH: Tensor
    public let weightHH: Tensor
    public let biasIH: Tensor
    public let biasHH: Tensor
    public let hiddenSize: Int

    public init(inputSize: Int, hiddenSize: Int, generator: Generator) {
        let bound = 1 / Float(hiddenSize).squareRoot()
        weightIH = Init.uniform([4 * hiddenSize, inputSize], bound: bound, generator: generator)
        weightHH = Init.uniform([4 * hiddenSize, hiddenSize], bound: bound, generator: generator)
        biasIH = Init.uniform([4 * hiddenSize], bound: bound, generator: generator)
        biasHH = Init.uniform([4 * hiddenSize], bound: bound, generator: generator)
        self.hiddenSize = hiddenSize
    }

    override public var parameters: [(key: String, tensor: Tensor)] {
        [
            ("weight_ih", weightIH), ("weight_hh", weightHH), ("bias_ih", biasIH),
            ("bias_hh", biasHH),
        ]
    }

    /// `x [B, D]`, state `(h, c)` each `[B, H]` -> the new state.
    public func callAsFunction(_ x: Tensor, state: (h: Tensor, c: Tensor)) -> (h: Tensor, c: Tensor)
    {
        let gates =
            Tensor.matmul(x, weightIH, transposeB: true) + biasIH
            + Tensor.matmul(state.h, weightHH, transposeB: true) + biasHH
        return Tensor.lstmCell(gates: gates, previous: state.c)
    }
}
