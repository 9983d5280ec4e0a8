import Datasets
import Foundation
import FusionModels
import Vocabulary

/// Turns the finished runs of one group (one grid on one data set with one code version) into
/// tables and figures: LaTeX (booktabs, TikZ/PGFPlots) files plus `tables.tex`, which compiles
/// on its own and shows every table and figure, and the same tables as Markdown and a tidy CSV.
///
/// Within a group, a row is a model (with or without class weights) on a task and modality
/// subset, and averages the seeds of its newest setting only; runs of other settings are
/// counted in `omitted`, never averaged in. Records of several groups are split by
/// `ReportBuilder.groups` and reported apart; `write` refuses a mix.
public struct ReportBuilder {
    public let records: [RunRecord]
    /// The search trials of `baselines tune` among the records given, of one search (that of
    /// the newest tuned run, else of the newest trial): never in a results table, only in the
    /// tuning table and figure. Trials of an earlier search (another seed, count or space) are
    /// left out, so the table describes the search the tuned rows came from.
    public let trials: [RunRecord]
    /// Bootstrap resamples for intervals and paired tests.
    public var resamples = Bootstrap.resamples

    /// Run ids of the records trained with class weights (parsed once from their settings).
    let classWeightedRuns: Set<String>

    public init(records: [RunRecord]) {
        self.records = records.filter { !$0.isTrial }
        let allTrials = records.filter(\.isTrial)
        let newest =
            records.filter { $0.tuning?.role == .tuned }.max { $0.finishedAt < $1.finishedAt }
            ?? allTrials.max { $0.finishedAt < $1.finishedAt }
        let search = newest?.tuning?.search
        trials = allTrials.filter { $0.tuning?.search == search }
        classWeightedRuns = Set(
            records.filter { $0.trainingSetting("classWeights") as? Bool == true }.map(\.runID))
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
        let modelOrder = Dictionary(
            uniqueKeysWithValues: ModelName.allCases.enumerated().map { ($1, $0) })
        func key(_ r: RunRecord) -> (String, Int, String, Int, UInt64) {
            (
                r.task.name, r.modalities.members.count, r.modalities.letters, modelOrder[r.model]!,
                r.seed
            )
        }
        return result.sorted { key($0) < key($1) }
    }

    // MARK: - Groups

    /// What a group of records shares: the grid, the data and the code that ran it. Runs of
    /// different groups are never reported together.
    public static func groupKey(_ r: RunRecord) -> String {
        "\(r.grid ?? "grid")-\(r.synthetic ? "synthetic" : "release")-\(r.dataFingerprint.prefix(12))"
            + "-code-\(r.codeVersion ?? r.gitCommit)"
    }

    /// Records split by `groupKey`, in order of first appearance.
    public static func groups(_ records: [RunRecord]) -> [(key: String, records: [RunRecord])] {
        var order: [String] = []
        var groups: [String: [RunRecord]] = [:]
        for r in records {
            if groups[groupKey(r)] == nil { order.append(groupKey(r)) }
            groups[groupKey(r), default: []].append(r)
        }
        return order.map { ($0, groups[$0]!) }
    }

    /// Merges run logs and writes the tables; false when they hold no record. Each group of
    /// grid, data and code gets its own folder (`<output>/<group key>/`, one line each says so)
    /// when there are several, and one group is also written to `output` itself: that of
    /// `grid` (the grid just run, with this code) when given, else the newest record's.
    @discardableResult
    public static func writeReports(
        from logs: [String], to output: String, grid: String? = nil, log: (String) -> Void
    ) throws -> Bool {
        let records = merge(logs.map { RunStore(path: $0).records(warn: log) })
        guard let last = records.last else { return false }
        let newest =
            grid.flatMap { g in
                records.last { $0.grid == g && $0.codeVersion == GridRunner.codeVersion }
            } ?? last
        let groups = groups(records)
        if groups.count > 1 {
            log(
                "the run logs hold \(groups.count) groups of different grids, data or code; each is reported on its own:"
            )
            for group in groups {
                let folder = "\(output)/\(group.key)"
                _ = try ReportBuilder(records: group.records).write(to: folder)
                log("  \(group.records.count) record(s) of \(group.key) -> \(folder)/")
            }
        }
        let builder = ReportBuilder(records: groups.first { $0.key == groupKey(newest) }!.records)
        let written = try builder.write(to: output)
        if !builder.omitted.isEmpty {
            log(
                "note: \(builder.omitted.count) finished run(s) of this group are in no table: their rows were run again with newer settings (each row shows only its newest settings, never a mean over both)"
            )
        }
        let names = written.map { URL(fileURLWithPath: $0).lastPathComponent }.joined(
            separator: ", ")
        let which = groups.count > 1 ? " for the newest group, \(groupKey(newest))" : ""
        log("wrote \(written.count) report files to \(output)/\(which) (\(names))")
        return true
    }

    // MARK: - Rows

    /// The finished runs (failed runs have no metrics).
    var current: [RunRecord] { records.filter { !$0.failed } }
    /// Runs recorded as failed (a loss became NaN or infinite), shown in their own table.
    var failedRuns: [RunRecord] { records.filter(\.failed) }
    var fingerprint: String { records.first?.dataFingerprint ?? "" }
    var synthetic: Bool { records.first?.synthetic ?? true }

    /// One row of the tables: a model, trained with or without class weights (the grid's
    /// class-weighting axis), with its default settings or a configuration chosen by
    /// `baselines tune`, on true lengths or under the MMSA protocol; runs of different rows
    /// are never averaged together.
    public struct ReportRow: Hashable, Sendable {
        public var model: ModelName
        public var classWeighted: Bool
        public var tuned = false
        /// Always true lengths for a reference (they read no features).
        public var inputProtocol = InputProtocol.trueLengths
        public init(
            model: ModelName, classWeighted: Bool, tuned: Bool = false,
            inputProtocol: InputProtocol = .trueLengths
        ) {
            self.model = model
            self.classWeighted = classWeighted
            self.tuned = tuned
            self.inputProtocol = model.isReference ? .trueLengths : inputProtocol
        }
        public var isReference: Bool { model.isReference }
        public var displayName: String {
            model.displayName + (classWeighted ? " (class-weighted)" : "")
                + (tuned ? " (tuned)" : "")
                + (inputProtocol.rowMark.map { " (\($0))" } ?? "")
        }
        /// For the CSV: `tfn`, `tfn+class-weights`, `tfn+tuned`, `tfn+mmsa`,
        /// `tfn+mmsa-standardized`.
        public var rawValue: String {
            model.rawValue + (classWeighted ? "+class-weights" : "") + (tuned ? "+tuned" : "")
                + (inputProtocol.isMMSA ? "+\(inputProtocol.rawValue)" : "")
        }
    }

    func row(of record: RunRecord) -> ReportRow? {
        ReportRow(
            model: record.model,
            classWeighted: !record.model.isReference && classWeightedRuns.contains(record.runID),
            tuned: record.tuning?.role == .tuned, inputProtocol: record.inputProtocol)
    }

    /// A row's runs: only those of the row's newest settings (its last record's config hash),
    /// so runs of different settings are never averaged together.
    func runs(
        _ task: ClassificationTask, _ modalities: ModalitySubset, _ row: ReportRow
    )
        -> [RunRecord]
    {
        let matching = current.filter {
            $0.task == task && $0.modalities == modalities && self.row(of: $0) == row
        }
        return matching.filter { $0.configHash == matching.last?.configHash }
    }

    /// Finished runs that no table shows: those of a row's older settings (the spec was
    /// edited between runs). Said in one line by `report`.
    public var omitted: [RunRecord] {
        let shown = Set(
            current.compactMap { r -> String? in
                guard let row = row(of: r) else { return nil }
                return runs(r.task, r.modalities, row).contains { $0.runID == r.runID }
                    ? r.runID : nil
            })
        return records.filter { !$0.failed && !shown.contains($0.runID) }
    }

    var tasks: [ClassificationTask] {
        ClassificationTask.known.filter { t in current.contains { $0.task == t } }
    }

    /// The rows present for a task: models in grid order, each unweighted before class-weighted.
    func models(_ task: ClassificationTask) -> [ReportRow] {
        let present = Set(current.filter { $0.task == task }.compactMap(row(of:)))
        let rows = ModelName.allCases.flatMap { m in
            [false, true].flatMap { w in
                [false, true].flatMap { tuned in
                    InputProtocol.allCases.map {
                        ReportRow(model: m, classWeighted: w, tuned: tuned, inputProtocol: $0)
                    }
                }
            }
        }
        // A reference's row is the same under either protocol: listed once.
        return rows.enumerated().filter { i, row in
            present.contains(row) && !rows[..<i].contains(row)
        }.map(\.element)
    }

    func subsets(_ task: ClassificationTask) -> [ModalitySubset] {
        ModalitySubset.tableOrder.filter { s in
            current.contains { $0.task == task && $0.modalities == s }
        }
    }

    func mainSubset(_ task: ClassificationTask) -> ModalitySubset {
        subsets(task).contains(.all) ? .all : subsets(task).last ?? .all
    }

    // MARK: - Output

    public struct MixedGroups: Error, CustomStringConvertible {
        public var groups: [String]
        public var description: String {
            "these records come from \(groups.count) groups of different grids, data or code, which are never reported together: \(groups.joined(separator: ", ")); report each group on its own (`baselines report` does)"
        }
    }

    public func write(to directory: String) throws -> [String] {
        let keys = Self.groups(records + trials).map(\.key)
        guard keys.count <= 1 else { throw MixedGroups(groups: keys) }
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true)
        var tables: [Table] = []
        var figures: [(name: String, tex: String)] = []
        var summaries: [ClassificationTask: [TableSummary]] = [:]
        for task in tasks {
            let main = summary(task, mainSubset(task))
            tables += [
                mainTable(main), perClassTable(main), statisticsTable(main), efficiencyTable(main),
            ]
            let others = subsets(task).filter { $0 != main.subset }.map { summary(task, $0) }
            if let ablation = ablationTable(task, [main] + others) { tables.append(ablation) }
            let conflict = conflictSummaries(main)
            if let conflict { tables.append(conflictTable(main, conflict)) }
            if let labels = modalityLabelTable(task) { tables.append(labels) }
            tables += robustnessTables(main)
            figures += ReportFigures(builder: self).figures(
                main, ablation: others.isEmpty ? nil : [main] + others, conflict: conflict)
            if let noise = ReportFigures(builder: self).noise(main) {
                figures.append(("noise_\(task.name)", noise))
            }
            summaries[task] = [main] + others + (conflict ?? [])
        }
        if let failed = failedTable() { tables.append(failed) }
        // The search behind (tuned) rows goes to an appendix document of its own.
        let appendix = tuningTable().map { table in (table, ("tuning", tuningFigure())) }
        var written: [String] = []
        func put(_ text: String, _ name: String) throws {
            let path = "\(directory)/\(name)"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            written.append(path)
        }
        for table in tables + (appendix.map { [$0.0] } ?? []) {
            try put(latex(table), "table_\(table.name).tex")
        }
        for figure in figures + (appendix.map { [$0.1] } ?? []) {
            try put(figure.tex, "figure_\(figure.name).tex")
        }
        try put(
            Self.document(tables.map { "table_\($0.name)" } + figures.map { "figure_\($0.name)" }),
            "tables.tex")
        try put(markdown(tables), "tables.md")
        if let appendix {
            try put(
                Self.document(["table_\(appendix.0.name)", "figure_\(appendix.1.0)"]),
                "appendix.tex")
            try put(markdown([appendix.0]), "appendix.md")
        }
        try put(csv(tasks.flatMap { summaries[$0]! }), "results.csv")
        if let robustness = robustnessCSV(tasks.flatMap { summaries[$0]! }) {
            try put(robustness, "robustness.csv")
        }
        return written
    }

    /// A LaTeX document that inputs the named table and figure files.
    static func document(_ names: [String]) -> String {
        var document = """
            % Generated by `baselines report`: every number comes from a run log (runs.jsonl).
            \\documentclass{article}
            \\usepackage[utf8]{inputenc}
            \\usepackage[margin=2.2cm]{geometry}
            \\usepackage{booktabs}
            \\usepackage{graphicx}
            \\usepackage{tikz}
            \\usepackage{pgfplots}
            \\pgfplotsset{compat=1.18}
            \\begin{document}

            """
        // Floats flushed every few, so that LaTeX never holds more than it can (18).
        for (i, name) in names.enumerated() {
            document += "\\input{\(name)}\n" + (i % 6 == 5 ? "\\clearpage\n" : "")
        }
        return document + "\\end{document}\n"
    }
}

extension RunRecord {
    /// A resolved training setting of the run (`innerFold`, `selection`, ...), nil when absent.
    func trainingSetting(_ key: String) -> Any? {
        ((try? JSONSerialization.jsonObject(with: Data(training.utf8))) as? [String: Any])?[key]
    }

    /// The run's input protocol (records before it was a setting: true lengths).
    public var inputProtocol: InputProtocol {
        (trainingSetting("dataProtocol") as? String).flatMap(InputProtocol.init(rawValue:))
            ?? .trueLengths
    }

    /// A top-level hyperparameter of the run's model (`audioPool`), nil when absent.
    func hyperparameter(_ key: String) -> Any? {
        ((try? JSONSerialization.jsonObject(with: Data(hyperparameters.utf8))) as? [String: Any])?[
            key]
    }
}
