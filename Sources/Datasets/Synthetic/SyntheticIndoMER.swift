import Autograd
import Foundation
import Vocabulary

/// A synthetic dataset of IndoMER's shape and label structure, for running the suite end to
/// end without the release. Deterministic from its configuration; marked synthetic everywhere.
///
/// **Labels.** Each split reproduces the release's joint counts of (emotion, text label, audio
/// label, video label) exactly (`jointCounts`, counted from the public label files by
/// `Tests/Fixtures/Reference/count_release_labels.py`); the overall sentiment follows from the
/// emotion as in the release. So the per-modality agreement rates (train: text 67.6%, audio
/// 60.3%, video 64.7%), the agreement groups (all agree 520 training clips, two or more disagree
/// 508) and both tasks' long tails are the release's. Clips are spread over 173 and 34 source
/// videos with the release's skew (a few videos with one clip, some with 20-40).
///
/// **Each modality carries its own label.** A modality expresses its own sentiment label and
/// an emotion consistent with it (the clip's emotion when its label agrees with the clip's,
/// else neutral, happiness, or a negative emotion drawn by the release's frequencies). A clip
/// whose modalities disagree is hard for a unimodal model; its overall label comes from the
/// combination (positive words with negative prosody read as negative, and so on): in 508 of
/// the 1,588 training clips (32%) two or more modalities disagree with the overall label, and
/// in 131 (8.2%) none of them carries it. With perfect knowledge of the three modality labels,
/// the best rule (the commonest training label of each combination) reaches sentiment
/// macro-F1 0.61 on the validation split. In addition, with probability `overallCueRate` one of a
/// clip's events carries the clip's own (overall) labels instead, in a modality drawn at random and
/// with prototypes of its own: the annotators' overall judgement, which no modality label states.
///
/// **Signal in time.** The class evidence sits in a few events per clip (1-3 stretches of
/// tokens or frames, at random positions; text 1-3 tokens, audio 0.2-0.6 s, video 0.2-0.6 s),
/// in a fraction `eventRate` of clips per modality, over a background without class
/// information (per source video and per clip offsets, and frame noise correlated in time for
/// audio and video). Averaging over time dilutes the evidence; a sequence model can find it.
///
/// **Feature statistics** resemble the extractors' (see `AudioColumns`, `VideoColumns`,
/// `TextColumns`): GeMAPS low-level descriptors in their physical units (F0 in semitones, 0
/// when unvoiced; formant amplitudes -201 when unvoiced; loudness, jitter, shimmer, HNR,
/// formant frequencies), OpenFace rows (face id, timestamp, confidence, success, gaze, eye and
/// face landmarks in pixels and millimetres, head pose, action-unit intensities in [0, 5] and
/// presence flags in {0, 1}) and BERT-like token vectors (element spread 0.45 around
/// per-dimension offsets, two outlier dimensions, a near-constant [CLS] and [SEP]). The
/// dataset is then standardised with training-split statistics, as the release is.
///
/// `signal` scales every event's class evidence (0 gives labels without evidence).
public enum SyntheticIndoMER {
    /// The data fingerprint of the set `config` makes (known without making it).
    public static func fingerprint(_ config: Configuration) -> String {
        var hasher = SHA256()
        hasher.update(config.description)
        return hasher.finalize()
    }

    /// Changes whenever the generated data change: it is in the description, hence in the
    /// fingerprint, every run's identity and every caption.
    public static let version = 2

    public struct Configuration: Codable, Equatable, Sendable {
        public var seed: UInt64 = 2024
        /// Multiplies every event's class evidence; 0 gives pure noise.
        public var signal: Float = 1
        /// Fraction of each label cell's count kept (1 = the release's sizes); every non-empty
        /// cell keeps at least one clip.
        public var clipFraction: Double = 1
        /// Feature widths (text, audio, video); the release's by default.
        public var dims: [Modality: Int] = [.text: 768, .audio: 18, .video: 673]
        /// The padded lengths.
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
            let dims = Modality.allCases.map { self.dims[$0]! }
            let padded = Modality.allCases.map { paddedLengths[$0]! }
            return "synthetic-indomer/\(SyntheticIndoMER.version) seed=\(seed) signal=\(signal) "
                + "fraction=\(clipFraction) dims=\(dims) padded=\(padded) "
                + "lengthScale=\(lengthScale)"
        }
    }

    /// Where a clip's class evidence sits in one modality: its events' frame ranges, and the
    /// labels they carry.
    public struct Event: Equatable, Sendable {
        public var frames: Range<Int>
        public var sentiment: Int
        public var emotion: Int
        /// True when the event carries the clip's overall labels rather than the modality's own.
        public var overall: Bool
    }

    /// The generated data before standardisation, with every clip's events per modality.
    public struct Generated: Sendable {
        public var dataset: IndoMERDataset
        public var events: [Modality: [[Event]]]
    }

    // MARK: - Tables (data, not control flow)

    /// Clips per (emotion, text label, audio label, video label) in each split of the release,
    /// printed by `Tests/Fixtures/Reference/count_release_labels.py` from the public label files.
    /// Classes in the suite's order (sentiment negative, neutral, positive; emotion fear, disgust,
    /// anger, sadness, neutral, happiness, surprise).
    public static let jointCounts: [Split: [(e: Int, t: Int, a: Int, v: Int, n: Int)]] = [
        .train: [
            (0, 0, 0, 0, 5), (1, 0, 0, 0, 9), (1, 0, 0, 1, 1), (1, 0, 2, 0, 1), (1, 0, 2, 1, 3),
            (1, 0, 2, 2, 3), (1, 1, 0, 0, 1), (1, 1, 0, 1, 3), (1, 1, 1, 0, 2), (1, 1, 2, 0, 2),
            (1, 1, 2, 1, 2), (1, 1, 2, 2, 2), (1, 2, 0, 1, 1), (1, 2, 1, 1, 1), (1, 2, 1, 2, 1),
            (1, 2, 2, 1, 1), (2, 0, 0, 0, 31), (2, 0, 0, 1, 1), (2, 0, 0, 2, 2), (2, 0, 1, 0, 7),
            (2, 0, 1, 2, 2), (2, 0, 2, 0, 2), (2, 0, 2, 1, 2), (2, 0, 2, 2, 1), (2, 1, 0, 0, 17),
            (2, 1, 0, 2, 1), (2, 1, 1, 0, 1), (2, 2, 0, 0, 1), (2, 2, 0, 2, 1), (3, 0, 0, 0, 26),
            (3, 0, 1, 0, 5), (3, 0, 1, 1, 14), (3, 0, 1, 2, 5), (3, 0, 2, 0, 1), (3, 0, 2, 1, 2),
            (3, 0, 2, 2, 4), (3, 1, 0, 0, 35), (3, 1, 1, 0, 5), (3, 1, 1, 1, 14), (3, 1, 1, 2, 7),
            (3, 1, 2, 1, 5), (3, 1, 2, 2, 8), (3, 2, 0, 0, 6), (3, 2, 1, 0, 2), (3, 2, 1, 2, 1),
            (3, 2, 2, 2, 2), (4, 0, 0, 0, 17), (4, 0, 0, 1, 3), (4, 0, 1, 0, 8), (4, 0, 1, 1, 39),
            (4, 0, 1, 2, 6), (4, 0, 2, 1, 12), (4, 0, 2, 2, 6), (4, 1, 0, 0, 17), (4, 1, 0, 1, 14),
            (4, 1, 0, 2, 3), (4, 1, 1, 0, 11), (4, 1, 1, 1, 386), (4, 1, 1, 2, 103),
            (4, 1, 2, 0, 8),
            (4, 1, 2, 1, 141), (4, 1, 2, 2, 138), (4, 2, 0, 0, 6), (4, 2, 0, 1, 3), (4, 2, 0, 2, 1),
            (4, 2, 1, 0, 4), (4, 2, 1, 1, 57), (4, 2, 1, 2, 22), (4, 2, 2, 0, 1), (4, 2, 2, 1, 22),
            (4, 2, 2, 2, 26), (5, 0, 0, 0, 1), (5, 0, 0, 2, 1), (5, 0, 1, 0, 1), (5, 0, 1, 1, 1),
            (5, 0, 2, 1, 1), (5, 0, 2, 2, 6), (5, 1, 0, 0, 1), (5, 1, 1, 1, 23), (5, 1, 1, 2, 21),
            (5, 1, 2, 0, 1), (5, 1, 2, 1, 17), (5, 1, 2, 2, 80), (5, 2, 0, 0, 4), (5, 2, 1, 1, 31),
            (5, 2, 1, 2, 18), (5, 2, 2, 1, 9), (5, 2, 2, 2, 62), (6, 0, 1, 0, 1), (6, 0, 2, 2, 2),
            (6, 1, 0, 0, 1), (6, 1, 1, 0, 1), (6, 1, 2, 0, 1), (6, 2, 2, 2, 1),
        ],
        .val: [
            (0, 0, 0, 0, 2), (0, 0, 2, 2, 2), (1, 1, 0, 0, 1), (1, 1, 0, 2, 1), (1, 1, 2, 0, 3),
            (2, 0, 0, 0, 2), (2, 0, 2, 0, 2), (2, 0, 2, 2, 1), (2, 1, 0, 0, 4), (2, 1, 1, 1, 3),
            (2, 2, 0, 1, 1), (3, 0, 0, 0, 8), (3, 0, 1, 0, 1), (3, 0, 1, 1, 3), (3, 0, 1, 2, 2),
            (3, 1, 0, 0, 2), (3, 1, 1, 1, 10), (3, 1, 1, 2, 1), (3, 1, 2, 1, 1), (3, 2, 0, 0, 1),
            (3, 2, 2, 2, 3), (4, 0, 0, 0, 1), (4, 0, 0, 1, 1), (4, 0, 1, 0, 5), (4, 0, 1, 1, 8),
            (4, 0, 2, 0, 4), (4, 0, 2, 1, 4), (4, 0, 2, 2, 1), (4, 1, 0, 0, 3), (4, 1, 0, 1, 10),
            (4, 1, 1, 0, 9), (4, 1, 1, 1, 88), (4, 1, 1, 2, 40), (4, 1, 2, 0, 6), (4, 1, 2, 1, 31),
            (4, 1, 2, 2, 20), (4, 2, 0, 1, 2), (4, 2, 1, 1, 15), (4, 2, 1, 2, 6), (4, 2, 2, 1, 4),
            (4, 2, 2, 2, 4), (5, 0, 1, 1, 1), (5, 0, 2, 2, 1), (5, 1, 1, 1, 1), (5, 1, 1, 2, 4),
            (5, 1, 2, 1, 1), (5, 1, 2, 2, 9), (5, 2, 1, 0, 1), (5, 2, 1, 1, 3), (5, 2, 1, 2, 8),
            (5, 2, 2, 2, 10), (6, 2, 2, 2, 1),
        ],
    ]

    /// The overall sentiment of an emotion, as in the release (fear, disgust, anger, sadness are
    /// negative; happiness and surprise positive).
    public static func sentiment(ofEmotion e: Int) -> Int { e < 4 ? 0 : (e == 4 ? 1 : 2) }

    static let sourceVideos: [Split: Int] = [.train: 173, .val: 34]
    /// Spread of clips over source videos: each video's share is log-normal with this σ (the
    /// release's train split: 1 to 34 clips a video, median 7).
    static let videoShareSigma = 0.75
    /// Fraction of clips with at least one class event, per modality.
    public static let eventRate: [Modality: Double] = [.text: 0.9, .audio: 0.75, .video: 0.85]
    /// Chance that one of a clip's events carries the clip's overall labels.
    public static let overallCueRate = 0.6
    /// Class evidence per event in latent units, per modality (text > video > audio), times
    /// `signal`.
    static let strength: [Modality: Float] = [.text: 6, .audio: 3.6, .video: 2.4]
    /// An event's length in frames at `lengthScale` 1: text tokens, audio at 100/s, video at 25/s.
    static let eventLength: [Modality: ClosedRange<Int>] = [
        .text: 1...3, .audio: 20...60, .video: 5...15,
    ]
    /// Correlation of the background noise between neighbouring frames.
    static let noiseCorrelation: [Modality: Float] = [.text: 0, .audio: 0.7, .video: 0.85]
    /// Spread of the per-source-video and per-clip offsets of the latent background.
    static let speakerSpread: Float = 0.4
    static let clipSpread: Float = 0.2
    static let meanSeconds = 5.37

    // MARK: - Columns

    /// How a column's value follows from its latent value `z` (background plus evidence).
    enum ColumnKind: Sendable {
        /// mean + sd·z, clamped to [lo, hi].
        case linear
        /// mean·exp(sd·z), clamped.
        case logNormal
        /// linear when the frame is voiced, the given value when not (F0 0, amplitudes -201).
        case voiced(Float)
        /// logNormal when voiced, 0 when not (jitter, shimmer).
        case voicedLogNormal
        /// linear when voiced, near zero in pauses.
        case loudness
        /// max(0, mean + sd·z), at most hi: many exact zeros (action-unit intensities).
        case intensity
        /// 1 when z > mean, else 0 (action-unit presence, tracking success).
        case presence
        /// Always mean (OpenFace's face id).
        case constant
        /// The frame's time in seconds at 25 frames/s.
        case timestamp
        /// The clip's base position on axis k (0, 1: image x, y in pixels; 2, 3, 4: X, Y, Z in
        /// mm) plus mean (a landmark's offset in a face template) plus sd·z.
        case position(Int)
    }

    struct Column: Sendable {
        var kind: ColumnKind
        var mean: Float
        var sd: Float
        var lo: Float = -.greatestFiniteMagnitude
        var hi: Float = .greatestFiniteMagnitude
        /// Carries class evidence during events.
        var expressive = false
    }

    /// GeMAPS v01b low-level descriptors, in openSMILE's column order (units as it writes them).
    static let audioColumns: [Column] = [
        // Loudness_sma3
        Column(kind: .loudness, mean: 0.9, sd: 0.5, lo: 0.02, hi: 4, expressive: true),
        // alphaRatio (dB)
        Column(kind: .linear, mean: -15, sd: 8, lo: -30, hi: 25, expressive: true),
        // hammarbergIndex (dB)
        Column(kind: .linear, mean: 24, sd: 10, lo: -15, hi: 45, expressive: true),
        Column(kind: .linear, mean: -0.01, sd: 0.04, lo: -0.1, hi: 0.2),  // slope0-500
        Column(kind: .linear, mean: -0.012, sd: 0.015, lo: -0.1, hi: 0.05),  // slope500-1500
        // F0 (semitones from 27.5 Hz)
        Column(kind: .voiced(0), mean: 30, sd: 4, lo: 12, hi: 62, expressive: true),
        // jitterLocal
        Column(kind: .voicedLogNormal, mean: 0.03, sd: 0.8, lo: 0, hi: 0.5, expressive: true),
        // shimmerLocaldB
        Column(kind: .voicedLogNormal, mean: 1.2, sd: 0.6, lo: 0, hi: 6, expressive: true),
        // HNRdBACF (dB)
        Column(kind: .voiced(0), mean: 4, sd: 4.5, lo: -40, hi: 15, expressive: true),
        Column(kind: .voiced(0), mean: 5, sd: 10, lo: -40, hi: 50),  // logRelF0-H1-H2 (dB)
        Column(kind: .voiced(0), mean: 20, sd: 15, lo: -40, hi: 50),  // logRelF0-H1-A3 (dB)
        Column(kind: .linear, mean: 520, sd: 230, lo: 0, hi: 1800),  // F1frequency (Hz)
        Column(kind: .linear, mean: 1100, sd: 250, lo: 0, hi: 2500),  // F1bandwidth (Hz)
        // F1amplitudeLogRelF0 (dB)
        Column(kind: .voiced(-201), mean: -4, sd: 17, lo: -201, hi: 20),
        Column(kind: .linear, mean: 1500, sd: 300, lo: 0, hi: 2700),  // F2frequency (Hz)
        // F2amplitudeLogRelF0 (dB)
        Column(kind: .voiced(-201), mean: -15, sd: 20, lo: -201, hi: 25),
        Column(kind: .linear, mean: 2550, sd: 350, lo: 0, hi: 3800),  // F3frequency (Hz)
        // F3amplitudeLogRelF0 (dB)
        Column(kind: .voiced(-201), mean: -15, sd: 18, lo: -201, hi: 30),
    ]

    /// OpenFace 2 FeatureExtraction columns less `frame` and the 40 shape parameters (`p_*`):
    /// 673, the release's width. Templates place landmarks around the clip's face position.
    static let videoColumns: [Column] = {
        func linear(
            _ mean: Float, _ sd: Float, _ lo: Float, _ hi: Float, _ expressive: Bool = false
        ) -> Column {
            Column(kind: .linear, mean: mean, sd: sd, lo: lo, hi: hi, expressive: expressive)
        }
        func landmarks(_ count: Int, axis: Int, _ offset: (Int) -> Float, sd: Float) -> [Column] {
            (0..<count).map { Column(kind: .position(axis), mean: offset($0), sd: sd) }
        }
        var c: [Column] = [
            Column(kind: .constant, mean: 0, sd: 0),  // face_id
            Column(kind: .timestamp, mean: 0, sd: 0),  // timestamp (s)
            linear(0.93, 0.03, 0, 0.98),  // confidence
            Column(kind: .presence, mean: -1.9, sd: 0),  // success (1 in 97% of frames)
        ]
        for _ in 0..<2 {
            c += [linear(0, 0.1, -1, 1), linear(0.15, 0.1, -1, 1), linear(-0.97, 0.03, -1, -0.5)]
        }  // gaze_k_{x,y,z}
        // gaze_angle_x, _y (rad)
        c += [linear(0, 0.15, -1, 1, true), linear(0.15, 0.1, -1, 1, true)]
        // 56 eye landmarks, 28 per eye: 2-D in pixels, then 3-D in mm.
        let eyeSide: (Int) -> Float = { $0 < 28 ? -1 : 1 }
        let ring: (Int) -> Float = { Float(Foundation.sin(Double($0 % 28) * 2 * .pi / 28)) }
        c += landmarks(56, axis: 0, { eyeSide($0) * 60 + 15 * ring($0) }, sd: 2)
        c += landmarks(56, axis: 1, { -40 + 6 * ring($0 + 7) }, sd: 2)
        c += landmarks(56, axis: 2, { eyeSide($0) * 32 + 8 * ring($0) }, sd: 1)
        c += landmarks(56, axis: 3, { -30 + 4 * ring($0 + 7) }, sd: 1)
        c += landmarks(56, axis: 4, { -20 + 5 * ring($0) }, sd: 1)
        // Head pose: translation (mm) around the clip's position, rotation (rad).
        c += [
            Column(kind: .position(2), mean: 0, sd: 2), Column(kind: .position(3), mean: 0, sd: 2),
            Column(kind: .position(4), mean: 0, sd: 4),
        ]
        c += [
            linear(0.1, 0.1, -0.6, 0.6, true), linear(0, 0.15, -0.6, 0.6, true),
            linear(0, 0.07, -0.6, 0.6),
        ]
        // 68 face landmarks (jaw, brows, nose, eyes, mouth): 2-D in pixels, then 3-D in mm.
        let faceX: (Int) -> Float = { Float(Foundation.cos(Double($0) * 0.37)) * 100 }
        let faceY: (Int) -> Float = { -60 + 150 * Float($0 % 17) / 16 }
        c += landmarks(68, axis: 0, faceX, sd: 3)
        c += landmarks(68, axis: 1, faceY, sd: 3)
        c += landmarks(68, axis: 2, { faceX($0) * 0.7 }, sd: 1.5)
        c += landmarks(68, axis: 3, { faceY($0) * 0.8 }, sd: 1.5)
        let faceZ: (Int) -> Float = { -20 + 25 * Float(Foundation.sin(Double($0) * 0.9)) }
        c += landmarks(68, axis: 4, faceZ, sd: 1.5)
        // 17 action-unit intensities (AU01_r ... AU45_r; AU25, AU26 higher while talking), 18
        // presences.
        c += (0..<17).map {
            Column(
                kind: .intensity, mean: $0 == 13 ? 1.0 : ($0 == 14 ? 0.6 : 0.1), sd: 0.6, lo: 0,
                hi: 5, expressive: true)
        }
        c += (0..<18).map { _ in Column(kind: .presence, mean: 0.5, sd: 0, expressive: true) }
        return c
    }()

    /// For widths other than the release's 673 (small test sets): a cycle of representative
    /// OpenFace columns (confidence, success, gaze angle, pose rotation, landmarks, AUs).
    static let compactVideoColumns = [
        2, 3, 10, 295, 296, 298 + 30, 366 + 40, 638 + 9, 638 + 12, 655 + 10,
    ]

    static func columns(_ m: Modality, dim: Int, generator: Generator) -> [Column] {
        switch m {
        case .audio:
            return (0..<dim).map { audioColumns[$0 % audioColumns.count] }
        case .video:
            if dim == videoColumns.count { return videoColumns }
            return (0..<dim).map {
                videoColumns[compactVideoColumns[$0 % compactVideoColumns.count]]
            }
        case .text:
            // BERT-like: per-dimension offsets (σ 0.25), element spread 0.45, two outlier
            // dimensions; evidence on `dim / 24` dimensions spread over the width.
            let outliers: [Int: Float] = dim >= 4 ? [308 % dim: -4, 381 % dim: 3] : [:]
            let expressiveCount = Swift.max(1, Swift.min(32, dim / 4))
            var expressive = Set(
                (0..<expressiveCount).map { (5 + $0 * Swift.max(1, dim / expressiveCount)) % dim })
            expressive.subtract(outliers.keys)
            return (0..<dim).map { d in
                let offset = Float(0.25 * generator.normal())
                if let big = outliers[d] { return Column(kind: .linear, mean: big, sd: 1) }
                return Column(
                    kind: .linear, mean: offset, sd: 0.45, expressive: expressive.contains(d))
            }
        }
    }

    // MARK: - Generation

    /// The standardised dataset.
    public static func generate(_ config: Configuration = Configuration()) -> IndoMERDataset {
        var generated = generateRaw(config)
        generated.dataset.standardize()
        return generated.dataset
    }

    /// The dataset in the extractors' units (not standardised), with every clip's events.
    public static func generateRaw(_ config: Configuration = Configuration()) -> Generated {
        let generator = Generator(seed: config.seed)
        let clips = makeClips(config, generator)
        let videoIndex = Dictionary(
            uniqueKeysWithValues: Set(clips.map(\.sourceVideo)).sorted().enumerated().map {
                ($1, $0)
            })
        // Lengths from one clip duration shared by audio and video.
        var lengths: [Modality: [Int]] = [:]
        for clip in clips {
            _ = clip
            let sigma = 0.35
            let seconds = Swift.min(
                9,
                Swift.max(
                    1.5,
                    meanSeconds * Foundation.exp(sigma * generator.normal() - sigma * sigma / 2)))
            // Tokens: [CLS] + word pieces + [SEP], median 14 (the release's transcripts: median 10
            // words, at most 54).
            let tokens = Swift.min(
                69, Swift.max(3, Int((14 * Foundation.exp(0.5 * generator.normal())).rounded())))
            for m in Modality.allCases {
                let frames: Double =
                    switch m {
                    case .text: Double(tokens)
                    case .audio: seconds * 100
                    case .video: seconds * 25
                    }
                let padded = config.paddedLengths[m]!
                lengths[m, default: []].append(
                    Swift.min(padded, Swift.max(1, Int((frames * config.lengthScale).rounded()))))
            }
        }
        let events = makeEvents(clips, lengths: lengths, config: config, generator: generator)
        var features: [Modality: RaggedFeatures] = [:]
        for m in Modality.allCases {
            features[m] = makeFeatures(
                m, clips: clips, videoIndex: videoIndex, lengths: lengths[m]!, events: events[m]!,
                config: config,
                generator: generator.split())
        }
        let dataset = IndoMERDataset(
            clips: clips, features: features, normalization: [:], isSynthetic: true,
            fingerprint: fingerprint(config), source: config.description)
        return Generated(dataset: dataset, events: events)
    }

    private static func makeClips(_ config: Configuration, _ generator: Generator) -> [Clip] {
        var clips: [Clip] = []
        for split in IndoMERRelease.splits {
            var labels: [(e: Int, t: Int, a: Int, v: Int)] = []
            for cell in jointCounts[split]! {
                let kept = Swift.max(1, Int((Double(cell.n) * config.clipFraction).rounded()))
                labels += Array(repeating: (cell.e, cell.t, cell.a, cell.v), count: kept)
            }
            var rng = generator  // a reference: the shuffle advances the shared generator
            labels.shuffle(using: &rng)
            let wanted = Int(
                (Double(sourceVideos[split]!) * Swift.min(1, config.clipFraction * 4)).rounded())
            let videos = Swift.max(1, Swift.min(labels.count, wanted))
            // One clip for every video first, the rest by log-normal shares.
            let shares = (0..<videos).map { _ in
                Foundation.exp(videoShareSigma * generator.normal())
            }
            var cumulative: [Double] = []
            for s in shares { cumulative.append((cumulative.last ?? 0) + s) }
            var perVideo = [Int](repeating: 0, count: videos)
            for (k, label) in labels.enumerated() {
                let v: Int
                if k < videos {
                    v = k
                } else {
                    let u = generator.uniform() * cumulative.last!
                    v = Swift.min(videos - 1, cumulative.firstIndex { $0 > u } ?? videos - 1)
                }
                perVideo[v] += 1
                let video = "synthetic_\(split.rawValue)\(v + 1)_Video"
                clips.append(
                    Clip(
                        id: "\(video)_\(perVideo[v])", sourceVideo: video, split: split,
                        sentiment: sentiment(ofEmotion: label.e), emotion: label.e,
                        modalitySentiment: [.text: label.t, .audio: label.a, .video: label.v]))
            }
        }
        return clips
    }

    /// The emotion a modality expresses: the clip's when the modality's sentiment agrees with
    /// the clip's, else one consistent with the modality's own sentiment.
    static func expressedEmotion(clip: Int, sentiment: Int, generator: Generator) -> Int {
        if Self.sentiment(ofEmotion: clip) == sentiment { return clip }
        switch sentiment {
        case 1: return 4
        case 2: return 5
        default:
            // fear, disgust, anger, sadness by the release's training counts (5, 33, 69, 142).
            let u = generator.int(below: 249)
            return u < 5 ? 0 : (u < 38 ? 1 : (u < 107 ? 2 : 3))
        }
    }

    private static func makeEvents(
        _ clips: [Clip], lengths: [Modality: [Int]], config: Configuration, generator: Generator
    ) -> [Modality: [[Event]]] {
        var events: [Modality: [[Event]]] = [:]
        for m in Modality.allCases {
            events[m] = clips.enumerated().map { c, clip in
                let length = lengths[m]![c]
                guard generator.uniform() < eventRate[m]! else { return [] }
                let count =
                    1 + (generator.uniform() < 0.45 ? 1 : 0) + (generator.uniform() < 0.15 ? 1 : 0)
                let sentiment = clip.modalitySentiment[m]!
                let emotion = expressedEmotion(
                    clip: clip.emotion, sentiment: sentiment, generator: generator)
                let range = eventLength[m]!
                return (0..<count).map { _ in
                    let drawn = range.lowerBound + generator.int(below: range.count)
                    let size = Swift.min(
                        length,
                        Swift.max(
                            1,
                            Int((Double(drawn) * (m == .text ? 1 : config.lengthScale)).rounded())))
                    // Text events avoid [CLS] when there is room.
                    let first = m == .text && length > size + 1 ? 1 : 0
                    let start = first + generator.int(below: length - size - first + 1)
                    return Event(
                        frames: start..<(start + size), sentiment: sentiment, emotion: emotion,
                        overall: false)
                }
            }
        }
        // The overall cue: one event of a modality that has events carries the clip's own labels.
        for (c, clip) in clips.enumerated() where generator.uniform() < overallCueRate {
            let carriers = Modality.allCases.filter { !events[$0]![c].isEmpty }
            guard !carriers.isEmpty else { continue }
            let m = carriers[generator.int(below: carriers.count)]
            let k = generator.int(below: events[m]![c].count)
            events[m]![c][k].sentiment = clip.sentiment
            events[m]![c][k].emotion = clip.emotion
            events[m]![c][k].overall = true
        }
        return events
    }

    private static func makeFeatures(
        _ m: Modality, clips: [Clip], videoIndex: [String: Int], lengths: [Int], events: [[Event]],
        config: Configuration, generator: Generator
    ) -> RaggedFeatures {
        let dim = config.dims[m]!
        let columns = columns(m, dim: dim, generator: generator)
        // Evidence: one prototype per sentiment and per emotion over the expressive columns.
        let expressive = columns.map { $0.expressive ? Float(1) : 0 }
        let prototype = { (0..<dim).map { Float(generator.normal()) * expressive[$0] } }
        let sentimentPrototypes = (0..<3).map { _ in prototype() }
        let emotionPrototypes = (0..<7).map { _ in prototype() }
        // The overall cue has prototypes of its own: it is not one more instance of a modality
        // label.
        let overallSentiment = (0..<3).map { _ in prototype() }
        let overallEmotion = (0..<7).map { _ in prototype() }
        let speakers = (0..<videoIndex.count).map { _ in
            (0..<dim).map { _ in speakerSpread * Float(generator.normal()) }
        }
        // Per video a face position: image x, y (px), X, Y, Z (mm).
        let faces = (0..<videoIndex.count).map { _ in
            [
                640 + 60 * generator.normal(), 360 + 40 * generator.normal(),
                50 * generator.normal(),
                20 + 40 * generator.normal(), 500 + 150 * generator.normal(),
            ].map { Float($0) }
        }
        let strength = Self.strength[m]! * config.signal
        let rho = noiseCorrelation[m]!
        let fresh = (1 - rho * rho).squareRoot()
        var offsets = [0]
        for length in lengths { offsets.append(offsets.last! + length) }
        var data = [Float](repeating: 0, count: offsets.last! * dim)
        var latent = [Float](repeating: 0, count: dim)
        var base = [Float](repeating: 0, count: dim)
        var evidence = [[Float]](repeating: [Float](repeating: 0, count: dim), count: 1)
        data.withUnsafeMutableBufferPointer { out in
            for (c, clip) in clips.enumerated() {
                let speaker = speakers[videoIndex[clip.sourceVideo]!]
                for d in 0..<dim { base[d] = speaker[d] + clipSpread * Float(generator.normal()) }
                var face = faces[videoIndex[clip.sourceVideo]!]
                for k in 0..<5 {
                    face[k] += Float(generator.normal()) * (k < 2 ? 20 : (k == 4 ? 30 : 10))
                }
                let pixelScale = 500 / Swift.max(face[4], 150)
                evidence = events[c].map { e in
                    let (s, x) =
                        e.overall
                        ? (overallSentiment[e.sentiment], overallEmotion[e.emotion])
                        : (sentimentPrototypes[e.sentiment], emotionPrototypes[e.emotion])
                    return (0..<dim).map { strength * (s[$0] + x[$0]) }
                }
                var voiced = generator.uniform() < 0.55
                for t in 0..<lengths[c] {
                    let row = (offsets[c] + t) * dim
                    for d in 0..<dim {
                        let n = Float(generator.normal())
                        latent[d] = t == 0 || rho == 0 ? n : rho * latent[d] + fresh * n
                    }
                    var inEvent = false
                    for (k, e) in events[c].enumerated() where e.frames.contains(t) {
                        inEvent = true
                        for d in 0..<dim { latent[d] += evidence[k][d] }
                    }
                    if m == .audio {
                        voiced = voiced ? generator.uniform() >= 0.04 : generator.uniform() < 0.05
                        if inEvent { voiced = true }
                    }
                    for d in 0..<dim {
                        out[row + d] = value(
                            columns[d], z: base[d] + latent[d], voiced: voiced, frame: t,
                            face: face, pixelScale: pixelScale)
                    }
                    // [CLS] and [SEP]: near-constant vectors.
                    if m == .text && (t == 0 || (t == lengths[c] - 1 && t >= 2)) {
                        for d in 0..<dim {
                            out[row + d] =
                                columns[d].mean + (t == 0 ? 0.8 : -0.6) + 0.1
                                * Float(generator.normal())
                        }
                    }
                }
            }
        }
        return RaggedFeatures(
            dim: dim, paddedLength: config.paddedLengths[m]!, offsets: offsets, data: data)
    }

    @inline(__always)
    static func value(
        _ column: Column, z: Float, voiced: Bool, frame: Int, face: [Float], pixelScale: Float
    ) -> Float {
        func clamp(_ x: Float) -> Float { Swift.min(column.hi, Swift.max(column.lo, x)) }
        switch column.kind {
        case .linear: return clamp(column.mean + column.sd * z)
        case .logNormal: return clamp(column.mean * Foundation.exp(column.sd * z))
        case .voiced(let unvoiced): return voiced ? clamp(column.mean + column.sd * z) : unvoiced
        case .voicedLogNormal:
            return voiced ? clamp(column.mean * Foundation.exp(column.sd * z)) : 0
        case .loudness:
            return voiced ? clamp(column.mean + column.sd * z) : 0.05 + 0.02 * Swift.abs(z)
        case .intensity: return Swift.min(column.hi, Swift.max(0, column.mean + column.sd * z))
        case .presence: return z > column.mean ? 1 : 0
        case .constant: return column.mean
        case .timestamp: return Float(frame) / 25
        case .position(let axis):
            let scale: Float = axis < 2 ? pixelScale : 1
            return face[axis] + column.mean * scale + column.sd * z
        }
    }
}
