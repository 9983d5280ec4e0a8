import Datasets
import Foundation
import Vocabulary

/// The robustness evaluation in the report: macro-F1 with modalities removed and frames
/// dropped, noise curves with MultiBench's relative and effective robustness, and a tidy CSV.
extension ReportBuilder {
    /// A row's mean over seeds under each condition its runs were evaluated on (every seed).
    func robustnessMeans(_ r: RowSummary) -> [RobustnessCondition: (mean: Double, std: Double)] {
        guard !r.runs.isEmpty, r.runs.allSatisfy({ $0.robustness != nil }) else { return [:] }
        var values: [RobustnessCondition: [Double]] = [:]
        for run in r.runs {
            for result in run.robustness! {
                values[result.condition, default: []].append(result.metrics.macroF1)
            }
        }
        return values.filter { $0.value.count == r.runs.count }
            .mapValues { (Statistics.mean($0), Statistics.sampleStd($0)) }
    }

    /// The trained rows of a table that were evaluated, with their means.
    func robustRows(
        _ s: TableSummary
    ) -> [(RowSummary, [RobustnessCondition: (mean: Double, std: Double)])] {
        s.rows.filter { !$0.row.isReference }.map { ($0, robustnessMeans($0)) }.filter {
            !$0.1.isEmpty
        }
    }

    func robustnessTables(_ s: TableSummary) -> [Table] {
        let rows = robustRows(s)
        guard !rows.isEmpty else { return [] }
        let conditions = RobustnessCondition.standard(
            for: Modality.allCases.filter { s.subset.contains($0) })
        let shown = conditions.filter { c in c.kind != .noise && rows.contains { $0.1[c] != nil } }
        func label(_ c: RobustnessCondition) -> String {
            c.kind == .removed ? "−\(c.modalities)" : "Drop \(Int((c.level * 100).rounded()))%"
        }
        let removal = Table(
            name: "robustness_\(s.task.name)",
            caption:
                "Missing modalities and dropped frames, \(s.task.name), \(s.subset), \(dataText), \(seedsText(s)): macro-F1 of the selected weights on the \(splitWord) split with the named modalities removed (−: every frame of that modality treated as padding, length 0; what each model then does is documented in its source) or with each frame (token) of every modality dropped at random with the given probability (at least one kept), mean over seeds. Perturbations are seeded by condition, the same for every model and seed.",
            columns: ["Model", "Clean"] + shown.map(label),
            rows: rows.map { r, means in
                [r.row.displayName, String(format: "%.3f", r.mean[.macroF1]!)]
                    + shown.map { c in means[c].map { String(format: "%.3f", $0.mean) } ?? "--" }
            })
        // Noise: per modality, the curve from clean (0) over the levels, summarised.
        let modalities = Modality.allCases.filter { s.subset.contains($0) }
        let levels = [0] + RobustnessCondition.noiseLevels
        func curve(
            _ r: RowSummary, _ means: [RobustnessCondition: (mean: Double, std: Double)],
            _ m: Modality
        ) -> [Double]? {
            let noisy = RobustnessCondition.noiseLevels.map {
                means[RobustnessCondition(kind: .noise, modalities: String(m.letter), level: $0)]?
                    .mean
            }
            return noisy.contains { $0 == nil } ? nil : [r.mean[.macroF1]!] + noisy.map { $0! }
        }
        // LF-DNN under each row's own protocol (MMSA-protocol rows against MMSA-protocol LF-DNN).
        func lateFusion(
            _ r: RowSummary
        ) -> (RowSummary, [RobustnessCondition: (mean: Double, std: Double)])? {
            rows.first {
                $0.0.row
                    == ReportRow(
                        model: .lfDNN, classWeighted: false, inputProtocol: r.row.inputProtocol)
            }
        }
        let noise = Table(
            name: "noise_\(s.task.name)",
            caption:
                "Gaussian noise, \(s.task.name), \(s.subset), \(dataText), \(seedsText(s)): for noise on each modality's standardised features at σ = \(levels.dropFirst().map { String(format: "%.1f", $0) }.joined(separator: ", ")) feature standard deviations, macro-F1 at σ = 1, MultiBench's relative robustness (the area under the macro-F1 curve from σ = 0, clean, to 1) and effective robustness (the summed excess over LF-DNN's curve shifted to start at the model's clean score; LF-DNN is the late-fusion reference, 0 by definition), before MultiBench's min-max normalisation across models. Mean over seeds; the figure shows the curves.",
            columns: ["Model"]
                + modalities.flatMap {
                    ["\($0.letter): σ=1", "\($0.letter): relative", "\($0.letter): effective"]
                },
            rows: rows.map { r, means in
                [r.row.displayName]
                    + modalities.flatMap { m -> [String] in
                        guard let f = curve(r, means, m) else { return ["--", "--", "--"] }
                        let effective =
                            lateFusion(r).flatMap { curve($0.0, $0.1, m) }
                            .map {
                                String(
                                    format: "%+.3f",
                                    RobustnessSummary.effective(scores: f, lateFusion: $0))
                            } ?? "--"
                        return [
                            String(format: "%.3f", f.last!),
                            String(
                                format: "%.3f",
                                RobustnessSummary.relative(levels: levels, scores: f)), effective,
                        ]
                    }
            })
        return [removal, noise]
    }

    /// One row per model x task x modalities x condition: macro-F1 and accuracy over seeds.
    func robustnessCSV(_ summaries: [TableSummary]) -> String? {
        var s =
            "model,task,modalities,condition,kind,touched,level,metric,mean,std,seeds,synthetic,fingerprint\n"
        var any = false
        for summary in summaries where summary.group == nil {
            for r in summary.rows
            where !r.row.isReference && r.runs.allSatisfy({ $0.robustness != nil })
                && !r.runs.isEmpty
            {
                for condition in r.runs[0].robustness!.map(\.condition) {
                    for (name, value) in [
                        ("macro_f1", \ClassificationMetrics.macroF1), ("accuracy", \.accuracy),
                    ] {
                        let values = r.runs.compactMap {
                            $0.robustness!.first { $0.condition == condition }?.metrics[
                                keyPath: value]
                        }
                        guard values.count == r.runs.count else { continue }
                        let cells = [
                            r.row.rawValue, summary.task.name, summary.subset.letters,
                            condition.name,
                            condition.kind.rawValue, condition.modalities, "\(condition.level)",
                            name,
                            String(format: "%.6f", Statistics.mean(values)),
                            String(format: "%.6f", Statistics.sampleStd(values)), "\(values.count)",
                            "\(synthetic)", String(fingerprint.prefix(12)),
                        ]
                        s += cells.joined(separator: ",") + "\n"
                        any = true
                    }
                }
            }
        }
        return any ? s : nil
    }
}

extension ReportFigures {
    /// Macro-F1 against the noise level, one panel per modality, one line per baseline.
    func noise(_ s: TableSummary) -> String? {
        let rows = builder.robustRows(s)
        let modalities = Modality.allCases.filter { s.subset.contains($0) }
        guard !rows.isEmpty else { return nil }
        var body = "\\begin{tikzpicture}\n"
        for (i, m) in modalities.enumerated() {
            let position =
                i == 0 ? "name=p0" : "name=p\(i), at={(p\(i - 1).east)}, anchor=west, xshift=0.9cm"
            body +=
                "\\begin{axis}[\(position), width=\(modalities.count == 1 ? "0.6" : "0.36")\\linewidth, height=5cm,"
            body +=
                " title={noise on \(m.rawValue)}, xlabel={$\\sigma$}, \(i == 0 ? "ylabel={macro-F1}," : "")"
            body +=
                " grid=major, grid style={gray!20}, tick label style={font=\\scriptsize}, label style={font=\\small},"
            body += " title style={font=\\small}, mark size=1pt, scaled y ticks=false,"
            body += " yticklabel style={/pgf/number format/fixed, /pgf/number format/precision=2}"
            if i == modalities.count - 1 {
                body += ", legend style={at={(1.05,1)}, anchor=north west, font=\\scriptsize}"
            }
            body += "]\n"
            for (r, means) in rows {
                let points =
                    [(0.0, r.mean[.macroF1]!)]
                    + RobustnessCondition.noiseLevels.compactMap { level in
                        means[
                            RobustnessCondition(
                                kind: .noise, modalities: String(m.letter), level: level)
                        ].map { (level, $0.mean) }
                    }
                let color = Self.colors[r.row.model] ?? "black"
                body +=
                    "\\addplot[\(color), thick, mark=*] coordinates {\(points.map { "(\($0.0), \(Self.number($0.1)))" }.joined(separator: " "))};\n"
                if i == modalities.count - 1 {
                    body += "\\addlegendentry{\(ReportBuilder.escape(r.row.displayName))}\n"
                }
            }
            body += "\\end{axis}\n"
        }
        body += "\\end{tikzpicture}\n"
        let caption =
            "Macro-F1 against Gaussian noise on each modality's standardised features (σ in feature standard deviations; 0 is clean), \(s.task.name), \(s.subset), \(builder.dataText), mean over each baseline's seeds (the noise table's curves)."
        return figure(body, caption: caption, label: "noise-\(s.task.name)")
    }
}
