import Autograd

/// One modality of a batch: features padded to the batch's longest clip, and true lengths.
/// Shapes: `features [B, T, D]`, `lengths [B]` with `0 <= lengths[b] <= T`; a length of 0 is
/// a removed modality (every frame treated as padding; each model documents what it then does).
public struct ModalityBatch {
    public var features: Tensor
    public var lengths: [Int]

    public init(features: Tensor, lengths: [Int]) {
        self.features = features
        self.lengths = lengths
    }
}

/// A batch for a fusion model: the present modalities, labels and clip identities.
public struct FusionBatch {
    public var inputs: [Modality: ModalityBatch]
    public var labels: [Int]
    public var clipIDs: [String]
    /// Each clip's text token count, the time axis that aligned models (EF-LSTM, MFN) use.
    public var textLengths: [Int]

    public init(
        inputs: [Modality: ModalityBatch], labels: [Int], clipIDs: [String], textLengths: [Int]
    ) {
        self.inputs = inputs
        self.labels = labels
        self.clipIDs = clipIDs
        self.textLengths = textLengths
    }

    public var size: Int { labels.count }
}

/// Turns clip indices into padded batches.
///
/// Length-aware: `batches(of:)` shuffles the clips, cuts the shuffled order into chunks of
/// `bucketBatches` batches, sorts each chunk by length and cuts it into batches, then
/// shuffles the batch order. A batch pads only to its own longest clip. With `shuffle`
/// false (evaluation) clips keep their order.
public struct Batcher {
    public let dataset: IndoMERDataset
    public let modalities: [Modality]
    public let task: IndoMERTask
    /// Audio frames averaged in windows of this many over each clip's true length (1 = none).
    public var audioPool = 1

    public init(dataset: IndoMERDataset, modalities: [Modality], task: IndoMERTask) {
        precondition(!modalities.isEmpty, "a batch needs at least one modality")
        self.dataset = dataset
        self.modalities = modalities
        self.task = task
    }

    /// The clip order for one epoch: shuffled, then sorted by length within buckets.
    public func batches(
        of clips: [Int], batchSize: Int, shuffle: Bool, generator: Generator, bucketBatches: Int = 8
    ) -> [[Int]] {
        guard shuffle else {
            return stride(from: 0, to: clips.count, by: batchSize).map {
                Array(clips[$0..<Swift.min($0 + batchSize, clips.count)])
            }
        }
        var order = clips
        var rng = generator
        order.shuffle(using: &rng)
        let key =
            modalities.contains(.video)
            ? Modality.video : modalities.contains(.audio) ? .audio : .text
        let lengths = dataset.features[key]!
        var result: [[Int]] = []
        for start in stride(from: 0, to: order.count, by: batchSize * bucketBatches) {
            let bucket = order[start..<Swift.min(start + batchSize * bucketBatches, order.count)]
                .sorted { lengths.length(of: $0) < lengths.length(of: $1) }
            for b in stride(from: 0, to: bucket.count, by: batchSize) {
                result.append(
                    Array(
                        bucket[
                            (bucket.startIndex + b)..<Swift.min(
                                bucket.startIndex + b + batchSize, bucket.endIndex)]))
            }
        }
        result.shuffle(using: &rng)
        return result
    }

    /// The padded batch of `clips`, with `perturbation` applied to their inputs (none by
    /// default) and, per clip, the modalities in `removed[b]` removed (training-time modality
    /// dropout).
    ///
    /// A removed modality has length 0 and zero features; its batch keeps the steps of the
    /// others' time axis where a model aligns onto it (text: the clip's token count), so the
    /// aligned models see zeros there. Frames are dropped before audio pooling, and noise is
    /// added to the (standardised) true frames before it.
    public func batch(
        _ clips: [Int], perturbation: InputPerturbation = .none, removed: [Set<Modality>]? = nil
    ) -> FusionBatch {
        var inputs: [Modality: ModalityBatch] = [:]
        let text = dataset.features[.text]
        var textLengths = clips.map {
            text?.length(of: $0) ?? dataset.features[modalities[0]]!.length(of: $0)
        }
        for m in modalities {
            let f = dataset.features[m]!
            let pool = m == .audio ? audioPool : 1
            // Each clip's frames that stay: nil for all of them (no index list on the usual path).
            let kept = clips.enumerated().map { b, clip -> [Int]? in
                if perturbation.removed.contains(m) || removed?[b].contains(m) == true { return [] }
                return perturbation.keptFrames(f.length(of: clip), clip: clip, modality: m)
            }
            let frameCounts = zip(clips, kept).map { clip, k in k?.count ?? f.length(of: clip) }
            let lengths = frameCounts.map { ($0 + pool - 1) / pool }
            if m == .text { textLengths = zip(textLengths, frameCounts).map { $1 == 0 ? $0 : $1 } }
            // Text keeps its token axis when removed (aligned models step along it).
            let steps = Swift.max(lengths.max() ?? 1, m == .text ? textLengths.max() ?? 1 : 1, 1)
            var values = [Float](repeating: 0, count: clips.count * steps * f.dim)
            let sigma = Float(perturbation.noise[m] ?? 0)
            for (b, clip) in clips.enumerated() {
                let frames = f.frames(of: clip)
                let base = frames.startIndex
                let noise = sigma > 0 ? perturbation.noiseGenerator(clip: clip, modality: m) : nil
                for t in 0..<lengths[b] {
                    // Mean of the kept frames t·pool ..< min((t+1)·pool, kept).
                    let lo = t * pool
                    let hi = Swift.min(lo + pool, frameCounts[b])
                    let scale = 1 / Float(hi - lo)
                    let row = (b * steps + t) * f.dim
                    for i in lo..<hi {
                        let frame = kept[b]?[i] ?? i
                        for d in 0..<f.dim {
                            values[row + d] += frames[base + frame * f.dim + d] * scale
                        }
                    }
                    // Noise on the step the model sees (after pooling), so σ means the same for every model.
                    if let noise {
                        for d in 0..<f.dim { values[row + d] += sigma * Float(noise.normal()) }
                    }
                }
            }
            inputs[m] = ModalityBatch(
                features: Tensor(values, shape: [clips.count, steps, f.dim]), lengths: lengths)
        }
        return FusionBatch(
            inputs: inputs, labels: clips.map { dataset.clips[$0].label(for: task) },
            clipIDs: clips.map { dataset.clips[$0].id }, textLengths: textLengths)
    }
}

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
