import Datasets
import Foundation
import Vocabulary

/// The report of a hyperparameter search (`baselines tune`), from its trial records: the chosen
/// configuration per model, task and subset with the search's budget, and the spread of the
/// trials' inner-fold scores. Trials never enter a results table.
extension ReportBuilder {
    /// The trials of one model, task and subset, in trial order.
    struct TrialGroup {
        var model: ModelName
        var task: ClassificationTask
        var modalities: ModalitySubset
        var trials: [RunRecord]
        /// The finished trial with the best score (ties: the lowest index).
        var chosen: RunRecord? {
            trials.filter { !$0.failed }.min { a, b in
                (-a.tuning!.score, a.tuning!.trial) < (-b.tuning!.score, b.tuning!.trial)
            }
        }
    }

    var trialGroups: [TrialGroup] {
        var groups: [String: TrialGroup] = [:]
        var order: [String] = []
        for r in trials {
            let key = "\(r.task)|\(r.modalities)|\(r.model.rawValue)"
            if groups[key] == nil {
                order.append(key)
                groups[key] = TrialGroup(
                    model: r.model, task: r.task, modalities: r.modalities, trials: [])
            }
            groups[key]!.trials.append(r)
        }
        let modelOrder = Dictionary(
            uniqueKeysWithValues: ModelName.allCases.enumerated().map { ($1, $0) })
        return order.map { groups[$0]! }.map { g in
            var g = g
            g.trials.sort { $0.tuning!.trial < $1.tuning!.trial }
            return g
        }.sorted {
            func key(_ g: TrialGroup) -> (String, Int, String, Int) {
                (
                    g.task.name, g.modalities.members.count, g.modalities.letters,
                    modelOrder[g.model]!
                )
            }
            return key($0) < key($1)
        }
    }

    /// The chosen configuration of every search, with its budget; nil without trials.
    func tuningTable() -> Table? {
        let groups = trialGroups
        guard !groups.isEmpty else { return nil }
        let rows = groups.map { g -> [String] in
            let scores = g.trials.filter { !$0.failed }.map { $0.tuning!.score }.sorted()
            let chosen = g.chosen
            let spread =
                scores.isEmpty
                ? "--"
                : String(
                    format: "%.3f / %.3f / %.3f", scores.first!, scores[scores.count / 2],
                    scores.last!)
            return [
                g.model.displayName, g.task.name, g.modalities.letters, "\(g.trials.count)",
                "\(g.trials.filter(\.failed).count)", spread,
                chosen.map { "\($0.tuning!.trial)" } ?? "--",
                chosen.map { String(format: "%.3f", $0.tuning!.score) } ?? "--",
                chosen.map { Self.parameterText($0.tuning!.parameters) } ?? "--",
                "\(g.trials.map(\.epochs).reduce(0, +))",
                GridPlan.duration(g.trials.map(\.wallSeconds).reduce(0, +)),
            ]
        }
        let seeds = Set(trials.map(\.seed)).sorted().map(String.init).joined(separator: ", ")
        let total = GridPlan.duration(trials.map(\.wallSeconds).reduce(0, +))
        let caption =
            "Hyperparameter search (baselines tune), \(dataText): for each model, task and modality subset, random configurations drawn from its search space (experiments/search.json: MMSA's tune grids), each trained once (seed \(seeds)) on the training split less the inner fold, with early stopping on the inner fold, and scored by its inner-fold macro-F1 at the selected epoch; the reported split was never read during the search. The configuration with the best score (ties: the earlier trial) is the one the (tuned) rows of the other tables train with the grid's seeds. Columns: trials, failed trials, the trials' inner-fold macro-F1 (min / median / max), the chosen trial and its score and values, and the search's budget (epochs trained and wall time over its trials). Whole search: \(trials.count) trials, \(total)."
        return Table(
            name: "tuning", caption: caption,
            columns: [
                "Model", "Task", "Modalities", "Trials", "Failed", "Inner-fold macro-F1", "Chosen",
                "Score", "Configuration", "Epochs", "Wall time",
            ],
            rows: rows, alignment: "lllrrrrrp{5.5cm}rr")
    }

    /// `{"hidden":64,"training.learningRate":0.001}` as `hidden 64, learningRate 0.001`.
    static func parameterText(_ json: String) -> String {
        guard
            let object = (try? JSONSerialization.jsonObject(with: Data(json.utf8)))
                as? [String: Any]
        else { return json }
        return object.keys.sorted().map { key in
            let name = key.hasPrefix("training.") ? String(key.dropFirst(9)) : key
            let value = object[key]!
            let text =
                (value as? NSNumber).map { n in
                    n.doubleValue == n.doubleValue.rounded() && abs(n.doubleValue) < 1e6
                        ? "\(Int(n.doubleValue))" : "\(n.doubleValue)"
                } ?? "\(value)"
            return "\(name) \(text)"
        }.joined(separator: ", ")
    }

    /// Every trial's inner-fold macro-F1 per search (one column of points each), the chosen
    /// one circled.
    func tuningFigure() -> String {
        let groups = trialGroups
        let keys = groups.indices.map { "s\($0)" }
        let labels = groups.map {
            "{\(Self.escape("\($0.model.displayName) \($0.task.name.prefix(4)) \($0.modalities)"))}"
        }
        var body =
            "\\begin{tikzpicture}\n\\begin{axis}[width=\(Swift.min(1, 0.25 + 0.1 * Double(groups.count)))\\linewidth, height=6.5cm,"
        body +=
            " symbolic x coords={\(keys.joined(separator: ","))}, xtick={\(keys.joined(separator: ","))}, xticklabels={\(labels.joined(separator: ","))},"
        body +=
            " x tick label style={rotate=45, anchor=east, font=\\scriptsize}, ylabel={inner-fold macro-F1},"
        body +=
            " enlarge x limits=\(0.6 / Double(Swift.max(groups.count - 1, 1))), grid=major, grid style={gray!20},"
        body +=
            " yticklabel style={/pgf/number format/fixed, /pgf/number format/precision=2}, scaled y ticks=false]\n"
        for (key, g) in zip(keys, groups) {
            let color = ReportFigures.colors[g.model] ?? "black"
            let points = g.trials.filter { !$0.failed }.map {
                "(\(key), \(ReportFigures.number($0.tuning!.score)))"
            }
            body +=
                "\\addplot[only marks, mark=*, mark size=1.5pt, \(color), opacity=0.6] coordinates {\(points.joined(separator: " "))};\n"
            if let chosen = g.chosen {
                body +=
                    "\\addplot[only marks, mark=o, mark size=3.5pt, \(color)] coordinates {(\(key), \(ReportFigures.number(chosen.tuning!.score)))};\n"
            }
        }
        body += "\\end{axis}\n\\end{tikzpicture}\n"
        return ReportFigures(builder: self).figure(
            body,
            caption:
                "Hyperparameter search, \(dataText): the inner-fold macro-F1 of every trial (dots) of each model, task and subset, the chosen configuration circled. The reported split was never read during the search.",
            label: "tuning")
    }
}
