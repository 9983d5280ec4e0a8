import Datasets
import Foundation
import Vocabulary

/// A metric the reports show, computed from a confusion matrix.
public enum ReportMetric: Hashable, Sendable {
    case accuracy, balancedAccuracy, macroF1, weightedF1
    /// F1 of one class (index into the task's classes).
    case f1(Int)

    /// The main metrics, then each class's F1.
    public static func all(classes: Int) -> [ReportMetric] {
        [.accuracy, .balancedAccuracy, .macroF1, .weightedF1] + (0..<classes).map(ReportMetric.f1)
    }

    /// The CSV's spelling: `macro_f1`, `f1_neutral`.
    public func name(_ classNames: [String]) -> String {
        switch self {
        case .accuracy: "accuracy"
        case .balancedAccuracy: "balanced_accuracy"
        case .macroF1: "macro_f1"
        case .weightedF1: "weighted_f1"
        case .f1(let c): "f1_\(classNames[c])"
        }
    }

    public func value(_ m: ClassificationMetrics) -> Double {
        switch self {
        case .accuracy: m.accuracy
        case .balancedAccuracy: m.balancedAccuracy
        case .macroF1: m.macroF1
        case .weightedF1: m.weightedF1
        case .f1(let c): m.perClass[c].f1
        }
    }
}

/// One row of a table (a model, with or without class weights) on one task and modality
/// subset: its runs (the seeds of one setting), their mean and sample standard deviation, and
/// bootstrap intervals of the seed mean.
public struct RowSummary: Sendable {
    public var row: ReportBuilder.ReportRow
    public var runs: [RunRecord]
    public var mean: [ReportMetric: Double]
    public var std: [ReportMetric: Double]
    /// Percentile 95% interval over source-video resamples (the reported one).
    public var videoInterval: [ReportMetric: Bootstrap.ClosedInterval]
    /// Percentile 95% interval over clip resamples (for comparison with other papers).
    public var clipInterval: [ReportMetric: Bootstrap.ClosedInterval]
    /// Macro-F1 on each source-video resample (the mean over seeds), shared by every row.
    public var videoResamples: [Double]
    /// Paired bootstrap p-value against the table's best baseline, raw and Holm-adjusted; nil
    /// for the best itself and for references.
    public var p: Double?
    public var pHolm: Double?
}

/// What the tables of one task and modality subset show.
public struct TableSummary: Sendable {
    public var task: ClassificationTask
    public var subset: ModalitySubset
    /// The agreement group the clips are limited to, nil for all clips.
    public var group: AgreementGroup?
    public var rows: [RowSummary]
    /// The trained baseline with the highest mean macro-F1 on these same clips (the first in
    /// grid order on a tie).
    public var best: ReportBuilder.ReportRow?
    public var clips: Int
    public var videos: Int
    /// Whether every run recorded its clips' source videos; otherwise they were read from the
    /// clip ids (`clip_100_Opinion_1` -> `clip_100_Opinion`), as the release names them.
    public var videosRecorded: Bool

    public func row(_ row: ReportBuilder.ReportRow) -> RowSummary? { rows.first { $0.row == row } }
}

extension ReportBuilder {
    /// Means, intervals and paired comparisons for one task and modality subset.
    ///
    /// Each bootstrap resample draws the table's source videos (or clips) with replacement from
    /// `Bootstrap.draws` (seed `Bootstrap.seed`, `resamples` of them); a run's metric on a
    /// resample comes from the sum of its drawn videos' confusion matrices, and a row's value is
    /// the mean over its seeds. All rows share the resamples, so comparisons are paired.
    ///
    /// `group` limits the clips to one agreement group (the conflict analysis); its videos are
    /// then those with a clip in the group.
    public func summary(
        _ task: ClassificationTask, _ subset: ModalitySubset, group: AgreementGroup? = nil
    ) -> TableSummary {
        let present = models(task).map { ($0, runs(task, subset, $0)) }.filter { !$0.1.isEmpty }
        let labels = present.first?.1[0].sentimentLabels
        let clipIDs = (present.first.map { $0.1[0].predictions.keys.sorted() } ?? []).filter { id in
            group == nil || labels?[id]?.agreement == group
        }
        let videoOf = clipIDs.map { id in
            present.first!.1[0].sourceVideos?[id] ?? Clip.sourceVideo(of: id)
        }
        let videoNames = Array(Set(videoOf)).sorted()
        let videoIndex = Dictionary(uniqueKeysWithValues: videoNames.enumerated().map { ($1, $0) })
        let clipVideo = videoOf.map { videoIndex[$0]! }
        let metrics = ReportMetric.all(classes: task.classCount)
        let classes = task.classCount

        let videoCounts = Bootstrap.counts(
            Bootstrap.draws(units: videoNames.count, resamples: resamples), units: videoNames.count)
        let clipDraws = Bootstrap.draws(units: clipIDs.count, resamples: resamples)

        var rows: [RowSummary] = present.map { row, runs in
            // Per run: each clip's (truth, prediction) cell, and each video's confusion matrix.
            let cells = runs.map { run in
                clipIDs.map { id in run.truth[id]! * classes + run.predictions[id]! }
            }
            let perVideo = cells.map { cell in
                var confusion = [[Int]](
                    repeating: [Int](repeating: 0, count: classes * classes),
                    count: videoNames.count)
                for (clip, c) in cell.enumerated() { confusion[clipVideo[clip]][c] += 1 }
                return confusion
            }
            func metricsOf(_ flat: [Int]) -> ClassificationMetrics {
                ClassificationMetrics(
                    confusion: (0..<classes).map { Array(flat[$0 * classes..<($0 + 1) * classes]) })
            }
            func seedMean(_ confusions: [[Int]]) -> [Double] {
                var sums = [Double](repeating: 0, count: metrics.count)
                for flat in confusions {
                    let m = metricsOf(flat)
                    for (k, metric) in metrics.enumerated() { sums[k] += metric.value(m) }
                }
                return sums.map { $0 / Double(confusions.count) }
            }
            // Each run's metrics on these clips: on all clips, the ones it recorded.
            let observed =
                group == nil
                ? runs.map { $0.metrics! }
                : cells.map { cell in
                    var total = [Int](repeating: 0, count: classes * classes)
                    for c in cell { total[c] += 1 }
                    return metricsOf(total)
                }
            let videoValues = videoCounts.map { count in
                seedMean(
                    perVideo.map { videos in
                        var total = [Int](repeating: 0, count: classes * classes)
                        for (v, n) in count.enumerated() where n > 0 {
                            for c in 0..<total.count { total[c] += n * videos[v][c] }
                        }
                        return total
                    })
            }
            let clipValues = clipDraws.map { draw in
                seedMean(
                    cells.map { cell in
                        var total = [Int](repeating: 0, count: classes * classes)
                        for clip in draw { total[cell[clip]] += 1 }
                        return total
                    })
            }
            var summary = RowSummary(
                row: row, runs: runs, mean: [:], std: [:], videoInterval: [:], clipInterval: [:],
                videoResamples: videoValues.map { $0[metrics.firstIndex(of: .macroF1)!] })
            for (k, metric) in metrics.enumerated() {
                let values = observed.map(metric.value)
                summary.mean[metric] = Statistics.mean(values)
                summary.std[metric] = Statistics.sampleStd(values)
                summary.videoInterval[metric] = Bootstrap.interval95(videoValues.map { $0[k] })
                summary.clipInterval[metric] = Bootstrap.interval95(clipValues.map { $0[k] })
            }
            return summary
        }

        // The best trained baseline on these clips, and each other one compared with it.
        let trained = rows.indices.filter { !rows[$0].row.isReference }
        let best = trained.max { a, b in
            let (x, y) = (rows[a].mean[.macroF1]!, rows[b].mean[.macroF1]!)
            return x != y ? x < y : a > b  // on a tie the earlier row wins
        }
        if let best {
            let others = trained.filter { $0 != best }
            let p = others.map {
                Bootstrap.pairedPValue(
                    best: rows[best].videoResamples, other: rows[$0].videoResamples)
            }
            for (i, adjusted) in zip(others, zip(p, Bootstrap.holm(p))) {
                rows[i].p = adjusted.0
                rows[i].pHolm = adjusted.1
            }
        }
        return TableSummary(
            task: task, subset: subset, group: group, rows: rows, best: best.map { rows[$0].row },
            clips: clipIDs.count, videos: videoNames.count,
            videosRecorded: present.allSatisfy { $0.1.allSatisfy { $0.sourceVideos != nil } })
    }
}
