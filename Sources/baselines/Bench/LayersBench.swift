import ArgumentParser
import Autograd
import Experiments
import Foundation
import NN

/// `baselines bench layers`: one training step (forward, backward, Adam) of the layers the
/// models spend their time in, at IndoMER-like shapes.
struct LayersBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "layers",
        abstract:
            "Training-step time (forward, backward, Adam) of LSTM, bidirectional LSTM and a cross-modal Transformer."
    )

    @OptionGroup var blas: BLASOptions
    @Flag(help: "One JSON object per line instead of a table.") var json = false
    @Option(help: "Timed steps per case (median reported, after 2 warm-up steps).") var repeats = 5

    struct Result: Encodable {
        let bench = "layers.train_step"
        let layer: String
        let medianMs: Double
        let minMs: Double
        let parameters: Int
        let blas: BLASInfo
    }

    func run() throws {
        blas.apply()
        let context = BLASInfo.current
        if !json {
            print("bench layers: \(context.line); median of \(repeats) steps after 2 warm-up")
            print(TextTable.pad("layer", 62) + TextTable.pad("ms/step", 12) + "parameters")
        }
        let generator = Generator(seed: 1)
        let cases: [(String, Module, () -> Tensor)] = {
            let lstm = LSTM(inputSize: 18, hiddenSize: 32, generator: generator)
            let audio = Tensor.normal([32, 540, 18], generator: generator)
            let bi = LSTM(inputSize: 673, hiddenSize: 64, bidirectional: true, generator: generator)
            let video = Tensor.normal([32, 135, 673], generator: generator)
            let transformer = TransformerEncoder(
                embedDim: 50, heads: 10, layers: 3, kind: .crossModal,
                dropout: TransformerDropout(
                    attention: 0.1, relu: 0.1, residual: 0.1, embedding: 0.1), generator: generator)
            let queries = Tensor.normal([32, 69, 50], generator: generator)
            let keys = Tensor.normal([32, 540, 50], generator: generator)
            let full = { (n: Int, t: Int) in [Int](repeating: t, count: n) }
            return [
                ("LSTM (32, 540, 18), hidden 32", lstm, { lstm(audio).output.mean() }),
                ("bidirectional LSTM (32, 135, 673), hidden 64", bi, { bi(video).output.mean() }),
                (
                    "3-layer cross-modal Transformer d50 h10, (32,69) over (32,540)", transformer,
                    {
                        transformer(
                            queries, lengths: full(32, 69), context: keys,
                            contextLengths: full(32, 540)
                        ).mean()
                    }
                ),
            ]
        }()
        for (name, module, loss) in cases {
            let optimizer = Adam(parameters: module.namedParameters(), learningRate: 1e-3)
            let times = Timing.samples(repeats: repeats) {
                module.zeroGrad()
                loss().backward()
                optimizer.step()
            }
            let result = Result(
                layer: name, medianMs: Timing.median(times) * 1e3,
                minMs: (times.min() ?? .nan) * 1e3,
                parameters: module.parameterCount, blas: context)
            if json {
                printJSONLine(result)
            } else {
                print(
                    TextTable.pad(name, 62)
                        + TextTable.pad(TextTable.number(result.medianMs, 1), 12)
                        + "\(result.parameters)")
            }
        }
    }
}
