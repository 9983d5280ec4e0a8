import Datasets
import Experiments
import FusionModels
import TestSupport
import Testing
import Vocabulary

@Suite struct BatcherTests {
    @Test func batcherPoolsAudioAndPadsToTheBatchLongest() {
        let data = SyntheticIndoMER.generate(.tiny)
        let batcher = Batcher(
            dataset: data, modalities: [.audio], task: .sentiment, needs: InputNeeds(audioPool: 4))
        let clips = [0, 1, 2]
        let batch = batcher.batch(clips)
        let lengths = clips.map { (data.features[.audio]!.length(of: $0) + 3) / 4 }
        #expect(batch.inputs[.audio]!.lengths == lengths)
        #expect(
            batch.inputs[.audio]!.features.shape == [3, lengths.max()!, data.features[.audio]!.dim])
        // The first pooled frame is the mean of the first four.
        let f = data.features[.audio]!
        let frames = Array(f.frames(of: 0))
        let expected = (0..<f.dim).map { d in
            (0..<4).map { frames[$0 * f.dim + d] }.reduce(0, +) / 4
        }
        expectClose(
            Array(batch.inputs[.audio]!.features.scalars[0..<f.dim]), expected, rtol: 1e-5,
            atol: 1e-6)
    }
}
