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

    public struct BLASInfo: Codable, Equatable, Sendable {
        public var openblas: String
        public var core: String
        public var coreSource: String
        public var threads: Int
        /// Our own C kernels' variant and why (`avx2 (detected)`, `generic (INDOMER_KERNELS=generic)`);
        /// absent in records written before they existed.
        public var kernels: String?
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

/// `results/runs.jsonl`: append-only, one finished run per line.
///
/// A record is appended with one `write` on a file opened with `O_APPEND`, then `fsync`: a run
/// killed at any moment loses only itself. Reading skips a torn last line (and says so), and
/// a record that is there already is never appended twice.
public struct RunStore: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// NaN and infinities (a diverged run's curve) as the strings "nan", "inf", "-inf".
    static let nonFinite = (
        encoding: JSONEncoder.NonConformingFloatEncodingStrategy.convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan"),
        decoding: JSONDecoder.NonConformingFloatDecodingStrategy.convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    )

    public func records(warn: (String) -> Void = { _ in }) -> [RunRecord] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        var result: [RunRecord] = []
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = Self.nonFinite.decoding
        for (number, line) in data.split(separator: UInt8(ascii: "\n")).enumerated()
        where !line.isEmpty {
            if let record = try? decoder.decode(RunRecord.self, from: Data(line)) {
                result.append(record)
            } else {
                warn(
                    "\(path): line \(number + 1) is not a complete run record (an interrupted write?); ignored"
                )
            }
        }
        return result
    }

    /// A run being trained by this process: an exclusive `flock` on
    /// `<store>.locks/<run id>`, released by `release()` or when the process ends (a killed
    /// run leaves no stale lock). Two processes on one store never train one run twice: a
    /// process that cannot take the lock skips the run, and one that takes it reads the store
    /// again before training. On a cluster filesystem this needs working `flock` (NFSv4 and
    /// most parallel filesystems mounted with lock support); where the filesystem has none,
    /// `claim` says so once and runs without locks, which is safe for one process only.
    public final class Claim {
        let fd: Int32
        init(fd: Int32) { self.fd = fd }
        private var held = true
        public func release() {
            guard held else { return }
            held = false
            flock(fd, LOCK_UN)
            close(fd)
        }
        deinit { release() }
    }

    public enum ClaimResult {
        case claimed(Claim)
        /// Another process holds the run.
        case busy
        /// The filesystem has no locks: the reason.
        case unlocked(String)
    }

    public func claim(_ runID: String) -> ClaimResult {
        let directory = path + ".locks"
        try? FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true)
        let fd = open("\(directory)/\(runID)", O_RDWR | O_CREAT, 0o644)
        guard fd >= 0 else {
            return .unlocked(
                "cannot create \(directory)/\(runID) (\(String(cString: strerror(errno))))")
        }
        if flock(fd, LOCK_EX | LOCK_NB) == 0 { return .claimed(Claim(fd: fd)) }
        let error = errno
        if error == EWOULDBLOCK {
            close(fd)
            return .busy
        }
        close(fd)
        return .unlocked("flock on \(directory) failed (\(String(cString: strerror(error))))")
    }

    public func append(_ record: RunRecord) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = Self.nonFinite.encoding
        var line = try encoder.encode(record)
        line.append(UInt8(ascii: "\n"))
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        guard fd >= 0 else { throw SpecError(file: path, message: "cannot open for appending") }
        defer { close(fd) }
        // One writer at a time (appends from several hosts on a network filesystem interleave).
        flock(fd, LOCK_EX)
        defer { flock(fd, LOCK_UN) }
        // A torn line from an earlier kill must not swallow this record: start on a new line.
        if let existing = FileManager.default.contents(atPath: path), let last = existing.last,
            last != UInt8(ascii: "\n")
        {
            _ = "\n".withCString { write(fd, $0, 1) }
        }
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == line.count else {
            throw SpecError(file: path, message: "short write (\(written) of \(line.count) bytes)")
        }
        fsync(fd)
    }
}
