import Autograd
import Datasets
import Experiments
import Foundation
import FusionModels
import NN
import Testing
import Vocabulary

/// Per-epoch checkpoints: a run resumed from the state saved after epoch k ends exactly as the
/// run that was never interrupted (weights, optimizer, scheduler, every random stream, curve).
@Suite struct CheckpointResumeTests {
    /// A setting that exercises every piece of saved state: dropout (the model's generator),
    /// shuffling, modality dropout (its own generator), Adam's moments, ReduceLROnPlateau's
    /// counters, accumulation and class weights; macro-F1 selection so the best epoch moves.
    static func setting(epochs: Int) -> (ModelConfigurations, TrainingConfig) {
        var config = ModelConfigurations()
        config.efLSTM.hidden = 6
        config.efLSTM.layers = 2
        config.efLSTM.dropout = 0.3
        var training = TrainingConfig()
        training.epochs = epochs
        training.patience = 100
        training.batchSize = 8
        training.accumulation = 2
        training.learningRate = 0.05
        training.plateauPatience = 1
        training.classWeights = true
        training.modalityDropout = PerModality(text: 0.2, audio: 0.2, video: 0.2)
        return (config, training)
    }

    @Test(arguments: [1, 3])
    func resumedRunEqualsUninterrupted(_ killedAfter: Int) throws {
        let data = SyntheticIndoMER.generate(.tiny)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "checkpoint-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("run.h5").path
        func train(epochs: Int, checkpoint: Trainer.Checkpointing?) throws -> Trainer.Outcome {
            let (config, training) = Self.setting(epochs: epochs)
            return try Trainer().train(
                .efLSTM, configurations: config, training: training, dataset: data, task: .emotion,
                modalities: Modality.allCases, seed: 11, checkpointing: checkpoint)
        }
        let whole = try train(epochs: 8, checkpoint: nil)
        // The "killed" process: the same run stopped by a cap after epoch k (its checkpoint is
        // what a kill during epoch k + 1 leaves behind).
        _ = try train(epochs: killedAfter, checkpoint: .init(path: path, run: "r"))
        #expect(FileManager.default.fileExists(atPath: path))
        var warnings: [String] = []
        let resumed = try train(
            epochs: 8, checkpoint: .init(path: path, run: "r", warn: { warnings.append($0) }))
        #expect(warnings.isEmpty, "\(warnings)")
        #expect(resumed.resumedAfterEpoch == killedAfter)
        #expect(resumed.curve == whole.curve, "curve after resuming from epoch \(killedAfter)")
        #expect(resumed.predictions == whole.predictions)
        #expect(resumed.bestEpoch == whole.bestEpoch)
        #expect(
            whole.curve.map(\.learningRate).contains { $0 != whole.curve[0].learningRate },
            "the plateau lowered the rate (its state matters)")
    }

    /// A process killed after the checkpoint of the epoch where early stopping ended the run
    /// (but before the run was recorded) trains no further epoch when resumed.
    @Test func resumingAFinishedRunTrainsNothingMore() throws {
        let data = SyntheticIndoMER.generate(.tiny)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "checkpoint-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("run.h5").path
        var (config, training) = Self.setting(epochs: 30)
        training.patience = 2
        training.selection = .loss
        training.plateauPatience = 0
        func train() throws -> Trainer.Outcome {
            try Trainer().train(
                .efLSTM, configurations: config, training: training, dataset: data,
                task: .sentiment,
                modalities: Modality.allCases, seed: 2, checkpointing: .init(path: path, run: "r"))
        }
        let first = try train()
        #expect(first.curve.count < 30, "early stopping ended it (\(first.curve.count) epochs)")
        let again = try train()
        #expect(again.resumedAfterEpoch == first.curve.count && again.curve == first.curve)
        #expect(again.predictions == first.predictions && again.bestEpoch == first.bestEpoch)
    }

    /// A checkpoint that cannot be written (here its folder would have to be inside a file) is
    /// reported once and the run goes on to the same result as a run without checkpoints.
    @Test func aCheckpointThatCannotBeWrittenDoesNotStopTheRun() throws {
        let data = SyntheticIndoMER.generate(.tiny)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "checkpoint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("a file".utf8).write(to: dir.appendingPathComponent("file"))
        let (config, training) = Self.setting(epochs: 3)
        var warnings: [String] = []
        let trainer = Trainer()
        let without = try trainer.train(
            .efLSTM, configurations: config, training: training, dataset: data, task: .sentiment,
            modalities: Modality.allCases, seed: 4)
        let failing = try trainer.train(
            .efLSTM, configurations: config, training: training, dataset: data, task: .sentiment,
            modalities: Modality.allCases,
            seed: 4,
            checkpointing: .init(
                path: dir.appendingPathComponent("file/run.h5").path, run: "r",
                warn: { warnings.append($0) }))
        #expect(
            warnings.count == 1 && warnings[0].contains("cannot save the checkpoint"), "\(warnings)"
        )
        #expect(failing.curve == without.curve && failing.predictions == without.predictions)
    }

    /// A checkpoint of another run is not resumed: the run starts from epoch 1 and says why.
    @Test func checkpointOfAnotherRunStartsAfresh() throws {
        let data = SyntheticIndoMER.generate(.tiny)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "checkpoint-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("run.h5").path
        let (config, training) = Self.setting(epochs: 2)
        let trainer = Trainer()
        _ = try trainer.train(
            .efLSTM, configurations: config, training: training, dataset: data, task: .sentiment,
            modalities: Modality.allCases, seed: 1, checkpointing: .init(path: path, run: "one"))
        var warnings: [String] = []
        let other = try trainer.train(
            .efLSTM, configurations: config, training: training, dataset: data, task: .sentiment,
            modalities: Modality.allCases,
            seed: 1, checkpointing: .init(path: path, run: "two", warn: { warnings.append($0) }))
        #expect(other.resumedAfterEpoch == nil && other.curve.count == 2)
        #expect(warnings.count == 1 && warnings[0].contains("another run"), "\(warnings)")
    }
}
