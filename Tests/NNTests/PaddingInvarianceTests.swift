import Autograd
import Foundation
import HDF5
import NN
import TestSupport
import Testing
import Vocabulary

/// Padding never changes an output: a clip alone and the same clip inside a batch of longer,
/// zero-padded clips give the same values on its true steps.
@Suite struct PaddingInvarianceTests {
    let generator = Generator(seed: 11)

    @Test func lstmOutputsAndFinalStateIgnorePadding() {
        let lstm = LSTM(
            inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, generator: generator)
        let clip = Tensor.uniform([1, 4, 3], low: -1, high: 1, generator: generator)
        let (alone, hAlone, cAlone) = noGrad { lstm(clip, lengths: [4]) }
        // The clip first in a batch padded to 9 steps, beside a clip of length 9.
        let padded = Tensor.concat([clip, Tensor.zeros([1, 5, 3])], axis: 1)
        let other = Tensor.uniform([1, 9, 3], low: -1, high: 1, generator: generator)
        let batch = Tensor.concat([padded, other], axis: 0)
        let (out, h, c) = noGrad { lstm(batch, lengths: [4, 9]) }
        expectClose(
            out.slice(axis: 0, 0..<1).slice(axis: 1, 0..<4).scalars, alone.scalars, rtol: 1e-6,
            atol: 1e-6, "outputs")
        #expect(
            out.slice(axis: 0, 0..<1).slice(axis: 1, 4..<9).scalars.allSatisfy { $0 == 0 },
            "outputs past the length are 0")
        expectClose(
            h.slice(axis: 1, 0..<1).scalars, hAlone.scalars, rtol: 1e-6, atol: 1e-6, "final h")
        expectClose(
            c.slice(axis: 1, 0..<1).scalars, cAlone.scalars, rtol: 1e-6, atol: 1e-6, "final c")
    }

    @Test func attentionIgnoresPaddedKeysAndPaddedQueries() {
        let encoder = TransformerEncoder(
            embedDim: 8, heads: 2, layers: 2, kind: .crossModal, dropout: .init(),
            generator: generator)
        let query = Tensor.uniform([1, 3, 8], low: -1, high: 1, generator: generator)
        let context = Tensor.uniform([1, 5, 8], low: -1, high: 1, generator: generator)
        let alone = noGrad { encoder(query, lengths: [3], context: context, contextLengths: [5]) }
        // Pad the query to 6 steps and the context to 8, with garbage (not zeros) in the padding.
        let queryPadded = Tensor.concat([query, Tensor.full([1, 3, 8], 7)], axis: 1)
        let contextPadded = Tensor.concat([context, Tensor.full([1, 3, 8], -5)], axis: 1)
        let otherQuery = Tensor.uniform([1, 6, 8], low: -1, high: 1, generator: generator)
        let otherContext = Tensor.uniform([1, 8, 8], low: -1, high: 1, generator: generator)
        let batched = noGrad {
            encoder(
                Tensor.concat([otherQuery, queryPadded], axis: 0), lengths: [6, 3],
                context: Tensor.concat([otherContext, contextPadded], axis: 0),
                contextLengths: [8, 5])
        }
        expectClose(
            batched.slice(axis: 0, 1..<2).slice(axis: 1, 0..<3).scalars, alone.scalars, rtol: 1e-5,
            atol: 1e-5, "cross-modal encoder")
    }
}
