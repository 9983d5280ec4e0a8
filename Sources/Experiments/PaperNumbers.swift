import Datasets
import Vocabulary

/// Numbers quoted from the OmniMER paper (Yan et al., "OmniMER: Indonesian Multimodal Emotion
/// Recognition via Auxiliary-Enhanced LLM Adaptation", arXiv:2512.19379), Tables III-VIII,
/// shown with a dagger beside our runs and never mixed with them. Transcribed in
/// `Tests/ExperimentsTests/Fixtures/omnimer-paper.md`, which a test compares with every cell of
/// the generated tables.
///
/// The paper evaluates on IndoMER's 356-clip validation split (there is no test split) and
/// does not say how a checkpoint was selected. Per-class F1s are in this suite's class order;
/// the paper lists sentiment as Neutral, Positive, Negative.
public enum PaperNumbers {
    public struct Row: Sendable, Equatable {
        public var name: String
        public var accuracy: Double?
        public var macroF1: Double?
        public var weightedF1: Double?
        /// F1 per class, in this suite's class order.
        public var perClassF1: [Double]
    }

    /// The paper's row names, in its order. Tables IV-VI call the video row "Visual Aux".
    public static let rowNames = [
        "OmniMER Base", "OmniMER + Text Aux", "OmniMER + Video Aux", "OmniMER + Audio Aux",
        "OmniMER All Aux (Multi-stage)", "OmniMER All Aux (Hybrid)",
    ]

    /// (accuracy, macro-F1, weighted-F1) per row, then per-class F1 per row.
    static let indoMERSentiment: [(Double, Double, Double)] = [  // Table III
        (0.702, 0.506, 0.693), (0.730, 0.516, 0.711), (0.725, 0.530, 0.709),
        (0.733, 0.518, 0.714), (0.742, 0.536, 0.724), (0.744, 0.582, 0.739),
    ]
    /// Table V, in our order: negative, neutral, positive.
    static let indoMERSentimentPerClass: [[Double]] = [
        [0.396, 0.832, 0.308], [0.388, 0.837, 0.323], [0.376, 0.827, 0.387],
        [0.416, 0.839, 0.300], [0.404, 0.846, 0.358], [0.438, 0.859, 0.466],
    ]
    static let indoMEREmotion: [(Double, Double, Double)] = [  // Table IV
        (0.694, 0.233, 0.669), (0.711, 0.238, 0.667), (0.730, 0.291, 0.694),
        (0.714, 0.271, 0.675), (0.711, 0.454, 0.706), (0.739, 0.315, 0.693),
    ]
    /// Table VI: fear, disgust, anger, sadness, neutral, happiness, surprise.
    static let indoMEREmotionPerClass: [[Double]] = [
        [0.133, 0, 0.154, 0.240, 0.827, 0.276, 0], [0.250, 0, 0.087, 0.333, 0.834, 0.163, 0],
        [0.286, 0, 0.261, 0.327, 0.837, 0.327, 0], [0.400, 0, 0.095, 0.340, 0.830, 0.235, 0],
        [0.307, 0, 0, 0.379, 0.832, 0.400, 1.000], [0.286, 0.286, 0.240, 0.375, 0.848, 0.174, 0],
    ]
    /// CH-SIMS sentiment, same protocol (Table VII), and per class (Table VIII) as negative,
    /// neutral, positive; for the CH-SIMS tables.
    static let chsimsSentiment: [(Double, Double, Double)] = [
        (0.702, 0.596, 0.696), (0.735, 0.625, 0.718), (0.722, 0.609, 0.722),
        (0.730, 0.619, 0.716), (0.742, 0.628, 0.723), (0.751, 0.652, 0.738),
    ]
    static let chsimsSentimentPerClass: [[Double]] = [
        [0.813, 0.281, 0.693], [0.816, 0.315, 0.745], [0.809, 0.278, 0.741],
        [0.819, 0.304, 0.735], [0.818, 0.302, 0.764], [0.829, 0.368, 0.758],
    ]

    static func rows(_ main: [(Double, Double, Double)], _ perClass: [[Double]]) -> [Row] {
        zip(rowNames, zip(main, perClass)).map { name, values in
            Row(
                name: name, accuracy: values.0.0, macroF1: values.0.1, weightedF1: values.0.2,
                perClassF1: values.1)
        }
    }

    /// Whether the paper reports `task` on the data set named `data`: IndoMER's two tasks on
    /// IndoMER, 3-class sentiment on CH-SIMS (not on CH-SIMS v2 or anything else).
    public static func reports(_ task: ClassificationTask, data: String) -> Bool {
        switch task {
        case .sentiment, .emotion: data == DataSetName.indoMER
        case .sims3: data == DataSetName.chsims
        default: false
        }
    }

    /// OmniMER's six rows for `task` on the data named `data`; none where the paper has none.
    public static func rows(_ task: ClassificationTask, data: String) -> [Row] {
        reports(task, data: data) ? rows(task) : []
    }

    /// OmniMER's six rows for a task the paper reports (IndoMER's two, CH-SIMS 3-class); none
    /// for any other.
    public static func rows(_ task: ClassificationTask) -> [Row] {
        switch task {
        case .sentiment: rows(indoMERSentiment, indoMERSentimentPerClass)
        case .emotion: rows(indoMEREmotion, indoMEREmotionPerClass)
        case .sims3: chsims
        default: []
        }
    }

    /// The paper's tables for a task: the main one, and the per-class one with how it orders
    /// the classes; nil where it reports none.
    public static func tables(
        _ task: ClassificationTask, data: String
    ) -> (
        main: String, perClass: String
    )? {
        guard reports(task, data: data) else { return nil }
        return switch task {
        case .sentiment: ("III and V", "V, which lists the classes as neutral, positive, negative")
        case .emotion: ("IV and VI", "VI")
        case .sims3:
            ("VII and VIII", "VIII, which lists the classes as neutral, positive, negative")
        default: nil
        }
    }

    /// OmniMER's six rows on CH-SIMS 3-class sentiment (classes negative, neutral, positive).
    public static var chsims: [Row] { rows(chsimsSentiment, chsimsSentimentPerClass) }

    /// What a careful reader must know beside these rows.
    public static func note(_ task: ClassificationTask) -> String {
        if task == .sims3 {
            return
                "The paper says it used the same protocol on CH-SIMS and names neither the split nor the selection; quoted as printed, beside runs of this suite on the file's test split. "
                + mmsaCHSIMSNote
        }
        guard task == .sentiment || task == .emotion else { return "" }
        let common =
            "The OmniMER rows are the paper's, on the release's 356 validation clips, where always answering neutral scores accuracy 0.736, above most OmniMER accuracies: macro-F1 is the figure that separates models."
        return task == .sentiment
            ? common
                + " The paper's macro-F1 and the mean of its own per-class F1s differ for Base (0.506 vs 0.512) and Hybrid (0.582 vs 0.588); both are quoted as printed."
            : common
                + " Validation holds 1 surprise, 4 fear and 5 disgust clips: Multi-stage's surprise F1 of 1.000 is one clip and worth 0.143 of its macro-F1, and the mean of its per-class F1s is 0.417, not the 0.454 printed; quoted as printed."
    }

    /// MMSA's published CH-SIMS results of the same baselines trained as 3-class classifiers
    /// (thuiar/MMSA, `results/result-stat.md`, "Classification", SIMS; commit a94e65d, January
    /// 2025): accuracy and weighted F1 in percent, as printed (MFN's F1 is not printed there).
    public static let mmsaCHSIMS: [(model: ModelName, accuracy: Double, weightedF1: Double?)] = [
        (.efLSTM, 54.27, 38.18), (.lfDNN, 70.20, 65.29), (.tfn, 65.95, 62.04),
        (.mfn, 67.57, nil), (.mult, 68.27, 64.23), (.misa, 67.05, 60.98),
    ]

    /// The caption's sentence with `mmsaCHSIMS`, for context.
    static var mmsaCHSIMSNote: String {
        let values = mmsaCHSIMS.map { row in
            "\(row.model.displayName) \(String(format: "%.2f", row.accuracy))/"
                + (row.weightedF1.map { String(format: "%.2f", $0) } ?? "n/r")
        }
        return "For context, MMSA's published CH-SIMS results of these baselines trained as "
            + "3-class classifiers (thuiar/MMSA results/result-stat.md; accuracy/weighted F1 in %): "
            + values.joined(separator: ", ")
            + "; from MMSA's own splits, selection and tuning, so not comparable row by row."
    }
}
