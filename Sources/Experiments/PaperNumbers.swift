import Datasets

/// Numbers quoted from the IndoMER/OmniMER paper (Yan et al., arXiv:2512.19379), shown with a
/// dagger beside our runs and never mixed with them.
///
/// Only values confirmed from the paper's text are filled in: the abstract states OmniMER's
/// macro-F1 of 0.582 (sentiment, coarse-grained) and 0.454 (emotion, fine-grained). The other
/// cells of Tables III and IV are nil (shown as "n/t", not transcribed) until someone copies
/// them from the paper; a number is never guessed.
public enum PaperNumbers {
    public struct Row: Sendable {
        public var name: String
        public var accuracy: Double?
        public var macroF1: Double?
        public var weightedF1: Double?
    }

    public static let rowNames = [
        "OmniMER Base", "OmniMER + Text Aux", "OmniMER + Video Aux", "OmniMER + Audio Aux",
        "OmniMER All Aux (Multi-stage)", "OmniMER All Aux (Hybrid)",
    ]

    public static func rows(_ task: IndoMERTask) -> [Row] {
        let best: Double = task == .sentiment ? 0.582 : 0.454
        return rowNames.map { name in
            Row(name: name, accuracy: nil, macroF1: name.hasSuffix("(Hybrid)") ? best : nil, weightedF1: nil)
        }
    }
}
