import Vocabulary

/// How MMSA 2.2.1 turns a regression score into a class (`MMSA/utils/metricsTop.py`; read and
/// run in `docs/mmsa-2.2.1.md`), for the tasks of MMSA's data sets.
///
/// Concretely, in `Float` as MMSA computes (its scores are float32 and NumPy compares them with
/// float32 constants):
/// - CH-SIMS: `x = clip(score, −1, 1)`, class = the number of inner bin edges `e` with `x > e`:
///   2 classes `[0]`, 3 classes `[−0.1, 0.1]`, 5 classes `[−0.7, −0.1, 0.1, 0.7]` (bins
///   `(a, b]`, so exactly −0.1 is negative and exactly 0 is negative in 2 classes).
/// - CMU-MOSI/MOSEI: negative or not, class 1 when `score ≥ 0` (0 is non-negative); negative or
///   positive, class 1 when `score > 0`, and a clip whose *label* is exactly 0 has no class (MMSA
///   leaves it out); 5 and 7 classes: the score clipped to ±2 or ±3 and rounded half to even
///   (NumPy's `round`: 2.5 → 2), shifted to start at 0.
///
/// A NaN score has no class. Checked against MMSA's own metric functions on 1,281 values, bin
/// edges and their float32 neighbours included (`make_mmsa_label_fixtures.py`).
public enum MMSALabels {
    /// The class MMSA gives a score (a prediction's reading; a label's is `classIndex(ofLabel:)`).
    public static func classIndex(ofScore score: Float, task: ClassificationTask) -> Int? {
        guard !score.isNaN else { return nil }
        func bins(_ edges: [Float]) -> Int {
            let x = Swift.min(Swift.max(score, -1), 1)
            return edges.filter { x > $0 }.count
        }
        func rounded(_ limit: Float) -> Int {
            Int(Swift.min(Swift.max(score, -limit), limit).rounded(.toNearestOrEven) + limit)
        }
        switch task {
        case .sims2: return bins([0])
        case .sims3: return bins([-0.1, 0.1])
        case .sims5: return bins([-0.7, -0.1, 0.1, 0.7])
        case .cmuHas0: return score >= 0 ? 1 : 0
        case .cmuNon0: return score > 0 ? 1 : 0
        case .cmu5: return rounded(2)
        case .cmu7: return rounded(3)
        default: return nil
        }
    }

    /// The class of a clip's regression label; nil where MMSA leaves the clip out of the task
    /// (a label of exactly 0 for negative-or-positive) or the label is NaN.
    public static func classIndex(ofLabel label: Float, task: ClassificationTask) -> Int? {
        if task == .cmuNon0 && label == 0 { return nil }
        return classIndex(ofScore: label, task: task)
    }
}
