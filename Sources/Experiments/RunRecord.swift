import Autograd
import Datasets
import Foundation
import Vocabulary

/// One finished run, as one line of `results/runs.jsonl`.
public struct RunRecord: Codable, Equatable, Sendable {
    public struct Epoch: Codable, Equatable, Sendable {
        public var epoch: Int
        public var trainLoss: Double
        public var foldMacroF1: Double
        public var foldLoss: Double
        /// The learning rate the epoch trained with (absent in records older than schedules).
        public var learningRate: Double?

        public init(
            epoch: Int, trainLoss: Double, foldMacroF1: Double, foldLoss: Double,
            learningRate: Double? = nil
        ) {
            self.epoch = epoch
            self.trainLoss = trainLoss
            self.foldMacroF1 = foldMacroF1
            self.foldLoss = foldLoss
            self.learningRate = learningRate
        }
    }

    /// Identifies the run: model, task, modalities, seed, config hash and data fingerprint.
    public var runID: String
    public var model: ModelName
    public var task: ClassificationTask
    /// Encoded as its letters, `TAV`, `TA`, ...
    public var modalities: ModalitySubset
    public var seed: UInt64
    /// The resolved hyperparameters and training settings, as JSON text (sorted keys).
    public var hyperparameters: String
    public var training: String
    public var configHash: String
    public var dataFingerprint: String
    public var synthetic: Bool
    public var dataSource: String
    /// The data set's name (`IndoMER`, `CH-SIMS`) and the split the metrics are on (IndoMER's
    /// `val`, MMSA's `test`); nil in records older than MMSA data sets (IndoMER, `val`).
    public var dataName: String? = nil
    public var reportedSplit: Split? = nil
    /// On the official validation split, evaluated once with the selected weights; nil for a
    /// failed run.
    public var metrics: ClassificationMetrics?
    /// Why the run failed (a loss became NaN or infinite), nil for a finished run. A failed
    /// run is recorded so that a rerun does not retry it unless asked (`--retry-failed`).
    public var failure: Failure?

    public struct Failure: Codable, Equatable, Sendable {
        public var epoch: Int
        public var reason: String
        public init(epoch: Int, reason: String) {
            self.epoch = epoch
            self.reason = reason
        }
    }

    public var failed: Bool { failure != nil }
    /// The selected weights on the official validation split under each robustness condition
    /// (`TrainingConfig.robustness`); nil when not evaluated.
    public var robustness: [RobustnessResult]?
    /// The seconds the robustness evaluations took, included in `wallSeconds`.
    public var robustnessSeconds: Double?
    /// Predicted class per official validation clip id.
    public var predictions: [String: Int]
    /// The true class per official validation clip id (so reports can resample clips).
    public var truth: [String: Int]
    /// The source video of each official validation clip id, for the reports' cluster
    /// bootstrap (nil in records older than it: the report then reads it from the clip id).
    public var sourceVideos: [String: String]?
    /// Each official validation clip's overall and per-modality sentiment labels, for the
    /// cross-modal conflict analysis; nil where the data set has no per-modality labels (and in
    /// records older than it).
    public var sentimentLabels: [String: SentimentLabels]?
    public var curve: [Epoch]
    public var epochs: Int
    public var bestEpoch: Int
    public var innerFoldClips: Int
    public var trainClips: Int
    public var parameters: Int
    public var wallSeconds: Double
    /// The process's peak resident memory during the run (Linux VmHWM, reset when the run
    /// starts); nil in records older than it or where the kernel gives none.
    public var peakResidentBytes: Int?
    public var blas: BLASInfo
    public var gitCommit: String
    /// `GridRunner.codeVersion` of the code that ran it (nil in records older than it).
    public var codeVersion: String?
    /// The grid (spec file stem) the run belongs to (nil in records older than it).
    public var grid: String?
    public var finishedAt: String
    /// The epoch whose checkpoint the run resumed from after its process was killed (nil when
    /// it ran from the start); `wallSeconds` then adds the killed process's seconds up to that
    /// checkpoint (its unfinished epoch and start-up are not counted), and `peakResidentBytes`
    /// is the resuming process's.
    public var resumedAfterEpoch: Int? = nil
    /// The seconds spent writing per-epoch checkpoints, included in `wallSeconds` (nil in
    /// records older than them, and without checkpoints).
    public var checkpointSeconds: Double? = nil
    /// Set on the runs of a hyperparameter search (`baselines tune`): a trial (never reported;
    /// scored on the inner fold, the reported split untouched) or a run of a chosen configuration.
    public var tuning: Tuning? = nil
    /// Set on a record written by `baselines eval`: the weights file it evaluated.
    public var evaluatedWeights: String? = nil

    public struct Tuning: Codable, Equatable, Sendable {
        public enum Role: String, Codable, Sendable { case trial, tuned }
        public var role: Role
        /// The trial's index, or the chosen trial's.
        public var trial: Int
        /// The drawn values (canonical JSON text, sorted keys).
        public var parameters: String
        /// The trial's inner-fold macro-F1 at its selected epoch (the chosen trial's, for a tuned run).
        public var score: Double
        /// For a tuned run: trials searched for its model, task and subset.
        public var trials: Int?
        /// Which search (a hash of the tuning seed, the trial count and the search-space file):
        /// the report shows only the trials of the search its tuned rows came from.
        public var search: String?
        public init(
            role: Role, trial: Int, parameters: String, score: Double, trials: Int? = nil,
            search: String? = nil
        ) {
            (self.role, self.trial, self.parameters, self.score, self.trials, self.search) = (
                role, trial, parameters, score, trials, search
            )
        }
    }

    public var isTrial: Bool { tuning?.role == .trial }
}
