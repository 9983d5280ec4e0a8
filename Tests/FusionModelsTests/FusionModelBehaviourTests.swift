import Autograd
import Datasets
import Experiments
import Foundation
import FusionModels
import NN
import TestSupport
import Testing
import Vocabulary

@Suite struct FusionModelBehaviourTests {
    static let data = SyntheticIndoMER.generate(.tiny)

    func problem(_ modalities: [Modality], classes: Int = 3) -> FusionProblem {
        FusionProblem(
            modalities: modalities, dims: Self.data.features.mapValues(\.dim), classes: classes)
    }

    /// One clip alone and the same clip inside a batch of longer clips give the same logits.
    @Test(arguments: ModelName.fusionModels)
    func paddingNeverChangesTheOutput(_ kind: ModelName) {
        let model = smallConfigurations().make(
            kind, problem: problem(Modality.allCases), generator: Generator(seed: 1))
        model.eval()
        let batcher = Batcher(
            dataset: Self.data, modalities: Modality.allCases, task: .sentiment,
            needs: model.inputNeeds)
        // The shortest clip (by video) beside the two longest.
        let byLength = Self.data.clips.indices.sorted {
            Self.data.features[.video]!.length(of: $0) < Self.data.features[.video]!.length(of: $1)
        }
        let short = byLength[0]
        let alone = noGrad { model(batcher.batch([short])).logits }
        let together = noGrad {
            model(batcher.batch([byLength.last!, short, byLength[byLength.count - 2]])).logits
        }
        expectClose(
            together.slice(axis: 0, 1..<2).scalars, alone.scalars, rtol: 1e-5, atol: 1e-5,
            "\(kind.displayName) logits")
    }

    /// Each model fits 32 synthetic clips (training accuracy 100%).
    @Test(arguments: ModelName.fusionModels)
    func overfitsThirtyTwoClips(_ kind: ModelName) {
        let generator = Generator(seed: 3)
        let model = smallConfigurations().make(
            kind, problem: problem(Modality.allCases), generator: generator)
        let batcher = Batcher(
            dataset: Self.data, modalities: Modality.allCases, task: .sentiment,
            needs: model.inputNeeds)
        // 32 clips with all three classes.
        let train = Self.data.indices(in: .train)
        let clips = Array(
            (train.filter { Self.data.clips[$0].sentiment != 1 }.prefix(16)
                + train.filter { Self.data.clips[$0].sentiment == 1 }.prefix(16)))
        let batch = batcher.batch(clips)
        let step = TrainingStep(
            model: model, optimizer: Adam(parameters: model.namedParameters(), learningRate: 3e-3))
        var accuracy = 0.0
        for iteration in 0..<600 {
            model.train()
            step(batch)
            if iteration % 20 == 19 {
                model.eval()
                let logits = noGrad { model(batch).logits }
                let predictions = (0..<32).map { i in
                    (0..<3).max { logits.scalars[i * 3 + $0] < logits.scalars[i * 3 + $1] }!
                }
                accuracy = Double(zip(predictions, batch.labels).filter { $0 == $1 }.count) / 32
                if accuracy == 1 { break }
            }
        }
        #expect(accuracy == 1, "\(kind.displayName) reached training accuracy \(accuracy)")
    }

    /// One epoch over the (tiny synthetic) training split on every modality subset, without error.
    @Test(arguments: ModelName.fusionModels)
    func trainsOnEveryModalitySubset(_ kind: ModelName) {
        for subset in allSubsets {
            let generator = Generator(seed: 5)
            let model = smallConfigurations().make(
                kind, problem: problem(subset, classes: 7), generator: generator)
            let batcher = Batcher(
                dataset: Self.data, modalities: subset, task: .emotion, needs: model.inputNeeds)
            let step = TrainingStep(
                model: model,
                optimizer: Adam(parameters: model.namedParameters(), learningRate: 1e-3))
            let train = Self.data.indices(in: .train)
            for clips in batcher.batches(
                of: train, batchSize: 16, shuffle: true, generator: generator)
            {
                let batch = batcher.batch(clips)
                #expect(
                    noGrad { model(batch) }.logits.shape == [clips.count, 7],
                    "\(kind.displayName) \(subset)")
                let loss = step(batch)
                #expect(loss.isFinite, "\(kind.displayName) \(subset) loss \(loss)")
            }
        }
    }
}
