import Datasets
import Foundation
import Vocabulary

/// The cross-modal conflict analysis: each model scored on the clips whose modality labels
/// agree with the overall sentiment and on those where one or more disagree, and unimodal
/// models' predictions set against their modality's own label.
extension ReportBuilder {
    /// One summary per agreement group with clips, for a task's main subset; nil when the runs
    /// recorded no per-modality labels (a data set without them, or older records).
    func conflictSummaries(_ main: TableSummary) -> [TableSummary]? {
        guard main.rows.first?.runs.first?.sentimentLabels != nil else { return nil }
        return AgreementGroup.allCases.map { summary(main.task, main.subset, group: $0) }.filter {
            $0.clips > 0
        }
    }

    func interval(_ r: RowSummary?, _ metric: ReportMetric) -> String {
        guard let r else { return "--" }
        let i = r.videoInterval[metric]!
        return String(format: "%.3f [%.3f, %.3f]", r.mean[metric]!, i.low, i.high)
    }

    /// One block of rows per agreement group (its clips and source videos first), one row per
    /// model: accuracy and macro-F1, each with its cluster-bootstrap interval.
    func conflictTable(_ main: TableSummary, _ groups: [TableSummary]) -> Table {
        var rows: [[String]] = []
        var rules: Set<Int> = []
        for g in groups {
            for (i, r) in g.rows.enumerated() {
                let head =
                    i == 0 ? [g.group!.displayName, "\(g.clips)", "\(g.videos)"] : ["", "", ""]
                rows.append(
                    head + [r.row.displayName, interval(r, .accuracy), interval(r, .macroF1)])
            }
            rules.insert(rows.count - 1)
        }
        let caption =
            "Cross-modal conflict, \(main.task.name), \(main.subset), \(dataText), \(seedsText(main)): each model on the \(splitWord) clips of each agreement group, by whether each modality's own sentiment label (\(modalityLabelSource)) equals the clip's overall sentiment; the groups are the same for \(isIndoMER ? "both tasks" : "every task"). Each cell is the mean over seeds and the percentile 95% interval of a cluster bootstrap over the group's source videos (\(resamples) resamples, seed \(Bootstrap.seed)). A class with no clip in a group still counts in its macro-F1, as 0 (scikit-learn's rule, as everywhere here), so a group that lacks classes has a lower ceiling: compare groups by accuracy as well."
        return Table(
            name: "conflict_\(main.task.name)", caption: caption,
            columns: [
                "Agreement group", "Clips", "Videos", "Model", "Accuracy [95% interval]",
                "Macro-F1 [95% interval]",
            ],
            rows: rows, ruleAfter: rules, alignment: "lrrlrr")
    }

    /// For unimodal runs on sentiment: how often the predictions equal the modality's own
    /// label and how often the overall label; nil without unimodal runs or modality labels.
    func modalityLabelTable(_ task: ClassificationTask) -> Table? {
        guard task == .sentiment || task == .sims3 else { return nil }
        var rows: [[String]] = []
        for modality in Modality.allCases {
            let subset = ModalitySubset([modality])
            for row in models(task) where !row.isReference {
                let runs = self.runs(task, subset, row)
                guard !runs.isEmpty, runs.allSatisfy({ $0.sentimentLabels != nil }) else {
                    continue
                }
                func agreement(_ label: (SentimentLabels) -> Int) -> String {
                    let shares = runs.map { run in
                        let hits = run.predictions.filter {
                            $0.value == label(run.sentimentLabels![$0.key]!)
                        }.count
                        return Double(hits) / Double(run.predictions.count)
                    }
                    let mean = String(format: "%.3f", Statistics.mean(shares))
                    return runs.count == 1
                        ? mean : mean + String(format: " ± %.3f", Statistics.sampleStd(shares))
                }
                let labels = runs[0].sentimentLabels!.values
                let differing = labels.filter { $0[modality] != $0.overall }.count
                rows.append([
                    row.displayName, subset.letters, agreement { $0[modality] },
                    agreement(\.overall),
                    "\(differing) of \(labels.count)",
                ])
            }
        }
        guard !rows.isEmpty else { return nil }
        let caption =
            "Unimodal models against their modality's own label, \(task.name), \(dataText): the share of \(splitWord) clips whose prediction equals the modality's own sentiment label (\(isIndoMER ? "text_label, audio_label or video_label" : "regression_labels_T, _A or _V, in the same 3 classes")) and the share equal to the overall label (the accuracy), mean ± sample std over seeds. The last column counts the clips where the two labels differ. Trained on the overall label, a model that reads its modality faithfully agrees with the modality's own label where the two differ."
        return Table(
            name: "modality_labels_\(task.name)", caption: caption,
            columns: ["Model", "Modality", "= own label", "= overall label", "Own ≠ overall"],
            rows: rows,
            alignment: "llrrr")
    }

    var isIndoMER: Bool { dataName == DataSetName.indoMER }

    /// Where the per-modality labels come from.
    var modalityLabelSource: String {
        isIndoMER
            ? "the release's text_label, audio_label, video_label"
            : "the file's regression_labels_T/A/V, in the same 3 classes"
    }
}
