import Autograd
import Datasets
import Experiments
import Foundation
import FusionModels
import NN
import TestSupport
import Testing
import Vocabulary

/// Small hyperparameters so that the debug-build suite stays fast; the defaults are checked
/// by the parameter counts.
func smallConfigurations() -> ModelConfigurations {
    var c = ModelConfigurations()
    c.efLSTM.hidden = 16
    c.efLSTM.layers = 2
    c.lfDNN.hidden = PerModality(text: 16, audio: 8, video: 16)
    c.lfDNN.textOut = 16
    c.lfDNN.postFusion = 16
    c.tfn.hidden = PerModality(text: 8, audio: 4, video: 8)
    c.tfn.textOut = 8
    c.tfn.postFusion = 16
    c.mfn.hidden = PerModality(text: 16, audio: 8, video: 16)
    c.mfn.memory = 16
    c.mult.dim = 16
    c.mult.heads = 4
    c.mult.layers = 1
    c.misa.hidden = 16
    c.misa.fusionFeedForward = 32
    return c
}

let allSubsets: [[Modality]] = [
    [.text], [.audio], [.video], [.text, .audio], [.text, .video], [.audio, .video],
    [.text, .audio, .video],
]

@Suite struct ParameterCountTests {
    /// At IndoMER's widths with the default (MMSA `sims`) hyperparameters, the counts equal
    /// (1) the PyTorch twins' (`Fixtures/parameter_counts.json`, from make_model_reference.py)
    /// and (2) MMSA's (`../shared/reference/mmsa-notes.md` §8.3) less what we leave out on
    /// purpose: EF-LSTM's time-as-channel BatchNorm (138) and MISA's unused discriminator (516)
    /// and text-sequence LayerNorm (3,072).
    @Test func defaultsAtIndoMERWidthsAgreeWithTwinsAndMMSA() throws {
        let mmsa: [ModelName: (Int, Int)] = [
            .efLSTM: (209_293 - 138, 209_425 - 138), .lfDNN: (630_697, 630_829),
            .tfn: (35_626_953, 35_627_085),
            .mfn: (591_459, 591_719), .mult: (1_868_753, 1_869_957),
            .misa: (19_616_891 - 516 - 3_072, 19_618_431 - 516 - 3_072),
        ]
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/parameter_counts.json")
        let twins = try JSONDecoder().decode(
            [String: [String: Int]].self, from: Data(contentsOf: url))
        for kind in ModelName.fusionModels {
            for (task, expected) in [
                (ClassificationTask.sentiment, mmsa[kind]!.0), (.emotion, mmsa[kind]!.1),
            ] {
                let count = ModelConfigurations().make(
                    kind, problem: .indoMER(Modality.allCases, task: task),
                    generator: Generator(seed: 0)
                ).parameterCount
                #expect(count == expected, "\(kind.displayName) \(task) vs MMSA")
                #expect(
                    count == twins[kind.rawValue]?["\(task.classCount)"],
                    "\(kind.displayName) \(task) vs the PyTorch twin")
            }
        }
    }
}

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
        #expect(TimeWindows.pooled(length: 10, window: 4) == [0..<4, 4..<8, 8..<10])
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

    @Test func batcherPoolsAudioAndPadsToTheBatchLongest() {
        let data = FusionModelBehaviourTests.data
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

@Suite struct ModuleRegistrationTests {
    /// Every `Module` a model stores (directly, in arrays or dictionaries, or in tuples) is
    /// listed in `children` somewhere below it; otherwise `eval()` would not reach it and its
    /// parameters would be neither trained nor saved.
    @Test(arguments: ModelName.fusionModels)
    func everyStoredSubmoduleIsRegistered(_ kind: ModelName) {
        let model = smallConfigurations().make(
            kind, problem: .indoMER(Modality.allCases, task: .sentiment),
            generator: Generator(seed: 0))
        var registered = Set<ObjectIdentifier>()
        var stack: [Module] = [model]
        while let m = stack.popLast() {
            registered.insert(ObjectIdentifier(m))
            stack += m.children.map(\.module)
        }
        func stored(_ value: Any) -> [Module] {
            if let m = value as? Module { return [m] }
            return Mirror(reflecting: value).children.flatMap { stored($0.value) }
        }
        var visited = Set<ObjectIdentifier>()
        stack = [model]
        while let m = stack.popLast() {
            guard visited.insert(ObjectIdentifier(m)).inserted else { continue }
            for child in Mirror(reflecting: m).children {
                for sub in stored(child.value) {
                    let (owner, label, held) = (type(of: m), child.label ?? "?", type(of: sub))
                    #expect(
                        registered.contains(ObjectIdentifier(sub)),
                        "\(kind.displayName): \(owner).\(label) (\(held)) is not in children"
                    )
                    stack.append(sub)
                }
            }
        }
    }
}

@Suite struct ConfigurationTests {
    /// `experiments/models.json` (the defaults as data) and the coded defaults agree.
    @Test func experimentsFileHoldsTheDefaults() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("experiments/models.json")
        let decoded = try JSONDecoder().decode(
            ModelConfigurations.self, from: Data(contentsOf: url))
        #expect(
            decoded == ModelConfigurations(),
            """
            regenerate with: swift run baselines models --defaults > /tmp/models.json \
            && mv /tmp/models.json experiments/models.json
            """
        )
    }

    @Test func partialOverridesKeepOtherDefaults() throws {
        let mult = String(decoding: try JSONEncoder().encode(MulTConfig()), as: UTF8.self)
        let decoded = try JSONDecoder().decode(
            ModelConfigurations.self,
            from: Data(#"{"mult": \#(mult)}"#.utf8))
        #expect(decoded == ModelConfigurations())
        #expect(
            ModelConfigurations().mult.audioPool == 4 && ModelConfigurations().misa.audioPool == 1)
    }
}
