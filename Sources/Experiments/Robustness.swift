import Datasets
import Foundation
import Vocabulary

/// One documented test-time condition of the robustness evaluation: the selected weights are
/// evaluated on the reported split with modalities removed, with Gaussian noise on one
/// modality's standardised features, or with frames dropped at random in every modality.
///
/// A removed modality has no frames (length 0); what each model then does is documented in
/// its file and `Batcher.batch`. Noise σ is in units of each feature's training-split standard
/// deviation, added to each step a model receives (after MulT's audio pooling). Every
/// condition's perturbation is seeded from its name alone, so every model and seed sees the
/// same perturbed clips (a paired comparison) and a record evaluated twice gives the same
/// metrics.
public struct RobustnessCondition: Codable, Hashable, Sendable {
    public enum Kind: String, Codable, Sendable {
        case removed, noise
        case frameDrop = "frame-drop"
    }

    public var kind: Kind
    /// The modalities it touches (`A`, `TA`); empty for frame drops, which touch all.
    public var modalities: String
    /// Noise σ or the fraction of frames dropped; 1 for a removal.
    public var level: Double

    public init(kind: Kind, modalities: String, level: Double) {
        self.kind = kind
        self.modalities = modalities
        self.level = level
    }

    /// Noise levels (σ in feature standard deviations), equally spaced as MultiBench's, so the
    /// area under a model's curve from 0 (clean) to 1 is its relative robustness.
    public static let noiseLevels = [0.2, 0.4, 0.6, 0.8, 1.0]
    public static let dropLevels = [0.25, 0.5, 0.75]

    /// `remove A`, `noise V 0.4`, `drop 0.25`.
    public var name: String {
        switch kind {
        case .removed: "remove \(modalities)"
        case .noise: "noise \(modalities) \(level)"
        case .frameDrop: "drop \(level)"
        }
    }

    /// For a run on `modalities`: each modality removed and each pair removed (never all),
    /// noise on each modality at every level, and every frame-drop level.
    public static func standard(for modalities: [Modality]) -> [RobustnessCondition] {
        let letters = modalities.map { String($0.letter) }
        var conditions: [RobustnessCondition] = []
        if letters.count >= 2 {
            conditions += letters.map {
                RobustnessCondition(kind: .removed, modalities: $0, level: 1)
            }
        }
        if letters.count == 3 {
            conditions += [(0, 1), (0, 2), (1, 2)].map {
                RobustnessCondition(
                    kind: .removed, modalities: letters[$0.0] + letters[$0.1], level: 1)
            }
        }
        for m in letters {
            conditions += noiseLevels.map {
                RobustnessCondition(kind: .noise, modalities: m, level: $0)
            }
        }
        conditions += dropLevels.map {
            RobustnessCondition(kind: .frameDrop, modalities: "", level: $0)
        }
        return conditions
    }

    var touched: [Modality] {
        modalities.compactMap { c in Modality.allCases.first { $0.letter == c } }
    }

    /// The batch perturbation, seeded from the condition's name (for noise, without the level:
    /// every level scales the same draws, so a model's noise curve is not noisier than its data).
    public var perturbation: InputPerturbation {
        var h = SHA256()
        h.update(kind == .noise ? "noise \(modalities)" : name)
        let seed = UInt64(h.finalize().prefix(16), radix: 16)!
        switch kind {
        case .removed: return InputPerturbation(removed: Set(touched), seed: seed)
        case .noise:
            return InputPerturbation(
                noise: Dictionary(uniqueKeysWithValues: touched.map { ($0, level) }), seed: seed)
        case .frameDrop: return InputPerturbation(frameDrop: level, seed: seed)
        }
    }
}

/// A condition and the metrics the selected weights reached under it.
public struct RobustnessResult: Codable, Equatable, Sendable {
    public var condition: RobustnessCondition
    public var metrics: ClassificationMetrics

    public init(condition: RobustnessCondition, metrics: ClassificationMetrics) {
        self.condition = condition
        self.metrics = metrics
    }
}

/// MultiBench's robustness summaries of a performance-versus-noise curve (Liang et al.,
/// "MultiBench", NeurIPS 2021 Datasets and Benchmarks; its `eval_scripts/robustness.py`),
/// before the min-max normalisation across methods that MultiBench applies.
public enum RobustnessSummary {
    /// Relative robustness: the trapezoidal area under the curve of `scores` over `levels`
    /// (both starting with the clean score at level 0).
    public static func relative(levels: [Double], scores: [Double]) -> Double {
        var area = 0.0
        for i in 1..<Swift.min(levels.count, scores.count) {
            area += (levels[i] - levels[i - 1]) * (scores[i] + scores[i - 1]) / 2
        }
        return area
    }

    /// Effective robustness: the summed excess of `scores` over the late-fusion reference's
    /// curve shifted to start at this model's clean score, `Σ_i f_i − (lf_i + f_0 − lf_0)`.
    public static func effective(scores: [Double], lateFusion: [Double]) -> Double {
        var sum = 0.0
        for (f, lf) in zip(scores, lateFusion) { sum += f - (lf + scores[0] - lateFusion[0]) }
        return sum
    }
}
