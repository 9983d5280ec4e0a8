import Datasets
import Foundation

/// SVG figures (no plotting dependency): the confusion matrix of the best model per task and
/// the inner-fold training curves of every model.
struct Figures {
    let builder: ReportBuilder

    func write(to directory: String) throws -> [String] {
        var written: [String] = []
        for task in builder.tasks {
            let subset = builder.mainSubset(task)
            let trained = builder.models(task).filter { !$0.isReference }
            let best = trained.max { a, b in
                Statistics.mean(builder.runs(task, subset, a).map(\.metrics!.macroF1)) < Statistics.mean(builder.runs(task, subset, b).map(\.metrics!.macroF1))
            }
            if let best {
                let runs = builder.runs(task, subset, best)
                var total = [[Int]](repeating: [Int](repeating: 0, count: task.classCount), count: task.classCount)
                for r in runs { for i in 0..<task.classCount { for j in 0..<task.classCount { total[i][j] += r.metrics!.confusion[i][j] } } }
                let path = "\(directory)/confusion_\(task.rawValue).svg"
                try confusion(total, classes: task.classNames, title: "\(best.displayName), \(task.rawValue), \(subset) (\(runs.count) seed(s) summed)\(builder.synthetic ? " — SYNTHETIC data" : "")").write(toFile: path, atomically: true, encoding: .utf8)
                written.append(path)
            }
            let curves = trained.compactMap { m -> (String, [Double])? in
                guard let r = builder.runs(task, subset, m).first, !r.curve.isEmpty else { return nil }
                return (m.displayName, r.curve.map(\.foldMacroF1))
            }
            if !curves.isEmpty {
                let path = "\(directory)/curves_\(task.rawValue).svg"
                try curvesSVG(curves, title: "Inner-fold macro-F1 by epoch, \(task.rawValue), \(subset), first seed\(builder.synthetic ? " — SYNTHETIC data" : "")").write(toFile: path, atomically: true, encoding: .utf8)
                written.append(path)
            }
        }
        return written
    }

    func confusion(_ m: [[Int]], classes: [String], title: String) -> String {
        let cell = 56, left = 110, top = 60
        let n = classes.count
        let width = left + n * cell + 20, height = top + n * cell + 90
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" font-family=\"sans-serif\" font-size=\"12\">\n"
        s += "<text x=\"10\" y=\"20\" font-size=\"13\">\(xml(title))</text>\n<text x=\"10\" y=\"40\">rows: true class; columns: predicted (share of the row)</text>\n"
        for i in 0..<n {
            let rowTotal = Swift.max(m[i].reduce(0, +), 1)
            s += "<text x=\"\(left - 6)\" y=\"\(top + i * cell + cell / 2 + 4)\" text-anchor=\"end\">\(xml(classes[i]))</text>\n"
            for j in 0..<n {
                let share = Double(m[i][j]) / Double(rowTotal)
                let shade = Int(255 - 200 * share)
                s += "<rect x=\"\(left + j * cell)\" y=\"\(top + i * cell)\" width=\"\(cell)\" height=\"\(cell)\" fill=\"rgb(\(shade),\(shade),255)\" stroke=\"white\"/>\n"
                s += "<text x=\"\(left + j * cell + cell / 2)\" y=\"\(top + i * cell + cell / 2 + 4)\" text-anchor=\"middle\">\(m[i][j])</text>\n"
            }
        }
        for j in 0..<n {
            s += "<text transform=\"translate(\(left + j * cell + cell / 2),\(top + n * cell + 12)) rotate(40)\">\(xml(classes[j]))</text>\n"
        }
        return s + "</svg>\n"
    }

    func curvesSVG(_ curves: [(String, [Double])], title: String) -> String {
        let (w, h, left, top) = (560, 300, 50, 40)
        let epochs = Swift.max(curves.map(\.1.count).max() ?? 1, 2)
        let colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(w + left + 150)\" height=\"\(h + top + 40)\" font-family=\"sans-serif\" font-size=\"12\">\n"
        s += "<text x=\"10\" y=\"20\" font-size=\"13\">\(xml(title))</text>\n"
        s += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(w)\" height=\"\(h)\" fill=\"none\" stroke=\"#888\"/>\n"
        for tick in stride(from: 0.0, through: 1.0, by: 0.25) {
            let y = Double(top) + Double(h) * (1 - tick)
            s += "<text x=\"\(left - 6)\" y=\"\(Int(y) + 4)\" text-anchor=\"end\">\(String(format: "%.2f", tick))</text>\n"
        }
        s += "<text x=\"\(left + w / 2)\" y=\"\(top + h + 30)\" text-anchor=\"middle\">epoch (1 to \(epochs))</text>\n"
        for (k, (name, values)) in curves.enumerated() {
            let points = values.enumerated().map { i, v in
                "\(Double(left) + Double(w) * Double(i) / Double(epochs - 1)),\(Double(top) + Double(h) * (1 - v))"
            }.joined(separator: " ")
            let color = colors[k % colors.count]
            s += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(points)\"/>\n"
            s += "<text x=\"\(left + w + 10)\" y=\"\(top + 16 * (k + 1))\" fill=\"\(color)\">\(xml(name))</text>\n"
        }
        return s + "</svg>\n"
    }

    func xml(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
