import Datasets
import Foundation
import FusionModels
import Vocabulary

/// The tables of a report, and their captions, built from the records alone.
extension ReportBuilder {
    struct Table {
        var name: String
        var caption: String
        var columns: [String]
        /// Cells as plain text; `bold` marks cells (row, column) to emphasise.
        var rows: [[String]]
        var bold: Set<[Int]> = []
        var ruleAfter: Set<Int> = []
        /// LaTeX column alignment; nil for a left-aligned first column and right-aligned numbers.
        var alignment: String?
    }

    // MARK: - Captions

    /// The records' data set (IndoMER for records older than other data sets).
    var dataName: String { records.first?.dataName ?? DataSetName.indoMER }

    /// `validation` or `test`: the split the tables' clips come from.
    var splitWord: String { records.first?.reportedSplit == .test ? "test" : "validation" }

    var dataText: String {
        if synthetic {
            return
                "SYNTHETIC IndoMER (built-in generator, not the release; fingerprint \(fingerprint.prefix(12)))"
        }
        if dataName == DataSetName.indoMER {
            return
                "IndoMER release, official validation split (fingerprint \(fingerprint.prefix(12)))"
        }
        return
            "\(dataName), \(splitWord) split (MMSA-format file, fingerprint \(fingerprint.prefix(12)))"
    }

    /// The seeds of a table's rows: one list when every row has the same, else per row.
    func seedsText(_ s: TableSummary) -> String {
        func list(_ runs: [RunRecord]) -> String {
            runs.map { "\($0.seed)" }.joined(separator: ", ")
        }
        let sets = Set(s.rows.map { $0.runs.map(\.seed) })
        if sets.count == 1, let runs = s.rows.first?.runs {
            return runs.count == 1
                ? "seed \(list(runs))" : "seeds \(list(runs)) (mean ± sample std over seeds)"
        }
        let perRow = s.rows.map { "\($0.row.displayName): \(list($0.runs))" }.joined(
            separator: "; ")
        return "seeds per row (mean ± sample std over a row's seeds) — \(perRow)"
    }

    /// `4` or `3–12`.
    static func range<T: Comparable & CustomStringConvertible>(_ values: [T]) -> String {
        guard let lo = values.min(), let hi = values.max() else { return "--" }
        return lo == hi ? "\(lo)" : "\(lo)–\(hi)"
    }

    /// What rows marked (MMSA protocol) saw (`InputProtocol.mmsa`, `MMSAInputs`): only the
    /// models and units of `rows`.
    static func mmsaProtocolText(_ rows: [ReportRow]) -> String {
        let models = Set(rows.map(\.model))
        let each = ModelName.allCases.filter(models.contains).compactMap { m in
            MMSAInputs.of(m).map { "\(m.displayName) \($0.summary)" }
        }
        let units = Set(rows.map(\.inputProtocol)).sorted { $0.rawValue < $1.rawValue }.map {
            $0 == .mmsa
                ? "(MMSA protocol) in the file's units (not standardised, as MMSA)"
                : "(MMSA protocol, standardised) on the standardised features"
        }
        return
            "rows marked \(units.joined(separator: " and rows marked ")) see MMSA 2.2.1's data handling: features zero-padded to the file's lengths (a removed modality is zeros there), audio pooling where a row has it done first, on each clip's true frames; "
            + each.joined(separator: "; ")
    }

    /// How the table's runs were trained and selected, from their recorded settings: inner
    /// fold, selection metric, epoch caps, patience, epochs trained and selected, pooling.
    func protocolText(_ s: TableSummary) -> String {
        let trained = s.rows.filter { !$0.row.isReference }.flatMap(\.runs)
        var parts: [String] = []
        if !trained.isEmpty {
            let folds = Set(trained.compactMap { $0.trainingSetting("innerFold") as? Double })
                .sorted().map { "\(Int(($0 * 100).rounded()))%" }
            let selections = Set(
                trained.map { $0.trainingSetting("selection") as? String ?? "macroF1" }
            ).sorted()
                .map {
                    $0 == "loss"
                        ? "the lowest inner-fold loss"
                        : "the best inner-fold macro-F1 (ties to the lower loss)"
                }
            let caps = trained.compactMap { $0.trainingSetting("epochs") as? Int }
            let patience = trained.compactMap { $0.trainingSetting("patience") as? Int }
            let perturbed =
                trained.contains { $0.robustness != nil }
                ? " (and, for the robustness tables, once per perturbed condition; no choice rests on any of these)"
                : ""
            if trained.contains(where: { $0.reportedSplit == .test }) {
                // A data set with a test split: MMSA's protocol (select on valid, report test).
                parts.append(
                    "Model selection: the epoch of "
                        + selections.joined(separator: " or ").replacingOccurrences(
                            of: "inner-fold", with: "validation-split")
                        + " on the data set's validation split (\(Self.range(trained.map(\.innerFoldClips))) clips); "
                        + "the test split is evaluated once with the selected weights\(perturbed)")
            } else {
                parts.append(
                    "Model selection: the epoch of \(selections.joined(separator: " or ")) on an inner fold of "
                        + "\(folds.joined(separator: " or ")) of the training split (whole source videos); "
                        + "the official validation split is evaluated once with the selected weights\(perturbed)"
                )
            }
            parts.append(
                "runs trained \(Self.range(trained.map(\.epochs))) epochs (cap \(Self.range(caps)), "
                    + "patience \(Self.range(patience))) and kept epoch \(Self.range(trained.map(\.bestEpoch)))"
            )
            let pooled = s.rows.filter { !$0.row.isReference }.compactMap { r -> String? in
                let pools = Set(r.runs.compactMap { $0.hyperparameter("audioPool") as? Int })
                guard let pool = pools.max(), pool > 1 else { return nil }
                return "\(r.row.displayName) averages audio in windows of \(pool) frames"
            }
            let trueLengthRows = s.rows.filter {
                !$0.row.isReference && $0.row.inputProtocol == .trueLengths
            }
            if !trueLengthRows.isEmpty {
                parts.append(
                    "padding is masked everywhere (true lengths)"
                        + (trueLengthRows.count < s.rows.filter { !$0.row.isReference }.count
                            ? " except in rows marked (MMSA protocol)" : ""))
            }
            let mmsaRows = s.rows.map(\.row).filter(\.inputProtocol.isMMSA)
            if !mmsaRows.isEmpty { parts.append(Self.mmsaProtocolText(mmsaRows)) }
            parts += pooled
            let aligned = trueLengthRows.map(\.row.model).filter { $0 == .efLSTM || $0 == .mfn }
            if !aligned.isEmpty {
                let names = Array(Set(aligned.map(\.displayName))).sorted().joined(
                    separator: " and ")
                parts.append(
                    "\(names) see\(aligned.count == 1 ? "s" : "") audio and video averaged over equal slices of each clip onto its text tokens"
                )
            }
        }
        if s.rows.contains(where: \.row.tuned), !trials.isEmpty {
            let searches = Set(trials.map { "\($0.model)|\($0.task)|\($0.modalities)" }).count
            parts.append(
                "rows marked (tuned) train the configuration with the best inner-fold macro-F1 among the random trials of their "
                    + "search (\(trials.count) trials in \(searches) search(es), \(trials.map(\.epochs).reduce(0, +)) epochs, "
                    + "\(GridPlan.duration(trials.map(\.wallSeconds).reduce(0, +))) in all; the reported split never read), "
                    + "listed in appendix.tex (table_tuning)")
        }
        parts.append(
            "F1 with scikit-learn's zero_division=0 over all classes; balanced accuracy is the mean recall over the classes present"
        )
        return parts.joined(separator: "; ") + "."
    }

    // MARK: - Tables

    /// Cells to bold: per column, every trained baseline whose value, as printed (3 decimals),
    /// equals the best trained baseline's; reference rows are never candidates.
    static func bestBaselines(_ values: [[Double]], trained: [Bool]) -> Set<[Int]> {
        var bold: Set<[Int]> = []
        guard let width = values.first?.count else { return bold }
        let shown = values.map { $0.map { ($0 * 1000).rounded() } }
        for column in 0..<width {
            let candidates = shown.indices.filter { trained[$0] }
            guard let best = candidates.map({ shown[$0][column] }).max() else { continue }
            for row in candidates where shown[row][column] == best {
                bold.insert([row, column + 1])
            }
        }
        return bold
    }

    func format(_ r: RowSummary, _ metric: ReportMetric) -> String {
        let mean = String(format: "%.3f", r.mean[metric]!)
        return r.runs.count == 1 ? mean : mean + String(format: " ± %.3f", r.std[metric]!)
    }

    /// Rows of ours (bold on the best baselines) then the quoted rows, under one rule.
    func table(
        _ name: String, _ caption: String, _ columns: [String], _ s: TableSummary,
        _ metrics: [ReportMetric], quoted: [[String]] = []
    ) -> Table {
        let rows = s.rows.map { r in [r.row.displayName] + metrics.map { format(r, $0) } }
        let bold = Self.bestBaselines(
            s.rows.map { r in metrics.map { r.mean[$0]! } },
            trained: s.rows.map { !$0.row.isReference })
        return Table(
            name: name, caption: caption, columns: columns, rows: rows + quoted, bold: bold,
            ruleAfter: quoted.isEmpty || rows.isEmpty ? [] : [rows.count - 1])
    }

    /// The dagger's sentence under a table with quoted OmniMER rows; empty without them.
    func quotedText(_ task: ClassificationTask, perClass: Bool) -> String {
        guard let tables = PaperNumbers.tables(task, data: dataName) else { return "" }
        return perClass
            ? " † Quoted from the OmniMER paper (Table \(tables.perClass)), in this table's class order."
            : " † Quoted from the OmniMER paper (Yan et al., 2025, Tables \(tables.main)), not from a run of this suite; n/r: not reported there. \(PaperNumbers.note(task))"
    }

    func mainTable(_ s: TableSummary) -> Table {
        let task = s.task
        let quoted = PaperNumbers.rows(task, data: dataName).map { paper in
            ["\(paper.name) †", paper.accuracy.map { String(format: "%.3f", $0) } ?? "n/r", "n/r"]
                + [paper.macroF1, paper.weightedF1].map {
                    $0.map { String(format: "%.3f", $0) } ?? "n/r"
                }
        }
        let caption =
            "\(task.title): classical baselines on \(dataText), modalities \(s.subset), \(seedsText(s)). Bold: the best of the six baselines, ties included (never a reference or a quoted row); 95% intervals and paired tests in the statistics table.\(quotedText(task, perClass: false)) \(protocolText(s))"
        return table(
            "main_\(task.name)", caption,
            ["Model", "Accuracy", "Balanced acc.", "Macro-F1", "Weighted-F1"],
            s, [.accuracy, .balancedAccuracy, .macroF1, .weightedF1], quoted: quoted)
    }

    func perClassTable(_ s: TableSummary) -> Table {
        let task = s.task
        let supports = s.rows.first?.runs.first?.metrics!.perClass.map(\.support) ?? []
        let quoted = PaperNumbers.rows(task, data: dataName).map {
            ["\($0.name) †"] + $0.perClassF1.map { String(format: "%.3f", $0) }
        }
        let rare = zip(task.classNames, supports).filter { $0.1 < 10 }.map { "\($0.0) \($0.1)" }
        let caption =
            "Per-class F1, \(task.name), \(s.subset), \(dataText), \(seedsText(s)). n = \(splitWord) clips per class\(rare.isEmpty ? "" : ": \(rare.joined(separator: ", ")) clip(s) only, so a class F1 there can rest on a single clip"). Bold: the best of the six baselines, ties included.\(quotedText(task, perClass: true))"
        return table(
            "perclass_\(task.name)", caption,
            ["Model"] + zip(task.classNames, supports).map { "\($0.0) (n=\($0.1))" },
            s, (0..<task.classCount).map(ReportMetric.f1), quoted: quoted)
    }

    /// Macro-F1 with its cluster-bootstrap interval, and each baseline against the best.
    func statisticsTable(_ s: TableSummary) -> Table {
        let best = s.best.flatMap { s.row($0) }
        let compared = s.rows.filter { $0.p != nil }.count
        let rows = s.rows.map { r -> [String] in
            let interval = r.videoInterval[.macroF1]!
            let delta =
                best.map { String(format: "%+.3f", r.mean[.macroF1]! - $0.mean[.macroF1]!) } ?? "--"
            let role = r.row == s.best ? "best" : r.row.isReference ? "reference" : "--"
            return [
                r.row.displayName, String(format: "%.3f", r.mean[.macroF1]!),
                String(format: "[%.3f, %.3f]", interval.low, interval.high),
                r.row == s.best ? "0" : delta,
                r.p.map { String(format: "%.3f", $0) } ?? role,
                r.pHolm.map { String(format: "%.3f", $0) } ?? role,
            ]
        }
        let source =
            s.videosRecorded
            ? "as the runs recorded them" : "read from the clip ids, as the release names them"
        let bestName = best?.row.displayName ?? "none"
        let caption =
            "Macro-F1 uncertainty, \(s.task.name), \(s.subset), \(dataText), \(seedsText(s)): percentile 95% interval of a cluster bootstrap over the \(splitWord) split's \(s.videos) source videos (\(source); \(s.clips) clips; \(resamples) resamples, seed \(Bootstrap.seed); a resample's value is the mean over seeds). Δ: the row minus the best baseline (\(bestName)). p: two-sided paired bootstrap p-value of no difference from \(bestName) on the same resamples, and Holm's adjustment over the \(compared) comparison(s). \(bestName) was chosen as the best on these same clips, which favours it; the tests say which baselines are distinguishable from it here. Clip-level intervals (clips resampled as if independent) are in results.csv for comparison with other papers."
        return Table(
            name: "statistics_\(s.task.name)", caption: caption,
            columns: ["Model", "Macro-F1", "95% interval (videos)", "Δ vs best", "p", "p (Holm)"],
            rows: rows)
    }

    /// Parameters, epochs, wall time and memory per run, from the records.
    func efficiencyTable(_ s: TableSummary) -> Table {
        let rows = s.rows.filter { !$0.row.isReference }.map { r -> [String] in
            let runs = r.runs
            let wall = Statistics.mean(
                runs.map {
                    $0.wallSeconds - ($0.robustnessSeconds ?? 0) - ($0.checkpointSeconds ?? 0)
                })
            let peaks = runs.compactMap(\.peakResidentBytes)
            return [
                r.row.displayName, Self.range(runs.map(\.parameters)),
                Self.range(runs.map(\.epochs)),
                Self.range(runs.map(\.bestEpoch)), String(format: "%.1f", wall),
                peaks.count == runs.count
                    ? String(format: "%.2f", Double(peaks.max()!) / 1e9) : "n/r",
            ]
        }
        let threads = Set(s.rows.flatMap(\.runs).map(\.blas.threads)).sorted().map(String.init)
            .joined(separator: ", ")
        let cores = Set(s.rows.flatMap(\.runs).map(\.blas.core)).sorted().joined(separator: ", ")
        let caption =
            "Cost per run, \(s.task.name), \(s.subset), \(dataText), \(seedsText(s)): trainable parameters; epochs trained and the epoch kept (a range over seeds); wall time per run (mean over seeds, training and the one evaluation, without any robustness evaluation or, where recorded, checkpoint writing; \(threads) thread(s), OpenBLAS \(cores) kernels); peak resident memory of the process during the run (the largest over seeds; Linux VmHWM, reset when a run starts; n/r where a record has none)."
        return Table(
            name: "efficiency_\(s.task.name)", caption: caption,
            columns: [
                "Model", "Parameters", "Epochs", "Kept epoch", "Wall time (s)", "Peak memory (GB)",
            ], rows: rows)
    }

    func ablationTable(_ task: ClassificationTask, _ summaries: [TableSummary]) -> Table? {
        guard summaries.count > 1 else { return nil }
        let ordered = subsets(task).compactMap { subset in summaries.first { $0.subset == subset } }
        let models = self.models(task).filter { !$0.isReference }
        let cells = models.map { model in ordered.map { $0.row(model) } }
        let rows = zip(models, cells).map { model, row in
            [model.displayName] + row.map { $0.map { format($0, .macroF1) } ?? "--" }
        }
        // Bold: each model's best subset (as printed).
        var bold: Set<[Int]> = []
        for (i, row) in cells.enumerated() {
            let shown = row.map { $0.map { ($0.mean[.macroF1]! * 1000).rounded() } }
            guard let best = shown.compactMap({ $0 }).max() else { continue }
            for (j, v) in shown.enumerated() where v == best { bold.insert([i, j + 1]) }
        }
        let caption =
            "Modality ablation, \(task.name): macro-F1 by modality subset (T text, A audio, V video), \(dataText); each cell is the mean ± sample std over that row's seeds of one setting. Bold: each model's best subset, ties included. Figure: the same values."
        return Table(
            name: "ablation_\(task.name)", caption: caption,
            columns: ["Model"] + ordered.map(\.subset.letters),
            rows: rows, bold: bold)
    }

    /// Every failed run with where and why it failed; nil when none failed.
    func failedTable() -> Table? {
        guard !failedRuns.isEmpty else { return nil }
        let rows = failedRuns.map { r in
            [
                row(of: r)?.displayName ?? r.model.displayName, r.task.name, r.modalities.letters,
                "\(r.seed)",
                "\(r.failure!.epoch)", r.failure!.reason,
            ]
        }
        return Table(
            name: "failed_runs",
            caption:
                "Runs recorded as failed, left out of every other table (\(dataText)). A rerun does not retry them unless given --retry-failed.",
            columns: ["Model", "Task", "Modalities", "Seed", "Epoch", "Reason"], rows: rows)
    }

    // MARK: - Formats

    /// LaTeX text of a plain string. A hyphen after a hyphen is kept apart (`--retry-failed`
    /// must not become an en dash); the en dash of a range (`3–12`) is typeset as one.
    static func escape(_ s: String) -> String {
        var out = ""
        var previous: Character?
        for c in s {
            switch c {
            case "&", "%", "$", "#", "_", "{", "}": out += "\\\(c)"
            case "±": out += "$\\pm$"
            case "†": out += "$^\\dagger$"
            case "Δ": out += "$\\Delta$"
            case "≠": out += "$\\neq$"
            case "−": out += "$-$"
            case "σ": out += "$\\sigma$"
            case "–": out += "--"
            case "—": out += "---"
            case "-" where previous == "-": out += "{}-"
            case "~": out += "\\textasciitilde{}"
            case "\\": out += "\\textbackslash{}"
            default: out.append(c)
            }
            previous = c
        }
        return out
    }

    func latex(_ t: Table) -> String {
        var s = "% Generated by `baselines report` from a run log (runs.jsonl); do not edit.\n"
        s += "\\begin{table}[t]\n\\centering\n\\caption{\(Self.escape(t.caption))}\n"
        s += "\\label{tab:\(t.name.replacingOccurrences(of: "_", with: "-"))}\n"
        s += "\\resizebox{\\ifdim\\width>\\linewidth\\linewidth\\else\\width\\fi}{!}{%\n"
        let alignment = t.alignment ?? "l" + String(repeating: "r", count: t.columns.count - 1)
        s += "\\begin{tabular}{\(alignment)}\n\\toprule\n"
        s += t.columns.map(Self.escape).joined(separator: " & ") + " \\\\\n\\midrule\n"
        for (i, row) in t.rows.enumerated() {
            s +=
                row.enumerated().map { j, v in
                    t.bold.contains([i, j]) ? "\\textbf{\(Self.escape(v))}" : Self.escape(v)
                }.joined(separator: " & ") + " \\\\\n"
            if t.ruleAfter.contains(i) && i < t.rows.count - 1 { s += "\\midrule\n" }
        }
        s += "\\bottomrule\n\\end{tabular}}\n\\end{table}\n"
        return s
    }

    func markdown(_ tables: [Table]) -> String {
        var s = "<!-- Generated by `baselines report` from a run log (runs.jsonl). -->\n"
        for t in tables {
            s += "\n**\(t.caption)**\n\n| " + t.columns.joined(separator: " | ") + " |\n|"
            s += t.columns.map { _ in " --- |" }.joined() + "\n"
            for (i, row) in t.rows.enumerated() {
                s +=
                    "| "
                    + row.enumerated().map { j, v in t.bold.contains([i, j]) ? "**\(v)**" : v }
                    .joined(separator: " | ") + " |\n"
            }
        }
        return s
    }

    /// One tidy row per model x task x modalities x clip group (`all`, or an agreement group
    /// of the conflict analysis) x metric, with both intervals and the paired test against the
    /// best baseline of those clips (macro-F1 rows).
    func csv(_ summaries: [TableSummary]) -> String {
        var s =
            "model,task,modalities,clip_group,metric,mean,std,seeds,video_ci_low,video_ci_high,clip_ci_low,clip_ci_high,p_vs_best,p_holm,videos,clips,synthetic,fingerprint\n"
        func number(_ x: Double?) -> String { x.map { String(format: "%.6f", $0) } ?? "" }
        for summary in summaries {
            for r in summary.rows {
                for metric in ReportMetric.all(classes: summary.task.classCount) {
                    let (video, clip) = (r.videoInterval[metric]!, r.clipInterval[metric]!)
                    let test = metric == .macroF1 ? [number(r.p), number(r.pHolm)] : ["", ""]
                    let cells =
                        [
                            r.row.rawValue, summary.task.name, summary.subset.letters,
                            summary.group?.rawValue ?? "all",
                            metric.name(summary.task.classNames), number(r.mean[metric]),
                            number(r.std[metric]),
                            "\(r.runs.count)", number(video.low), number(video.high),
                            number(clip.low),
                            number(clip.high),
                        ] + test
                        + [
                            "\(summary.videos)", "\(summary.clips)", "\(synthetic)",
                            String(fingerprint.prefix(12)),
                        ]
                    s += cells.joined(separator: ",") + "\n"
                }
            }
        }
        return s
    }
}
