import Autograd
import Datasets
import Experiments
import Foundation
import FusionModels
import NN
import TestSupport
import Testing
import Vocabulary

/// The training protocol: how settings resolve, and what the trainer does with them.
@Suite struct ProtocolTests {
    static let experiments = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("experiments")

    /// paper.json and ablation.json train every model to early stopping with its published
    /// schedule (MMSA's sims values in models.json, `mmsa-notes.md` §2-§7), capped at 100 epochs.
    @Test(arguments: ["paper.json", "ablation.json"])
    func paperGridsResolveToThePublishedSchedules(_ name: String) throws {
        let spec = try GridSpec.load(path: Self.experiments.appendingPathComponent(name).path)
        // model: (batch, learning rate, accumulation, plateau patience, clip value)
        let published: [ModelName: (Int, Float, Int, Int, Float)] = [
            .efLSTM: (128, 5e-4, 1, 0, 0), .lfDNN: (128, 5e-3, 1, 0, 0), .tfn: (32, 5e-4, 1, 0, 0),
            .mfn: (32, 1e-3, 1, 0, 0), .mult: (16, 2e-3, 8, 10, 0.6), .misa: (64, 1e-4, 2, 0, 1.0),
        ]
        for (model, (batch, lr, accumulation, plateau, clip)) in published {
            let t = try #require(spec.training[model])
            #expect(
                t.epochs == 100 && t.patience == 8,
                "\(name) \(model): epochs \(t.epochs), patience \(t.patience)")
            #expect(
                t.batchSize == batch && t.learningRate == lr && t.accumulation == accumulation,
                "\(name) \(model)")
            #expect(
                t.plateauPatience == plateau && t.clipValue == clip && t.selection == .loss,
                "\(name) \(model)")
            #expect(plateau == 0 || t.plateauFactor == 0.1)
        }
        #expect(
            spec.training[.efLSTM]!.weightDecay == 1e-3
                && spec.training[.lfDNN]!.weightDecay == 5e-3)
        if name == "paper.json" {
            #expect(spec.classWeights == [false, true] && spec.seeds.count == 5)
            // 6 models x 2 weightings x 5 seeds + 2 references x 5 seeds, per task.
            #expect(spec.runs.count == 2 * (6 * 2 * 5 + 2 * 5))
        }
    }

    /// Layers: a derived spec's top-level setting beats a base spec's per-model one; the base's
    /// per-model settings it does not name come through; a per-model setting of the derived spec
    /// beats the derived spec's own top-level one; models.json's schedule sits below them all.
    @Test func settingsResolveLayerByLayer() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "layers-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try #"{"training": {"mult": {"batchSize": 16, "accumulation": 8, "clipValue": 0.6}}}"#
            .write(to: dir.appendingPathComponent("models.json"), atomically: true, encoding: .utf8)
        try #"""
        {"models": ["mult", "tfn"], "tasks": ["sentiment"], "modalities": ["TAV"], "seeds": [1],
         "training": {"learningRate": 0.01},
         "perModel": {"mult": {"training": {"epochs": 1, "batchSize": 4}}, \#
        "tfn": {"training": {"epochs": 2}}}}
        """#.write(to: dir.appendingPathComponent("base.json"), atomically: true, encoding: .utf8)
        try #"""
        {"base": "base.json", "training": {"epochs": 30},
         "perModel": {"tfn": {"training": {"epochs": 7}}}}
        """#.write(
            to: dir.appendingPathComponent("derived.json"), atomically: true, encoding: .utf8)
        let base = try GridSpec.load(path: dir.appendingPathComponent("base.json").path)
        #expect(base.training[.mult]!.epochs == 1 && base.training[.mult]!.batchSize == 4)
        #expect(
            base.training[.mult]!.accumulation == 8 && base.training[.mult]!.clipValue == 0.6,
            "models.json's schedule")
        let derived = try GridSpec.load(path: dir.appendingPathComponent("derived.json").path)
        #expect(
            derived.training[.mult]!.epochs == 30,
            "the derived top level beats the base's per-model cap")
        #expect(
            derived.training[.mult]!.batchSize == 4, "the base's per-model batch size comes through"
        )
        #expect(
            derived.training[.mult]!.learningRate == 0.01
                && derived.training[.mult]!.accumulation == 8)
        #expect(
            derived.training[.tfn]!.epochs == 7,
            "the derived per-model setting beats the derived top level")
        #expect(
            derived.training[.tfn]!.accumulation == 1, "no schedule for tfn in this models.json")
    }

    @Test func outOfRangeSettingsAreRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "range-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for bad in [
            #""accumulation": 0"#, #""learningRate": -0.1"#, #""plateauFactor": 1.5"#,
            #""selection": "accuracy""#,
        ] {
            let path = dir.appendingPathComponent("s.json").path
            let spec =
                #"{"models": ["tfn"], "tasks": ["sentiment"], "modalities": ["TAV"], "#
                + #""seeds": [1], "training": {\#(bad)}}"#
            try spec.write(toFile: path, atomically: true, encoding: .utf8)
            #expect(throws: SpecError.self, "\(bad)") { try GridSpec.load(path: path) }
        }
    }

    /// Accumulation: k mini-batches of b clips give the same update as one batch of k·b (a
    /// model without batch statistics, dropout off, plain SGD so the update is the gradient).
    @Test func accumulatedMiniBatchesEqualOneLargeBatch() throws {
        let data = SyntheticIndoMER.generate(.tiny)
        let clips = Array(data.indices(in: .train).prefix(16))
        var config = ModelConfigurations()
        config.efLSTM.hidden = 6
        config.efLSTM.layers = 2
        let problem = FusionProblem(
            modalities: Modality.allCases, dims: data.features.mapValues(\.dim), classes: 3)
        let batcher = Batcher(
            dataset: data, modalities: Modality.allCases, task: .sentiment,
            needs: config.make(.efLSTM, problem: problem, generator: Generator(seed: 4)).inputNeeds)
        let training = TrainingConfig()  // no clipping: the update is the averaged gradient itself
        func stepped(_ batches: [[Int]]) -> [[Float]] {
            let model = config.make(.efLSTM, problem: problem, generator: Generator(seed: 4))
            model.eval()
            let sgd = SGD(parameters: model.namedParameters(), learningRate: 0.5)
            TrainingStep(model: model, optimizer: sgd, training: training)(
                batches.map { batcher.batch($0) })
            return model.namedParameters().map(\.tensor.scalars)
        }
        let fresh = { () -> [[Float]] in
            config.make(.efLSTM, problem: problem, generator: Generator(seed: 4)).namedParameters()
                .map(\.tensor.scalars)
        }()
        let four = stepped(stride(from: 0, to: 16, by: 4).map { Array(clips[$0..<($0 + 4)]) })
        let one = stepped([clips])
        for (a, b) in zip(four, one) {
            expectClose(a, b, rtol: 1e-5, atol: 1e-5, "four of 4 vs one of 16")
        }
        #expect(zip(four, fresh).contains { $0 != $1 }, "the step changed the weights")
        // Summing instead of averaging (what a missing 1/k gives) would differ.
        let summed = stepped(Array(repeating: Array(clips[0..<4]), count: 4))
        let single = stepped([Array(clips[0..<4])])
        for (a, b) in zip(summed, single) {
            expectClose(a, b, rtol: 1e-5, atol: 1e-5, "a batch repeated 4 times averages to itself")
        }
    }
}
