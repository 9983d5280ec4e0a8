/// Classification metrics from predictions, as scikit-learn computes them with
/// `labels=range(C)` and `zero_division=0`: a precision or recall whose denominator is 0
/// counts as 0, so a class absent from both truth and predictions has F1 = 0 and still counts
/// in the macro average (over all C classes).
///
/// reference: https://scikit-learn.org/stable/modules/generated/sklearn.metrics.precision_recall_fscore_support.html
public struct ClassificationMetrics: Codable, Equatable, Sendable {
    public struct PerClass: Codable, Equatable, Sendable {
        public var precision: Double
        public var recall: Double
        public var f1: Double
        public var support: Int
    }

    public var accuracy: Double
    public var macroF1: Double
    public var weightedF1: Double
    public var perClass: [PerClass]
    /// `confusion[true][predicted]`.
    public var confusion: [[Int]]

    public init(truth: [Int], predictions: [Int], classes: Int) {
        precondition(
            truth.count == predictions.count,
            "\(truth.count) labels, \(predictions.count) predictions")
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
        for (t, p) in zip(truth, predictions) { confusion[t][p] += 1 }
        self.init(confusion: confusion)
    }

    /// The metrics of a confusion matrix (`confusion[true][predicted]`, square).
    public init(confusion: [[Int]]) {
        let classes = confusion.count
        self.confusion = confusion
        let n = confusion.joined().reduce(0, +)
        accuracy =
            n == 0 ? 0 : Double((0..<classes).map { confusion[$0][$0] }.reduce(0, +)) / Double(n)
        perClass = (0..<classes).map { c in
            let tp = Double(confusion[c][c])
            let predicted = Double((0..<classes).map { confusion[$0][c] }.reduce(0, +))
            let support = confusion[c].reduce(0, +)
            let precision = predicted == 0 ? 0 : tp / predicted
            let recall = support == 0 ? 0 : tp / Double(support)
            let f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
            return PerClass(precision: precision, recall: recall, f1: f1, support: support)
        }
        macroF1 = classes == 0 ? 0 : perClass.map(\.f1).reduce(0, +) / Double(classes)
        weightedF1 =
            n == 0 ? 0 : perClass.map { $0.f1 * Double($0.support) }.reduce(0, +) / Double(n)
    }

    /// Balanced accuracy (unweighted average recall) as scikit-learn's
    /// `balanced_accuracy_score`: the mean recall over the classes present in the truth (a class
    /// with no true clip has no recall and is left out, not counted as 0).
    public var balancedAccuracy: Double {
        let present = perClass.filter { $0.support > 0 }
        return present.isEmpty ? 0 : present.map(\.recall).reduce(0, +) / Double(present.count)
    }
}
