import Autograd
import Foundation

/// A synthetic dataset of IndoMER's shape, for running the suite end to end without the release.
///
/// Deterministic from its configuration. It has the release's split sizes and its per-split
/// counts of every (sentiment, emotion) pair (so both tasks' long tails), 173 and 34 source
/// videos, per-modality sentiment labels that agree with the clip's label as often as the
/// release's do (text 67.6%, audio 60.3%, video 64.7% of training clips), the release's feature
/// widths and padded lengths, and variable true lengths: clip durations with mean 5.37 s,
/// audio at 100 frames/s and video at 25 frames/s, text 8 to 40 tokens.
///
/// Features are standard normal noise plus, on a few dimensions per modality, a prototype of
/// the clip's emotion and of that modality's own sentiment label, scaled by a per-modality
/// strength (text > video > audio) times `signal`. A good model therefore beats the majority
/// class by a wide margin, and modality subsets differ. It is marked synthetic everywhere.
public enum SyntheticIndoMER {
    public struct Configuration: Codable, Equatable, Sendable {
        public var seed: UInt64 = 2024
        /// Multiplies every modality's class signal; 0 gives pure noise.
        public var signal: Float = 1
        /// Fraction of each (sentiment, emotion, split) count kept (1 = the release's sizes);
        /// every non-empty cell keeps at least one clip.
        public var clipFraction: Double = 1
        /// Feature widths (text, audio, video); the release's by default.
        public var dims: [Modality: Int] = [.text: 768, .audio: 18, .video: 673]
        /// Frames per second of audio and video, and the padded lengths.
        public var paddedLengths: [Modality: Int] = [.text: 69, .audio: 2252, .video: 723]
        /// Scales every true length (audio, video frames and text tokens); 1 for the release's.
        public var lengthScale: Double = 1

        public init() {}

        /// A small set for tests: 5% of the clips, narrow features and short clips.
        public static var tiny: Configuration {
            var c = Configuration()
            c.clipFraction = 0.05
            c.dims = [.text: 12, .audio: 6, .video: 10]
            c.paddedLengths = [.text: 12, .audio: 60, .video: 16]
            c.lengthScale = 0.1
            return c
        }

        var description: String {
            "synthetic-indomer/1 seed=\(seed) signal=\(signal) fraction=\(clipFraction) dims=\(Modality.allCases.map { dims[$0]! }) padded=\(Modality.allCases.map { paddedLengths[$0]! }) lengthScale=\(lengthScale)"
        }
    }

    /// Clips per (sentiment, emotion) for each split, from the release's label files.
    static let jointCounts: [Split: [[Int]]] = [
        .train: [[5, 33, 69, 142, 0, 0, 0], [0, 0, 0, 0, 1054, 0, 0], [0, 0, 0, 0, 0, 278, 7]],
        .val: [[4, 5, 13, 32, 0, 0, 0], [0, 0, 0, 0, 262, 0, 0], [0, 0, 0, 0, 0, 39, 1]],
    ]
    static let sourceVideos: [Split: Int] = [.train: 173, .val: 34]
    /// How often each modality's sentiment label equals the clip's, in the release's train split.
    static let modalityAgreement: [Modality: Double] = [.text: 0.676, .audio: 0.603, .video: 0.647]
    /// Relative signal per modality: text carries the most, audio the least.
    static let modalityStrength: [Modality: Float] = [.text: 1.0, .audio: 0.45, .video: 0.7]
    /// Dimensions that carry signal, per modality (the rest is noise).
    static let signalDims = 8
    static let meanSeconds = 5.37

    public static func generate(_ config: Configuration = Configuration()) -> IndoMERDataset {
        let generator = Generator(seed: config.seed)
        let clips = makeClips(config, generator)
        var features: [Modality: RaggedFeatures] = [:]
        for m in Modality.allCases {
            features[m] = makeFeatures(m, clips: clips, config: config, generator: generator.split())
        }
        var hasher = SHA256()
        hasher.update(config.description)
        var dataset = IndoMERDataset(
            clips: clips, features: features, normalization: [:], isSynthetic: true,
            fingerprint: hasher.finalize(), source: config.description)
        dataset.standardize()
        return dataset
    }

    private static func makeClips(_ config: Configuration, _ generator: Generator) -> [Clip] {
        var clips: [Clip] = []
        for split in Split.allCases {
            var labels: [(Int, Int)] = []
            for (s, row) in jointCounts[split]!.enumerated() {
                for (e, count) in row.enumerated() where count > 0 {
                    let kept = Swift.max(1, Int((Double(count) * config.clipFraction).rounded()))
                    labels += [(Int, Int)](repeating: (s, e), count: kept)
                }
            }
            var rng = generator  // a reference: the shuffle advances the shared generator
            labels.shuffle(using: &rng)
            let videos = Swift.max(1, Int((Double(sourceVideos[split]!) * Swift.min(1, config.clipFraction * 4)).rounded()))
            var perVideo = [Int](repeating: 0, count: videos)
            for (s, e) in labels {
                let v = generator.int(below: videos)
                perVideo[v] += 1
                let video = "synthetic_\(split.rawValue)\(v + 1)_Video"
                var modality: [Modality: Int] = [:]
                for m in Modality.allCases {
                    modality[m] = generator.uniform() < modalityAgreement[m]! ? s : disagreeing(s, generator)
                }
                clips.append(Clip(id: "\(video)_\(perVideo[v])", sourceVideo: video, split: split, sentiment: s, emotion: e, modalitySentiment: modality))
            }
        }
        return clips
    }

    /// A sentiment other than `s`: mostly neutral when `s` is not, else negative or positive.
    private static func disagreeing(_ s: Int, _ generator: Generator) -> Int {
        if s != 1 { return generator.uniform() < 0.8 ? 1 : 2 - s }
        return generator.uniform() < 0.5 ? 0 : 2
    }

    private static func trueLength(_ m: Modality, seconds: Double, config: Configuration, generator: Generator) -> Int {
        let padded = config.paddedLengths[m]!
        let frames: Double = switch m {
        case .text: Double(8 + generator.int(below: 33))  // 8 ... 40 tokens
        case .audio: seconds * 100
        case .video: seconds * 25
        }
        return Swift.min(padded, Swift.max(1, Int((frames * config.lengthScale).rounded())))
    }

    private static func makeFeatures(_ m: Modality, clips: [Clip], config: Configuration, generator: Generator) -> RaggedFeatures {
        let dim = config.dims[m]!
        let k = Swift.min(signalDims, dim)
        // One prototype per emotion and per sentiment on the signal dimensions.
        let emotionPrototypes = (0..<7).map { _ in (0..<k).map { _ in Float(generator.normal()) } }
        let sentimentPrototypes = (0..<3).map { _ in (0..<k).map { _ in Float(generator.normal()) } }
        let strength = modalityStrength[m]! * config.signal
        var offsets = [0]
        var lengths: [Int] = []
        for _ in clips {
            // Durations: a log-normal with mean 5.37 s (σ = 0.35), kept within 1.5 ... 9 s.
            let sigma = 0.35
            let seconds = Swift.min(9, Swift.max(1.5, meanSeconds * Foundation.exp(sigma * generator.normal() - sigma * sigma / 2)))
            let length = trueLength(m, seconds: seconds, config: config, generator: generator)
            lengths.append(length)
            offsets.append(offsets.last! + length)
        }
        var data = [Float](repeating: 0, count: offsets.last! * dim)
        data.withUnsafeMutableBufferPointer { out in
            for (c, clip) in clips.enumerated() {
                let e = emotionPrototypes[clip.emotion]
                let s = sentimentPrototypes[clip.modalitySentiment[m] ?? clip.sentiment]
                for row in offsets[c]..<offsets[c + 1] {
                    let base = row * dim
                    for d in 0..<dim { out[base + d] = Float(generator.normal()) }
                    for d in 0..<k { out[base + d] += strength * (e[d] + s[d]) }
                }
            }
        }
        return RaggedFeatures(dim: dim, paddedLength: config.paddedLengths[m]!, offsets: offsets, data: data)
    }
}
