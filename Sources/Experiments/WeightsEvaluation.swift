import Autograd
import Datasets
import Foundation
import FusionModels
import Vocabulary

/// `baselines eval`: a run's saved weights (`GridRunner.saveWeights`) evaluated again on a
/// split of a data set, as a run record.
///
/// The run is found by the weights file's name (`<run id>.h5`) in a run log; its model, task,
/// modalities and hyperparameters come from that record, the weights from the file (strictly:
/// every state-dict entry, nothing else). The result is the record with the split's
/// predictions, truth, source videos and metrics in place of the run's, and
/// `evaluatedWeights` naming the file; on the run's own data and reported split it reproduces
/// the run's predictions exactly.
public enum WeightsEvaluation {
    public static func evaluate(
        weights path: String, runs: RunStore, dataset: IndoMERDataset, split: Split? = nil
    ) throws -> RunRecord {
        let id = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        // The finished record of the run (a run retried after a failure has both).
        guard var record = runs.records().last(where: { $0.runID == id && !$0.failed }) else {
            throw SpecError(
                file: runs.path,
                message: "no finished run \(id) (the weights file's name) is recorded here")
        }
        guard let kind = record.model.fusionModel else {
            throw SpecError(file: path, message: "\(record.model) is a reference, not a model")
        }
        guard dataset.tasks.contains(record.task) else {
            throw SpecError(
                file: path, message: "the run's task \(record.task) is not one of \(dataset.name)'s"
            )
        }
        // The model's hyperparameters as the run recorded them (its own block of models.json).
        let object = "{\"\(kind.rawValue)\": \(record.hyperparameters)}"
        let configurations = try JSONDecoder().decode(
            ModelConfigurations.self, from: Data(object.utf8))
        let modalities = record.modalities.members
        let problem = FusionProblem(
            dataset, modalities: modalities, task: record.task,
            inputProtocol: record.inputProtocol)
        let model = configurations.make(kind, problem: problem, generator: Generator(seed: 0))
        try model.load(from: path)
        let split = split ?? dataset.reportedSplit
        let clips = dataset.indices(in: split, for: record.task)
        guard !clips.isEmpty else {
            throw SpecError(
                file: path,
                message: "\(dataset.name) has no \(split.rawValue) clips for \(record.task)")
        }
        let predictions = Trainer.predictions(
            model, dataset: dataset, task: record.task, modalities: modalities, clips: clips)
        let truth = clips.map { dataset.clips[$0].label(for: record.task) }
        let reported = GridRunner.reportedFields(
            dataset, clips, predictions: predictions, truth: truth)
        (record.predictions, record.truth, record.sourceVideos, record.sentimentLabels) = (
            reported.predictions, reported.truth, reported.sourceVideos, reported.sentimentLabels
        )
        record.metrics = ClassificationMetrics(
            truth: truth, predictions: predictions, classes: record.task.classCount)
        record.reportedSplit = split
        // Its own run id, so that it never stands in for the run in a merged log.
        record.runID =
            String(record.runID.prefix(16)) + "-eval-\(split.rawValue)-"
            + String(dataset.fingerprint.prefix(8))
        record.dataFingerprint = dataset.fingerprint
        record.dataName = dataset.name
        record.robustness = nil
        record.evaluatedWeights = path
        record.finishedAt = ISO8601DateFormatter().string(from: Date())
        return record
    }
}
