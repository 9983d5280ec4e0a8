import Datasets
import Foundation

/// Turns finished runs into tables: LaTeX (booktabs) files plus `tables.tex`, which compiles
/// on its own, and the same tables as tidy CSV and Markdown; SVG figures of the best models'
/// confusion matrices and of training curves.
public struct ReportBuilder {
    public let records: [RunRecord]
    /// Bootstrap resamples for intervals and paired tests.
    public var resamples = 1000

    /// Run ids of the records trained with class weights (parsed once from their settings).
    let classWeightedRuns: Set<String>

    public init(records: [RunRecord]) {
        self.records = records
        classWeightedRuns = Set(records.filter(Self.classWeighted).map(\.runID))
    }

    /// Run logs merged: one record per run id (the first seen), in a fixed order, so that
    /// shards merged equal one whole run.
    public static func merge(_ logs: [[RunRecord]]) -> [RunRecord] {
        // One record per run id: the first seen, except that a finished run replaces a failed
        // one (a run retried with --retry-failed).
        var index: [String: Int] = [:]
        var result: [RunRecord] = []
        for record in logs.joined() {
            if let i = index[record.runID] {
                if result[i].failed && !record.failed { result[i] = record }
            } else {
                index[record.runID] = result.count
                result.append(record)
            }
        }
        let modelOrder = Dictionary(uniqueKeysWithValues: GridModel.allCases.enumerated().map { ($1.rawValue, $0) })
        return result.sorted {
            ($0.task, $0.modalities.count, $0.modalities, modelOrder[$0.model] ?? 99, $0.seed)
                < ($1.task, $1.modalities.count, $1.modalities, modelOrder[$1.model] ?? 99, $1.seed)
        }
    }

    struct Table {
        var name: String
        var caption: String
        var columns: [String]
        /// Cells as plain text; `bold` marks cells to emphasise.
        var rows: [[String]]
        var bold: Set<[Int]> = []
        var ruleAfter: Set<Int> = []
    }

    // MARK: - Grouping

    var fingerprint: String { records.last?.dataFingerprint ?? "" }
    /// The finished runs of the reported data set (failed runs have no metrics).
    var current: [RunRecord] { records.filter { $0.dataFingerprint == fingerprint && !$0.failed } }
    /// Runs recorded as failed (a loss became NaN or infinite), shown in their own table.
    var failedRuns: [RunRecord] { records.filter { $0.dataFingerprint == fingerprint && $0.failed } }

    /// Every failed run with where and why it failed; nil when none failed.
    func failedTable() -> Table? {
        guard !failedRuns.isEmpty else { return nil }
        let rows = failedRuns.map { r in
            [(GridModel(rawValue: r.model)?.displayName ?? r.model) + (Self.classWeighted(r) ? " (class-weighted)" : ""),
             r.task, r.modalities, "\(r.seed)", "\(r.failure!.epoch)", r.failure!.reason]
        }
        return Table(
            name: "failed_runs",
            caption: "Runs recorded as failed, left out of every other table (\(dataText)). A rerun does not retry them unless given --retry-failed.",
            columns: ["Model", "Task", "Modalities", "Seed", "Epoch", "Reason"], rows: rows)
    }
    var synthetic: Bool { current.first?.synthetic ?? true }

    /// One row of the tables: a model, trained with or without class weights (the grid's
    /// class-weighting axis); runs of the two are never averaged together.
    struct ReportRow: Hashable {
        var model: GridModel
        var classWeighted: Bool
        var isReference: Bool { model.isReference }
        var displayName: String { model.displayName + (classWeighted ? " (class-weighted)" : "") }
        /// For the CSV: `tfn`, `tfn+class-weights`.
        var rawValue: String { model.rawValue + (classWeighted ? "+class-weights" : "") }
    }

    /// Whether a record's run trained with class weights (from its recorded settings).
    static func classWeighted(_ record: RunRecord) -> Bool {
        let settings = (try? JSONSerialization.jsonObject(with: Data(record.training.utf8))) as? [String: Any]
        return settings?["classWeights"] as? Bool ?? false
    }

    func row(of record: RunRecord) -> ReportRow? {
        GridModel(rawValue: record.model).map { ReportRow(model: $0, classWeighted: !$0.isReference && classWeightedRuns.contains(record.runID)) }
    }

    /// A row's runs: only those of the row's newest settings (its last record's config hash),
    /// so runs of different settings are never averaged together.
    func runs(_ task: IndoMERTask, _ modalities: String, _ row: ReportRow) -> [RunRecord] {
        let matching = current.filter { $0.task == task.rawValue && $0.modalities == modalities && self.row(of: $0) == row }
        return matching.filter { $0.configHash == matching.last?.configHash }
    }

    /// Finished runs that no table shows: those of a row's older settings (the spec was
    /// edited between runs), and of other data than the reported. Said in one line by `report`.
    public var omitted: [RunRecord] {
        let shown = Set(current.compactMap { r -> String? in
            guard let row = row(of: r), let task = IndoMERTask(rawValue: r.task) else { return nil }
            return runs(task, r.modalities, row).contains { $0.runID == r.runID } ? r.runID : nil
        })
        return records.filter { !$0.failed && !shown.contains($0.runID) }
    }

    var tasks: [IndoMERTask] { IndoMERTask.allCases.filter { t in current.contains { $0.task == t.rawValue } } }
    /// The rows present for a task: models in grid order, each unweighted before class-weighted.
    func models(_ task: IndoMERTask) -> [ReportRow] {
        let present = Set(current.filter { $0.task == task.rawValue }.compactMap(row(of:)))
        return GridModel.allCases.flatMap { m in [false, true].map { ReportRow(model: m, classWeighted: $0) } }.filter(present.contains)
    }
    func subsets(_ task: IndoMERTask) -> [String] {
        ["T", "A", "V", "TA", "TV", "AV", "TAV"].filter { s in current.contains { $0.task == task.rawValue && $0.modalities == s } }
    }
    func mainSubset(_ task: IndoMERTask) -> String { subsets(task).contains("TAV") ? "TAV" : subsets(task).last ?? "TAV" }

    func cell(_ values: [Double]) -> (mean: Double, std: Double, n: Int) {
        (Statistics.mean(values), Statistics.sampleStd(values), values.count)
    }

    func format(_ c: (mean: Double, std: Double, n: Int)) -> String {
        c.n == 0 ? "--" : c.n == 1 ? String(format: "%.3f", c.mean) : String(format: "%.3f ± %.3f", c.mean, c.std)
    }

    var seedsText: String {
        let seeds = Set(current.map(\.seed)).sorted()
        return seeds.count == 1 ? "seed \(seeds[0])" : "seeds \(seeds.map(String.init).joined(separator: ", ")) (mean ± sample std)"
    }

    var dataText: String {
        synthetic
            ? "SYNTHETIC IndoMER (built-in generator, not the release; fingerprint \(fingerprint.prefix(12)))"
            : "IndoMER release, official validation split (fingerprint \(fingerprint.prefix(12)))"
    }

    /// How the reported epochs were selected, from the records' settings.
    var selectionText: String {
        let metrics = Set(current.compactMap { r -> String? in
            guard GridModel(rawValue: r.model)?.isReference == false else { return nil }
            let settings = (try? JSONSerialization.jsonObject(with: Data(r.training.utf8))) as? [String: Any]
            return settings?["selection"] as? String ?? "macroF1"
        })
        let names = metrics.sorted().map { $0 == "loss" ? "the lowest inner-fold loss" : "the best inner-fold macro-F1" }
        return names.isEmpty ? "macro-F1" : names.joined(separator: " or ")
    }

    var protocolText: String {
        let text = selectionText
        return text == "the best inner-fold macro-F1" || text == "macro-F1"
            ? Self.protocolText
            : Self.protocolText.replacingOccurrences(of: "best epoch by macro-F1", with: "the epoch of \(text)")
    }

    static let protocolText =
        "Model selection: best epoch by macro-F1 on an inner fold of 15% of the training split grouped by source video; the official validation split is evaluated once. Padding is masked everywhere (true lengths); EF-LSTM and MFN see audio and video averaged over equal slices of each clip onto its text tokens; MulT averages audio in windows of 4 frames. F1 with scikit-learn's zero_division=0 over all classes."

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
            for row in candidates where shown[row][column] == best { bold.insert([row, column + 1]) }
        }
        return bold
    }

    func mainTable(_ task: IndoMERTask) -> Table {
        let subset = mainSubset(task)
        var rows: [[String]] = []
        var values: [[Double]] = []
        var trained: [Bool] = []
        for model in models(task) where !runs(task, subset, model).isEmpty {
            let r = runs(task, subset, model)
            let cells = [cell(r.map(\.metrics!.accuracy)), cell(r.map(\.metrics!.macroF1)), cell(r.map(\.metrics!.weightedF1))]
            rows.append([model.displayName] + cells.map(format))
            values.append(cells.map(\.mean))
            trained.append(!model.isReference)
        }
        let bold = Self.bestBaselines(values, trained: trained)
        let ours = rows.count
        for paper in PaperNumbers.rows(task) {
            rows.append(["\(paper.name) †"] + [paper.accuracy, paper.macroF1, paper.weightedF1].map { $0.map { String(format: "%.3f", $0) } ?? "n/t" })
        }
        return Table(
            name: "main_\(task.rawValue)",
            caption: "\(task == .sentiment ? "Sentiment (3 classes)" : "Emotion (7 classes)"): classical baselines on \(dataText), modalities \(subset), \(seedsText). Bold: the best of the six baselines, ties included (never a reference or a quoted row). † Quoted from the OmniMER paper (Yan et al., 2025, Tables \(task == .sentiment ? "III and V" : "IV and VI")), not from a run of this suite. \(PaperNumbers.note(task)) \(protocolText)",
            columns: ["Model", "Accuracy", "Macro-F1", "Weighted-F1"], rows: rows, bold: bold, ruleAfter: [ours - 1])
    }

    func perClassTable(_ task: IndoMERTask) -> Table {
        let subset = mainSubset(task)
        let supports = current.first { $0.task == task.rawValue }?.metrics!.perClass.map(\.support) ?? []
        var rows: [[String]] = []
        var values: [[Double]] = []
        var trained: [Bool] = []
        for model in models(task) where !runs(task, subset, model).isEmpty {
            let r = runs(task, subset, model)
            let cells = task.classNames.indices.map { c in cell(r.map { $0.metrics!.perClass[c].f1 }) }
            rows.append([model.displayName] + cells.map(format))
            values.append(cells.map(\.mean))
            trained.append(!model.isReference)
        }
        let bold = Self.bestBaselines(values, trained: trained)
        let ours = rows.count
        for paper in PaperNumbers.rows(task) {
            rows.append(["\(paper.name) †"] + paper.perClassF1.map { String(format: "%.3f", $0) })
        }
        let rare = zip(task.classNames, supports).filter { $0.1 < 10 }.map { "\($0.0) \($0.1)" }
        return Table(
            name: "perclass_\(task.rawValue)",
            caption: "Per-class F1, \(task.rawValue), \(subset), \(dataText), \(seedsText). n = validation clips per class\(rare.isEmpty ? "" : ": \(rare.joined(separator: ", ")) clip(s) only, so a class F1 there can rest on a single clip"). Bold: the best of the six baselines, ties included. † Quoted from the OmniMER paper (Table \(task == .sentiment ? "V, which lists the classes as neutral, positive, negative" : "VI")), in this table's class order.",
            columns: ["Model"] + zip(task.classNames, supports).map { "\($0.0) (n=\($0.1))" }, rows: rows, bold: bold,
            ruleAfter: ours > 0 ? [ours - 1] : [])
    }

    func ablationTable(_ task: IndoMERTask) -> Table? {
        let subsets = subsets(task)
        guard subsets.count > 1 else { return nil }
        let rows = models(task).filter { !$0.isReference }.map { model in
            [model.displayName] + subsets.map { format(cell(runs(task, $0, model).map(\.metrics!.macroF1))) }
        }
        return Table(
            name: "ablation_\(task.rawValue)",
            caption: "Modality ablation, \(task.rawValue): macro-F1 by modality subset (T text, A audio, V video), \(dataText), \(seedsText).",
            columns: ["Model"] + subsets, rows: rows)
    }

    /// Bootstrap 95% interval of each model's macro-F1 (averaged over seeds, clips resampled)
    /// and a paired bootstrap test against the best model.
    func statisticsTable(_ task: IndoMERTask) -> Table {
        let subset = mainSubset(task)
        let entries = models(task).compactMap { model -> (ReportRow, [RunRecord])? in
            let r = runs(task, subset, model)
            return r.isEmpty ? nil : (model, r)
        }
        let clipIDs = entries.first.map { $0.1[0].predictions.keys.sorted() } ?? []
        let truth = truthLabels(task, clipIDs)
        func macroF1(_ runs: [RunRecord], _ sample: [Int]) -> Double {
            Statistics.mean(runs.map { run in
                ClassificationMetrics(truth: sample.map { truth[$0] }, predictions: sample.map { run.predictions[clipIDs[$0]]! }, classes: task.classCount).macroF1
            })
        }
        let full = Array(0..<clipIDs.count)
        let observed = entries.map { macroF1($0.1, full) }
        let bestIndex = observed.indices.max { observed[$0] < observed[$1] } ?? 0
        // One set of resamples shared by every model: the comparison is paired.
        let samples = Statistics.resamples(clips: clipIDs.count, count: resamples)
        let values = entries.map { entry in samples.map { macroF1(entry.1, $0) } }
        var rows: [[String]] = []
        for (i, entry) in entries.enumerated() {
            let (lo, hi) = Statistics.interval95(values[i].sorted())
            let p: String
            if i == bestIndex {
                p = "best"
            } else {
                // One-sided: how often this model is at least as good as the best on a resample.
                let wins = zip(values[i], values[bestIndex]).filter { $0 >= $1 }.count
                p = String(format: "%.3f", Double(wins + 1) / Double(resamples + 1))
            }
            rows.append([entry.0.displayName, String(format: "%.3f", observed[i]), String(format: "[%.3f, %.3f]", lo, hi), p])
        }
        return Table(
            name: "statistics_\(task.rawValue)",
            caption: "Macro-F1 uncertainty, \(task.rawValue), \(subset), \(dataText): percentile bootstrap 95% interval over validation clips (\(resamples) seeded resamples; seeds averaged), and the paired bootstrap p-value that a model is at least as good as the best one (\(entries.isEmpty ? "" : entries[bestIndex].0.displayName)).",
            columns: ["Model", "Macro-F1", "95% interval", "p vs best"], rows: rows)
    }

    /// The validation labels per clip id, as the runs recorded them.
    func truthLabels(_ task: IndoMERTask, _ clipIDs: [String]) -> [Int] {
        let labels = current.first { $0.task == task.rawValue }?.truth ?? [:]
        return clipIDs.map { labels[$0] ?? 0 }
    }

    // MARK: - Output

    public func write(to directory: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var written: [String] = []
        var tables: [Table] = []
        for task in tasks {
            tables.append(mainTable(task))
            tables.append(perClassTable(task))
            tables.append(statisticsTable(task))
            if let ablation = ablationTable(task) { tables.append(ablation) }
        }
        if let failed = failedTable() { tables.append(failed) }
        for table in tables {
            let path = "\(directory)/table_\(table.name).tex"
            try latex(table).write(toFile: path, atomically: true, encoding: .utf8)
            written.append(path)
        }
        var document = "% Generated by `baselines report`: every number comes from results/runs.jsonl.\n\\documentclass{article}\n\\usepackage[utf8]{inputenc}\n\\usepackage{booktabs}\n\\usepackage{graphicx}\n\\begin{document}\n"
        for table in tables { document += "\\input{table_\(table.name)}\n" }
        document += "\\end{document}\n"
        try document.write(toFile: "\(directory)/tables.tex", atomically: true, encoding: .utf8)
        written.append("\(directory)/tables.tex")
        try markdown(tables).write(toFile: "\(directory)/tables.md", atomically: true, encoding: .utf8)
        written.append("\(directory)/tables.md")
        try csv().write(toFile: "\(directory)/results.csv", atomically: true, encoding: .utf8)
        written.append("\(directory)/results.csv")
        written += try Figures(builder: self).write(to: directory)
        return written
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&", "%", "$", "#", "_", "{", "}": out += "\\\(c)"
            case "±": out += "$\\pm$"
            case "†": out += "$^\\dagger$"
            case "~": out += "\\textasciitilde{}"
            case "\\": out += "\\textbackslash{}"
            default: out.append(c)
            }
        }
        // `--retry-failed` must not become an en dash.
        return out.replacingOccurrences(of: "--", with: "-{}-")
    }

    func latex(_ t: Table) -> String {
        var s = "% Generated by `baselines report` from results/runs.jsonl; do not edit.\n\\begin{table}[t]\n\\centering\n\\caption{\(Self.escape(t.caption))}\n\\label{tab:\(t.name.replacingOccurrences(of: "_", with: "-"))}\n"
        s += "\\resizebox{\\ifdim\\width>\\linewidth\\linewidth\\else\\width\\fi}{!}{%\n"
        s += "\\begin{tabular}{l\(String(repeating: "r", count: t.columns.count - 1))}\n\\toprule\n"
        s += t.columns.map(Self.escape).joined(separator: " & ") + " \\\\\n\\midrule\n"
        for (i, row) in t.rows.enumerated() {
            s += row.enumerated().map { j, v in t.bold.contains([i, j]) ? "\\textbf{\(Self.escape(v))}" : Self.escape(v) }.joined(separator: " & ") + " \\\\\n"
            if t.ruleAfter.contains(i) && i < t.rows.count - 1 { s += "\\midrule\n" }
        }
        s += "\\bottomrule\n\\end{tabular}}\n\\end{table}\n"
        return s
    }

    func markdown(_ tables: [Table]) -> String {
        var s = "<!-- Generated by `baselines report` from results/runs.jsonl. -->\n"
        for t in tables {
            s += "\n**\(t.caption)**\n\n| " + t.columns.joined(separator: " | ") + " |\n|" + t.columns.map { _ in " --- |" }.joined() + "\n"
            for (i, row) in t.rows.enumerated() {
                s += "| " + row.enumerated().map { j, v in t.bold.contains([i, j]) ? "**\(v)**" : v }.joined(separator: " | ") + " |\n"
            }
        }
        return s
    }

    /// One tidy row per model x task x modalities x metric.
    func csv() -> String {
        var s = "model,task,modalities,metric,mean,std,seeds,synthetic,fingerprint\n"
        for task in tasks {
            for subset in subsets(task) {
                for model in models(task) {
                    let r = runs(task, subset, model)
                    guard !r.isEmpty else { continue }
                    var metrics: [(String, [Double])] = [("accuracy", r.map(\.metrics!.accuracy)), ("macro_f1", r.map(\.metrics!.macroF1)), ("weighted_f1", r.map(\.metrics!.weightedF1))]
                    for (c, name) in task.classNames.enumerated() { metrics.append(("f1_\(name)", r.map { $0.metrics!.perClass[c].f1 })) }
                    for (name, values) in metrics {
                        let c = cell(values)
                        s += "\(model.rawValue),\(task.rawValue),\(subset),\(name),\(String(format: "%.6f", c.mean)),\(String(format: "%.6f", c.std)),\(c.n),\(synthetic),\(fingerprint.prefix(12))\n"
                    }
                }
            }
        }
        return s
    }
}
