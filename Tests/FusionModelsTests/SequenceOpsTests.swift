import Autograd
import Datasets
import Experiments
import Foundation
import FusionModels
import NN
import TestSupport
import Testing
import Vocabulary

@Suite struct SequenceOpsTests {
    /// Hand-computed averages: the windows and the alignment's product.
    @Test func alignAveragesEqualSlices() {
        // One clip of 5 frames onto 2 tokens: frames 0-1 and 2-4.
        let x = Tensor([1, 2, 3, 4, 5, 0], shape: [1, 6, 1])
        func aligned(frames: Int, tokens: Int) -> [Float] {
            let batch = FusionBatch(
                inputs: [.audio: ModalityBatch(features: x, lengths: [frames])], labels: [0],
                clipIDs: ["a"], textLengths: [tokens])
            return batch.aligningToText().inputs[.audio]!.features.scalars
        }
        #expect(aligned(frames: 5, tokens: 2) == [1.5, 4])
        // More tokens than frames: each token takes at least one frame.
        #expect(aligned(frames: 2, tokens: 4) == [1, 1, 2, 2])
        #expect(TimeWindows.slices(length: 5, count: 2) == [0..<2, 2..<5])
        #expect(Array(TimeWindows.pooled(length: 10, window: 4)) == [0..<4, 4..<8, 8..<10])
    }

    @Test func meanAndLastStepUseTrueLengths() {
        let x = Tensor([1, 2, 3, 4, 10, 20, 0, 0], shape: [2, 4, 1])
        #expect(SequenceOps.mean(x, lengths: [4, 2]).scalars == [2.5, 15])
        #expect(SequenceOps.lastStep(x, lengths: [3, 2]).scalars == [3, 20])
        checkGradients([randomTensor([2, 4, 3])], "masked mean") {
            SequenceOps.mean($0[0], lengths: [4, 2])
        }
        checkGradients([randomTensor([2, 4, 3])], "last step") {
            SequenceOps.lastStep($0[0], lengths: [1, 3])
        }
    }
}
