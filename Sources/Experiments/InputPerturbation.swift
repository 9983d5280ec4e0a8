import Autograd
import Vocabulary

/// A documented change to a batch's inputs, for the robustness evaluation: modalities
/// removed, Gaussian noise on a modality's standardised features, or a fraction of frames
/// dropped at random in every modality. Seeded per clip and modality, so the same condition
/// gives the same inputs in any batch order.
public struct InputPerturbation: Sendable, Equatable {
    /// Modalities whose frames are all treated as padding (length 0, features 0).
    public var removed: Set<Modality> = []
    /// σ of zero-mean Gaussian noise added to each feature of each step a model receives (after
    /// audio pooling), per modality, in units of the feature's training-split standard
    /// deviation (features are standardised). The draws depend on the seed, clip and modality
    /// only, so levels of one seed scale the same draws.
    public var noise: [Modality: Double] = [:]
    /// Each frame (token) of every modality is dropped with this probability; a clip keeps at
    /// least one frame per modality.
    public var frameDrop: Double = 0
    public var seed: UInt64 = 0

    public static let none = InputPerturbation()

    public init(
        removed: Set<Modality> = [], noise: [Modality: Double] = [:], frameDrop: Double = 0,
        seed: UInt64 = 0
    ) {
        self.removed = removed
        self.noise = noise
        self.frameDrop = frameDrop
        self.seed = seed
    }

    func generator(clip: Int, modality: Modality, stream: UInt64) -> Generator {
        let m = UInt64(Modality.allCases.firstIndex(of: modality)!)
        return Generator(
            seed: seed ^ (UInt64(clip) &* 0x9E37_79B9_7F4A_7C15) ^ (m << 56) ^ (stream << 60))
    }

    func noiseGenerator(clip: Int, modality: Modality) -> Generator {
        generator(clip: clip, modality: modality, stream: 1)
    }

    /// The frames of a clip that stay: nil for all of them, or each kept with probability
    /// 1 − `frameDrop` (one drawn at random when none would).
    func keptFrames(_ length: Int, clip: Int, modality: Modality) -> [Int]? {
        guard frameDrop > 0, length > 0 else { return nil }
        let g = generator(clip: clip, modality: modality, stream: 2)
        let kept = (0..<length).filter { _ in g.uniform() >= frameDrop }
        return kept.isEmpty ? [g.int(below: length)] : kept
    }
}
