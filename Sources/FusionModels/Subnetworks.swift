import Autograd
import NN
import Vocabulary

/// LF-DNN's and TFN's network for a pooled modality: BatchNorm1d, dropout, then three
/// ReLU layers. `[B, D] -> [B, H]`.
final class SubNet: Module {
    let norm: BatchNorm1d
    let drop: Dropout
    let linear1: Linear
    let linear2: Linear
    let linear3: Linear

    init(input: Int, hidden: Int, dropout: Float, generator: Generator) {
        norm = BatchNorm1d(input)
        drop = Dropout(dropout, generator: generator)
        linear1 = Linear(input, hidden, generator: generator)
        linear2 = Linear(hidden, hidden, generator: generator)
        linear3 = Linear(hidden, hidden, generator: generator)
    }

    override var children: [(key: String, module: Module)] {
        [
            ("norm", norm), ("drop", drop), ("linear_1", linear1), ("linear_2", linear2),
            ("linear_3", linear3),
        ]
    }

    func callAsFunction(_ x: Tensor) -> Tensor {
        let h = linear1(drop(norm(x))).relu()
        return linear3(linear2(h).relu()).relu()
    }
}

/// LF-DNN's and TFN's text network: an LSTM read at each clip's true end, dropout, a linear
/// map. `[B, T, D] -> [B, out]`. (MMSA silently zeroes this dropout for a one-layer LSTM; here
/// the configured rate applies.)
final class TextSubNet: Module {
    let rnn: LSTM
    let drop: Dropout
    let linear: Linear

    init(input: Int, hidden: Int, output: Int, dropout: Float, generator: Generator) {
        rnn = LSTM(inputSize: input, hiddenSize: hidden, generator: generator)
        drop = Dropout(dropout, generator: generator)
        linear = Linear(hidden, output, generator: generator)
    }

    override var children: [(key: String, module: Module)] {
        [("rnn", rnn), ("dropout", drop), ("linear_1", linear)]
    }

    func callAsFunction(_ input: ModalityBatch) -> Tensor {
        let h = rnn(input.features, lengths: input.lengths).h  // [1, B, H]
        return linear(drop(h.squeeze(0)))
    }
}

/// The pooled representation LF-DNN and TFN use for one modality: text through its LSTM,
/// audio and video as their true-length means through a SubNet.
final class ModalityEncoder: Module {
    let modality: Modality
    let text: TextSubNet?
    let pooled: SubNet?

    init(
        _ modality: Modality, input: Int, hidden: Int, textOut: Int, dropout: Float,
        generator: Generator
    ) {
        self.modality = modality
        if modality == .text {
            text = TextSubNet(
                input: input, hidden: hidden, output: textOut, dropout: dropout,
                generator: generator)
            pooled = nil
        } else {
            text = nil
            pooled = SubNet(input: input, hidden: hidden, dropout: dropout, generator: generator)
        }
    }

    var outputSize: Int { text?.linear.outFeatures ?? pooled!.linear3.outFeatures }

    override var children: [(key: String, module: Module)] {
        text.map { [("subnet", $0)] } ?? [("subnet", pooled!)]
    }

    /// `[B, out]`; zero for a clip without frames of the modality (a removed modality), so
    /// that LF-DNN's late fusion loses exactly that branch's contribution and TFN's fusion
    /// tensor keeps only the other modalities' terms. The pooled branch runs on the clips that
    /// have frames only, so that absent clips never enter its BatchNorm statistics.
    func callAsFunction(_ input: ModalityBatch) -> Tensor {
        if let text {
            let h = text(input)
            return input.lengths.contains(0) ? h * SequenceOps.presence(input.lengths) : h
        }
        let mean = SequenceOps.mean(input.features, lengths: input.lengths)
        guard input.lengths.contains(0) else { return pooled!(mean) }
        let present = input.lengths.indices.filter { input.lengths[$0] > 0 }
        guard !present.isEmpty else { return Tensor.zeros([input.lengths.count, outputSize]) }
        let h = pooled!(mean.indexSelect(rows: present))
        var position = 0
        // Each clip's row of `h`, or a zero row (−1) for a clip without the modality.
        let rows = input.lengths.map { length -> Int in
            guard length > 0 else { return -1 }
            defer { position += 1 }
            return position
        }
        return h.indexSelect(rows: rows)
    }
}
