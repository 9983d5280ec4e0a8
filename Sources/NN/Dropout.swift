import Autograd

/// Inverted dropout with the run's generator; the identity in evaluation mode.
///
/// reference: https://pytorch.org/docs/stable/generated/torch.nn.Dropout.html
public final class Dropout: Module {
    public let p: Float
    let generator: Generator

    public init(_ p: Float, generator: Generator) {
        self.p = p
        self.generator = generator
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        x.dropout(p, training: training, generator: generator)
    }
}
