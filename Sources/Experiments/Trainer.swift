import Autograd
import Datasets
import Foundation
import FusionModels
import NN
import Vocabulary

/// Trains one model on one task and modality subset, selects the epoch on the inner fold,
/// and evaluates the official validation split once.
///
/// Protocol: the inner fold (15% of the training split by source video) decides early
/// stopping and the best epoch (by `TrainingConfig.selection`: its loss, as MMSA, or its
/// macro-F1), and drives ReduceLROnPlateau where a model's schedule has it; the official
/// validation split is evaluated once, with the selected weights, and never used for a choice.
public struct Trainer {
    public struct Progress: Sendable {
        public var epoch: Int
        public var epochs: Int
        public var trainLoss: Double
        public var foldMacroF1: Double
        public var bestEpoch: Int
        public var seconds: Double
    }

    public struct Outcome {
        /// The selected weights on the reported split; nil when it was not evaluated
        /// (`reportSplit: false`, a tuning trial).
        public var metrics: ClassificationMetrics?
        public var predictions: [String: Int]
        public var curve: [RunRecord.Epoch]
        public var bestEpoch: Int
        public var trainClips: Int
        public var foldClips: Int
        public var parameters: Int
        /// The selected weights on the reported split under each robustness condition (empty
        /// unless `TrainingConfig.robustness`).
        public var robustness: [RobustnessResult] = []
        /// The seconds those evaluations took (part of the run's wall time).
        public var robustnessSeconds = 0.0
        /// The epoch whose checkpoint this run resumed from (nil when it ran from the start).
        public var resumedAfterEpoch: Int?
        /// Training seconds spent before the resumption (by the killed process).
        public var priorSeconds = 0.0
        /// Seconds spent writing the per-epoch checkpoints (part of the wall time).
        public var checkpointSeconds = 0.0
    }

    /// Where a run saves its whole state after every epoch and resumes from: `path` an HDF5
    /// file, `run` what the state belongs to (a checkpoint of anything else is not resumed).
    public struct Checkpointing {
        public var path: String
        public var run: String
        /// Told why a checkpoint that exists could not be resumed (the run then starts afresh).
        public var warn: (String) -> Void
        public init(path: String, run: String, warn: @escaping (String) -> Void = { _ in }) {
            (self.path, self.run, self.warn) = (path, run, warn)
        }
    }

    /// Which clips each phase touched: "train" (gradient steps), "select" (inner fold),
    /// "report" (official validation). For tests that guard the protocol.
    public var observer: (@Sendable (String, [String]) -> Void)?

    public init() {}

    /// A run whose loss became NaN or infinite: where it happened and the epochs before it.
    public struct Diverged: Error, CustomStringConvertible {
        public var epoch: Int
        /// `training loss at step 3` or `inner-fold loss`.
        public var place: String
        public var value: Double
        public var curve: [RunRecord.Epoch]
        public var description: String { "non-finite \(place) (\(value)) in epoch \(epoch)" }
    }

    /// Trains and evaluates; throws `Diverged` as soon as a loss is NaN or infinite.
    public func train(
        _ kind: ModelName, configurations: ModelConfigurations, training: TrainingConfig,
        dataset: IndoMERDataset, task: ClassificationTask, modalities: [Modality], seed: UInt64,
        checkpointing: Checkpointing? = nil, reportSplit: Bool = true,
        saveWeights: String? = nil,
        progress: (Progress) -> Void = { _ in }
    ) throws -> Outcome {
        let generator = Generator(seed: seed)
        let (trainClips, foldClips) = InnerFold.split(
            dataset, task: task, fraction: training.innerFold, seed: seed)
        let problem = FusionProblem(
            dataset, modalities: modalities, task: task, inputProtocol: training.dataProtocol)
        let modelGenerator = generator.split()
        let model = configurations.make(kind, problem: problem, generator: modelGenerator)
        let batcher = Batcher(
            dataset: dataset, modalities: modalities, task: task, needs: model.inputNeeds)
        let parameters = model.namedParameters()
        let optimizer = Adam(
            parameters: parameters, learningRate: training.learningRate,
            weightDecay: .l2(training.weightDecay))
        let weights =
            training.classWeights
            ? Self.balancedWeights(
                trainClips.map { dataset.clips[$0].label(for: task) }, classes: task.classCount)
            : nil
        let step = TrainingStep(
            model: model, optimizer: optimizer, training: training, classWeights: weights)
        let shuffler = generator.split()
        let dropout = modalities.map { training.modalityDropout[$0] }
        // Drawn only when a rate is set, so that runs without modality dropout are unchanged.
        let dropper = dropout.contains { $0 > 0 } ? generator.split() : nil
        let start = Date()

        let plateau =
            training.plateauPatience > 0
            ? ReduceLROnPlateau(
                optimizer: optimizer, mode: .min, factor: training.plateauFactor,
                patience: training.plateauPatience)
            : nil
        // The selected epoch's parameters and buffers, by name.
        var best: (score: Double, loss: Double, epoch: Int, state: [String: [Float]])?
        var curve: [RunRecord.Epoch] = []
        let stateTensors = parameters + model.namedBuffers()
        var generators = ["model": modelGenerator, "shuffle": shuffler]
        if let dropper { generators["modalityDropout"] = dropper }
        var firstEpoch = 1
        var priorSeconds = 0.0
        var checkpointSeconds = 0.0
        // Dropped when a checkpoint cannot be written (a full disk): the run goes on without.
        var checkpointing = checkpointing
        var resumedAfterEpoch: Int?
        if let checkpointing {
            do {
                if let saved = try TrainingCheckpoint.read(
                    from: checkpointing.path, run: checkpointing.run, keys: stateTensors.map(\.key),
                    counts: stateTensors.map(\.tensor.count))
                {
                    for ((_, tensor), (_, values)) in zip(stateTensors, saved.model) {
                        tensor.withUnsafeMutableBufferPointer {
                            _ = $0.update(fromContentsOf: values)
                        }
                    }
                    optimizer.snapshot = saved.optimizer
                    if let state = saved.meta.plateau { plateau?.state = state }
                    for (name, g) in generators {
                        if let state = saved.meta.generators[name] { g.state = state }
                    }
                    let b = saved.meta.best
                    best = (b.score, b.loss, b.epoch, saved.best)
                    curve = saved.meta.curve
                    firstEpoch = saved.meta.epoch + 1
                    priorSeconds = saved.meta.seconds
                    resumedAfterEpoch = saved.meta.epoch
                    if saved.meta.epoch - b.epoch >= training.patience {
                        firstEpoch = training.epochs + 1
                    }
                }
            } catch {
                checkpointing.warn("\(error); the run starts from epoch 1")
            }
        }
        for epoch in stride(from: firstEpoch, through: training.epochs, by: 1) {
            model.train()
            var lossSum = 0.0
            var seen = 0
            let batches = batcher.batches(
                of: trainClips, batchSize: training.batchSize, shuffle: true, generator: shuffler)
            // One optimizer step per group of `accumulation` mini-batches (the last group may be shorter).
            for group in stride(from: 0, to: batches.count, by: Swift.max(training.accumulation, 1))
            {
                let members = batches[
                    group..<Swift.min(group + Swift.max(training.accumulation, 1), batches.count)]
                let fused = members.map { clips in
                    let removed = dropper.map { g in
                        clips.map { _ in Self.droppedModalities(modalities, rates: dropout, g) }
                    }
                    let batch = batcher.batch(clips, removed: removed)
                    observer?("train", batch.clipIDs)
                    return batch
                }
                let losses = step(fused)
                for (loss, batch) in zip(losses, fused) {
                    guard loss.isFinite else {
                        throw Diverged(
                            epoch: epoch,
                            place:
                                "training loss at step \(group / Swift.max(training.accumulation, 1) + 1)",
                            value: loss, curve: curve)
                    }
                    lossSum += loss * Double(batch.labels.count)
                    seen += batch.labels.count
                }
            }
            let learningRate = optimizer.learningRate
            let (foldPredictions, foldLoss) = predict(
                model, batcher, foldClips, phase: "select", weights: weights)
            guard foldLoss.isFinite || foldClips.isEmpty else {
                throw Diverged(
                    epoch: epoch, place: "inner-fold loss", value: foldLoss, curve: curve)
            }
            let foldMetrics = ClassificationMetrics(
                truth: foldClips.map { dataset.clips[$0].label(for: task) },
                predictions: foldPredictions, classes: task.classCount)
            plateau?.step(foldLoss)
            curve.append(
                RunRecord.Epoch(
                    epoch: epoch, trainLoss: lossSum / Double(Swift.max(seen, 1)),
                    foldMacroF1: foldMetrics.macroF1,
                    foldLoss: foldLoss, learningRate: Double(learningRate)))
            // Higher is better for both: the negated loss, or macro-F1. Macro-F1 ties (a model
            // still at the majority class scores the same every epoch) go to the lower inner-fold
            // loss, so that a model that is learning is neither stopped nor rolled back to epoch 1.
            let score = training.selection == .loss ? -foldLoss : foldMetrics.macroF1
            let threshold = training.earlyStopThreshold
            let better =
                best.map { b in
                    score > b.score + threshold
                        || (training.selection == .macroF1 && score >= b.score - threshold
                            && foldLoss < b.loss - threshold)
                } ?? true
            if better {
                best = (
                    score, foldLoss, epoch,
                    Dictionary(
                        uniqueKeysWithValues: stateTensors.map { ($0.key, $0.tensor.scalars) })
                )
            }
            if let target = checkpointing {
                let snapshot = optimizer.snapshot
                let saved = TrainingCheckpoint(
                    meta: .init(
                        run: target.run, epoch: epoch, curve: curve,
                        best: .init(score: best!.score, loss: best!.loss, epoch: best!.epoch),
                        generators: generators.mapValues(\.state), plateau: plateau?.state,
                        learningRate: snapshot.learningRate,
                        optimizerSteps: snapshot.entries.mapValues(\.steps),
                        seconds: priorSeconds + Date().timeIntervalSince(start)),
                    model: stateTensors.map { ($0.key, $0.tensor.scalars) }, best: best!.state,
                    optimizer: snapshot)
                let writeStart = Date()
                do {
                    try saved.write(to: target.path)
                } catch {
                    target.warn(
                        "cannot save the checkpoint after epoch \(epoch) (\(error)); the run goes on without checkpoints"
                    )
                    checkpointing = nil
                }
                checkpointSeconds += Date().timeIntervalSince(writeStart)
            }
            progress(
                Progress(
                    epoch: epoch, epochs: training.epochs, trainLoss: curve.last!.trainLoss,
                    foldMacroF1: foldMetrics.macroF1, bestEpoch: best!.epoch,
                    seconds: priorSeconds + Date().timeIntervalSince(start)))
            if epoch - best!.epoch >= training.patience { break }
        }
        // Restore the selected epoch's weights (and BatchNorm statistics).
        for (key, tensor) in stateTensors {
            tensor.withUnsafeMutableBufferPointer {
                _ = $0.update(fromContentsOf: best!.state[key]!)
            }
        }
        // The selected weights, by state-dict name, for `baselines eval` (written whole, then
        // moved into place).
        if let saveWeights {
            let partial = saveWeights + ".\(getpid()).partial"
            try model.save(to: partial)
            guard rename(partial, saveWeights) == 0 else {
                throw DataError(
                    file: saveWeights, message: "cannot move the saved weights into place")
            }
        }
        // A tuning trial ends here: it is scored on the inner fold, and the reported split is
        // never read.
        guard reportSplit else {
            return Outcome(
                metrics: nil, predictions: [:], curve: curve, bestEpoch: best!.epoch,
                trainClips: trainClips.count,
                foldClips: foldClips.count, parameters: model.parameterCount,
                resumedAfterEpoch: resumedAfterEpoch,
                priorSeconds: priorSeconds, checkpointSeconds: checkpointSeconds)
        }
        // The reported split: IndoMER's validation split, or a test split where there is one.
        let validation = dataset.indices(in: dataset.reportedSplit, for: task)
        let truth = validation.map { dataset.clips[$0].label(for: task) }
        let (predictions, _) = predict(model, batcher, validation, phase: "report", weights: nil)
        let metrics = ClassificationMetrics(
            truth: truth, predictions: predictions, classes: task.classCount)
        var robustness: [RobustnessResult] = []
        let robustnessStart = Date()
        if training.robustness {
            for condition in RobustnessCondition.standard(for: modalities) {
                let (perturbed, _) = predict(
                    model, batcher, validation, phase: "report", weights: nil,
                    perturbation: condition.perturbation)
                let metrics = ClassificationMetrics(
                    truth: truth, predictions: perturbed, classes: task.classCount)
                robustness.append(RobustnessResult(condition: condition, metrics: metrics))
            }
        }
        return Outcome(
            metrics: metrics,
            predictions: Dictionary(
                uniqueKeysWithValues: zip(validation.map { dataset.clips[$0].id }, predictions)),
            curve: curve, bestEpoch: best!.epoch, trainClips: trainClips.count,
            foldClips: foldClips.count,
            parameters: model.parameterCount, robustness: robustness,
            robustnessSeconds: training.robustness ? Date().timeIntervalSince(robustnessStart) : 0,
            resumedAfterEpoch: resumedAfterEpoch, priorSeconds: priorSeconds,
            checkpointSeconds: checkpointSeconds)
    }

    /// The modalities one training clip loses to modality dropout: each independently with its
    /// rate, but never all of them (a clip that would lose all keeps all, so the rate applied to
    /// modality m is r_m − Π r, a little below r_m).
    public static func droppedModalities(
        _ modalities: [Modality], rates: [Double], _ generator: Generator
    ) -> Set<Modality> {
        let dropped = Set(zip(modalities, rates).filter { generator.uniform() < $0.1 }.map(\.0))
        return dropped.count == modalities.count ? [] : dropped
    }

    /// Argmax predictions in evaluation mode, and the mean cross-entropy.
    private func predict(
        _ model: any FusionModel, _ batcher: Batcher, _ clips: [Int], phase: String,
        weights: [Float]?,
        perturbation: InputPerturbation = .none
    ) -> ([Int], Double) {
        model.eval()
        var predictions: [Int] = []
        var lossSum = 0.0
        noGrad {
            for chunk in batcher.batches(
                of: clips, batchSize: 64, shuffle: false, generator: Generator(seed: 0))
            {
                let batch = batcher.batch(chunk, perturbation: perturbation)
                observer?(phase, batch.clipIDs)
                let logits = model(batch).logits
                lossSum +=
                    Double(
                        Tensor.crossEntropy(
                            logits: logits, targets: batch.labels, classWeights: weights
                        ).item) * Double(chunk.count)
                let classes = logits.shape[1]
                let values = logits.scalars
                for i in 0..<chunk.count {
                    let row = values[(i * classes)..<((i + 1) * classes)]
                    predictions.append(row.indices.max { row[$0] < row[$1] }! - row.startIndex)
                }
            }
        }
        return (predictions, lossSum / Double(Swift.max(clips.count, 1)))
    }

    /// A model's argmax predictions on `clips`, exactly as a run's evaluation makes them
    /// (evaluation mode, batches of 64 in clip order): what `baselines eval` uses.
    public static func predictions(
        _ model: any FusionModel, dataset: IndoMERDataset, task: ClassificationTask,
        modalities: [Modality], clips: [Int]
    ) -> [Int] {
        let batcher = Batcher(
            dataset: dataset, modalities: modalities, task: task, needs: model.inputNeeds)
        return Trainer().predict(model, batcher, clips, phase: "report", weights: nil).0
    }

    /// `n / (C · count_c)` (scikit-learn's "balanced"); a class with no clips gets weight 0.
    public static func balancedWeights(_ labels: [Int], classes: Int) -> [Float] {
        var counts = [Int](repeating: 0, count: classes)
        for y in labels { counts[y] += 1 }
        return counts.map { $0 == 0 ? 0 : Float(labels.count) / Float(classes * $0) }
    }
}
